package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// Deps lists the packages pkg is built from (go list -deps: its imports,
// theirs, and so on; the standard library included; tests excluded), so a
// test can hold a program to the house's layering.
func Deps(t testing.TB, pkg string) []string {
	t.Helper()
	// go test puts its own toolchain first on PATH.
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}
