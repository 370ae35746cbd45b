export namespace app {
	
	export interface BuildInfo {
	    name: string;
	    version: string;
	    build_type: string;
	    commit: string;
	    go_version: string;
	    wails_version: string;
	    os: string;
	    arch: string;
	    started_at: string;
	}
	export interface Pong {
	    reply: string;
	    count: number;
	    received_at: string;
	    uptime_ms: number;
	}

}

