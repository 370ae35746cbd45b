package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// Deps lists the packages pkg is built from (go list -deps: its imports,
// theirs, and so on; the standard library included; tests excluded).
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
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatalf("go list -deps %s named no package", pkg)
	}
	return deps
}

// NoDeps fails t for each package pkg is built from that is one of
// forbidden or below one of them (a forbidden "a/b" also forbids
// "a/b/c"), so a test can hold a program to the house's layering.
func NoDeps(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	for _, d := range Deps(t, pkg) {
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
}
