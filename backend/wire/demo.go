package wire

// DemoEndpoints are where a demo hub (switchboard-hub --demo, package
// backend/demo) answers. The hub prints them as one JSON line on its
// standard output once it is ready; the console, which started it as a
// child process (backend/desktop/democlient), reads that line.
type DemoEndpoints struct {
	// HubURL is the hub API's base URL (http://127.0.0.1:<port>).
	HubURL string `json:"hub_url"`
	// SandboxURL is the sandbox's base URL: its Cloud API and, under
	// /_sandbox/, its admin endpoints.
	SandboxURL string `json:"sandbox_url"`
}

// DemoAdminTokenFile, in the demo hub's data folder, holds the secret of
// both its admin surfaces (the hub's bootstrap admin token and the
// sandbox's admin endpoints), 0600, for the process that started it.
const DemoAdminTokenFile = "admin-token"
