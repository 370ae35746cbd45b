package main

import (
	"testing"

	"switchboard/backend/testkit"
)

// The server binary is assembled from the hub's side of the house only:
// nothing of the desktop console (its services, the Wails shell) is
// linked into it, the demo hub included (backend/demo).
func TestTheHubBinaryHasNoDesktopDependency(t *testing.T) {
	testkit.NoDeps(t, "switchboard/backend/cmd/switchboard-hub",
		"switchboard/app", "switchboard/backend/desktop", "github.com/wailsapp")
}
