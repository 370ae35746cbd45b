package main

import (
	"os"
	"runtime"
	"strings"
)

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// loadAverage is the machine's 1-minute load, printed with the figures:
// on a shared machine other work moves them a lot.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
