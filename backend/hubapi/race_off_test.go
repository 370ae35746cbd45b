//go:build !race

package hubapi

// raceDetector reports whether the tests run under the race detector,
// which makes the heaviest load tests too slow to run in full.
const raceDetector = false
