package app

import (
	"testing"

	"switchboard/backend/testkit"
)

// The console reaches a hub, its demo hub included, only over HTTP and,
// for the demo hub, through the child process it starts: none of the hub's
// packages is linked into the desktop app.
func TestTheConsoleHasNoHubDependency(t *testing.T) {
	testkit.NoDeps(t, "switchboard/app", "switchboard/backend/hub", "switchboard/backend/hubapi",
		"switchboard/backend/sandbox", "switchboard/backend/demo")
}
