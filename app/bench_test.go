package app

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"switchboard/backend/apierr"
)

var quiet = slog.New(slog.DiscardHandler)

// discardPlatform drops everything, so the benchmarks measure the facade,
// not the fake's bookkeeping.
type discardPlatform struct{}

func (discardPlatform) Emit(string, any)            {}
func (discardPlatform) SetTitle(string)             {}
func (discardPlatform) Notify(string, string) error { return nil }

// BenchmarkPing is the Go half of the shell's bridge round trip: validation,
// the counter and the event emit.
func BenchmarkPing(b *testing.B) {
	a := New(Options{Logger: quiet, Platform: func(context.Context) Platform { return discardPlatform{} }})
	a.Startup(context.Background())
	defer a.Shutdown(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Ping("hello from the benchmark"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVersion reads Go's embedded build info on every call; this shows
// what that costs.
func BenchmarkVersion(b *testing.B) {
	a := New(Options{Logger: quiet})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Version(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatError is paid by every failing bound call.
func BenchmarkFormatError(b *testing.B) {
	err := errors.Join(errors.New("ctx"), apierr.Field(apierr.ValidationFailed, "note", "too long"))
	b.ReportAllocs()
	for b.Loop() {
		_ = FormatError(err)
	}
}
