package main

import (
	"strings"
	"testing"

	"switchboard/backend/testkit"
)

// The server binary is assembled from the hub's side of the house only:
// nothing of the desktop console (its services, the Wails shell) is
// linked into it, the demo hub included (backend/demo).
func TestTheHubBinaryHasNoDesktopDependency(t *testing.T) {
	deps := testkit.Deps(t, "switchboard/backend/cmd/switchboard-hub")
	if len(deps) == 0 {
		t.Fatal("go list named no package")
	}
	for _, d := range deps {
		if d == "switchboard/app" || d == "switchboard/backend/desktop" || strings.HasPrefix(d, "switchboard/backend/desktop/") ||
			strings.HasPrefix(d, "github.com/wailsapp/") {
			t.Errorf("switchboard-hub depends on %s", d)
		}
	}
}
