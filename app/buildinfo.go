package app

import (
	"runtime"
	"runtime/debug"
	"time"
)

// BuildInfo describes the running binary, for the About panel and bug
// reports.
type BuildInfo struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	BuildType    string `json:"build_type"`
	Commit       string `json:"commit"`
	GoVersion    string `json:"go_version"`
	WailsVersion string `json:"wails_version"`
	OS           string `json:"os"`
	Arch         string `json:"arch"`
	StartedAt    string `json:"started_at"`
}

// Version reports what is running: the app's version and build type, the
// commit it was built from when Go recorded one, and the Go and Wails
// versions.
func (a *App) Version() (BuildInfo, error) {
	info := BuildInfo{
		Name:      AppName,
		Version:   a.opts.Version,
		BuildType: a.opts.BuildType,
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		StartedAt: a.started.UTC().Format(time.RFC3339),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.Commit, info.WailsVersion = fromBuildInfo(bi)
	}
	return info, nil
}

// fromBuildInfo picks the VCS revision (shortened, "+dirty" when the tree had
// changes) and the Wails module version out of Go's embedded build info.
func fromBuildInfo(bi *debug.BuildInfo) (commit, wails string) {
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
			if len(commit) > 12 {
				commit = commit[:12]
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit != "" && modified {
		commit += "+dirty"
	}
	for _, dep := range bi.Deps {
		if dep.Path == "github.com/wailsapp/wails/v2" {
			wails = dep.Version
			if dep.Replace != nil {
				wails = dep.Replace.Version
			}
		}
	}
	return commit, wails
}
