//go:build unix

package app

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestQuitOnSignal(t *testing.T) {
	// SIGUSR1 stands in for SIGTERM, which would end the test binary if the
	// handler were not installed.
	quit := make(chan struct{})
	p := &recordingPlatform{quit: quit}
	a := New(Options{Platform: p.factory(), QuitSignals: []os.Signal{syscall.SIGUSR1}})
	a.Startup(context.Background())
	defer a.Shutdown(context.Background())
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(10 * time.Second):
		t.Fatal("platform was not asked to quit after the signal")
	}
}
