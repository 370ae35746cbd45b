package app

import (
	"strings"
	"testing"

	"switchboard/backend/testkit"
)

// The console reaches a hub, its demo hub included, only over HTTP and,
// for the demo hub, through the child process it starts: none of the hub's
// packages is linked into the desktop app.
func TestTheConsoleHasNoHubDependency(t *testing.T) {
	deps := testkit.Deps(t, "switchboard/app")
	if len(deps) == 0 {
		t.Fatal("go list named no package")
	}
	for _, d := range deps {
		for _, hub := range []string{"switchboard/backend/hub", "switchboard/backend/hubapi", "switchboard/backend/sandbox", "switchboard/backend/demo"} {
			if d == hub || strings.HasPrefix(d, hub+"/") {
				t.Errorf("the console depends on %s", d)
			}
		}
	}
}
