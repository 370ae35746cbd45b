// Package testkit holds the helpers Switchboard's tests share. It is
// imported only by _test.go files (and test-only packages), never by a
// program.
package testkit

import (
	"testing"
	"time"
)

// Timeout is how long Eventually waits. It only bounds a test that is
// already failing; a passing test returns as soon as its condition holds,
// so no test passes or fails on the machine's speed.
const Timeout = 30 * time.Second

// pollEvery is how often Eventually tries the condition again.
const pollEvery = 5 * time.Millisecond

// Eventually polls cond until it holds; after Timeout it fails t with
// "timed out waiting for <what>". Use it for what happens in another
// goroutine or process (a webhook arriving, a queue draining), never as
// a sleep.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(pollEvery)
	}
}
