package app

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/backend/apierr"
)

// fixedClock returns a clock that starts at start and moves by step on each
// call, so uptimes are exact.
func fixedClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time {
		t := now
		now = now.Add(step)
		return t
	}
}

var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))

func TestVersion(t *testing.T) {
	a, _ := startedApp(t, fixedClock(epoch, time.Second))
	got, err := a.Version()
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if got.Name != "Switchboard" || got.Version != "1.2.3" || got.BuildType != "production" {
		t.Errorf("name/version/build = %q/%q/%q", got.Name, got.Version, got.BuildType)
	}
	if !strings.HasPrefix(got.GoVersion, "go") || got.OS == "" || got.Arch == "" {
		t.Errorf("runtime facts missing: %+v", got)
	}
	// Started time is reported in UTC whatever the local zone.
	if got.StartedAt != "2025-03-04T04:06:07Z" {
		t.Errorf("StartedAt = %q", got.StartedAt)
	}
}

func TestNewDefaults(t *testing.T) {
	a := New(Options{})
	got, err := a.Version()
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "dev" || got.BuildType != "dev" {
		t.Errorf("defaults = %q/%q, want dev/dev", got.Version, got.BuildType)
	}
}

func TestPing(t *testing.T) {
	tests := []struct {
		name      string
		note      string
		wantReply string
		wantField string
	}{
		{name: "empty note", note: "", wantReply: "pong"},
		{name: "note echoed", note: "hello", wantReply: "pong: hello"},
		{name: "note trimmed", note: "  hi there \n", wantReply: "pong: hi there"},
		{name: "longest note", note: strings.Repeat("é", MaxPingNote), wantReply: "pong: " + strings.Repeat("é", MaxPingNote)},
		{name: "note too long", note: strings.Repeat("x", MaxPingNote+1), wantField: "note"},
		{name: "invalid utf-8", note: "\xff\xfe", wantField: "note"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, p := startedApp(t, fixedClock(epoch, 1500*time.Millisecond))
			got, err := a.Ping(tc.note)
			if tc.wantField != "" {
				var e *apierr.Error
				if !errors.As(err, &e) || e.Code != apierr.ValidationFailed || e.Field != tc.wantField {
					t.Fatalf("err = %v, want VALIDATION_FAILED on %q", err, tc.wantField)
				}
				if n := len(p.recorded()); n != 0 {
					t.Errorf("a rejected ping emitted %d events", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Ping: %v", err)
			}
			want := Pong{Reply: tc.wantReply, Count: 1, ReceivedAt: "2025-03-04T04:06:08Z", UptimeMS: 1500}
			if got != want {
				t.Errorf("Ping = %+v, want %+v", got, want)
			}
			events := p.recorded()
			if len(events) != 1 || events[0].Name != EventPinged || events[0].Data != any(want) {
				t.Errorf("events = %+v, want one %s with the pong", events, EventPinged)
			}
		})
	}
}

func TestPingCountsAcrossCalls(t *testing.T) {
	a, p := startedApp(t, time.Now)
	for i := 1; i <= 3; i++ {
		got, err := a.Ping("n")
		if err != nil {
			t.Fatal(err)
		}
		if got.Count != uint64(i) {
			t.Errorf("call %d: Count = %d", i, got.Count)
		}
	}
	if n := len(p.recorded()); n != 3 {
		t.Errorf("emitted %d events, want 3", n)
	}
}

func TestPingWithoutWindow(t *testing.T) {
	// Before Startup (and after Shutdown) there is no window: bound methods
	// still answer and events are dropped rather than sent to a nil runtime.
	a := New(Options{})
	if _, err := a.Ping("early"); err != nil {
		t.Fatalf("Ping before Startup: %v", err)
	}
	p := &recordingPlatform{}
	a.opts.Platform = p.factory()
	a.Startup(context.Background())
	a.Shutdown(context.Background())
	if _, err := a.Ping("late"); err != nil {
		t.Fatalf("Ping after Shutdown: %v", err)
	}
	if n := len(p.recorded()); n != 0 {
		t.Errorf("platform got %d events outside Startup..Shutdown", n)
	}
}

func TestStartupHandsWailsContextToPlatformOnly(t *testing.T) {
	type key struct{}
	p := &recordingPlatform{}
	a := New(Options{Platform: p.factory()})
	wailsCtx := context.WithValue(context.Background(), key{}, "wails")
	a.Startup(wailsCtx)
	defer a.Shutdown(context.Background())
	if p.ctx != wailsCtx {
		t.Error("platform was not built from the context passed to Startup")
	}
	if a.lifetime().Value(key{}) != nil {
		t.Error("the facade's lifetime context must not derive from the Wails context")
	}
}

func TestShutdown(t *testing.T) {
	p := &recordingPlatform{}
	a := New(Options{Platform: p.factory()})
	a.Startup(context.Background())
	em := a.emitter()
	em.Emit("x.before", 1)
	a.Shutdown(context.Background())
	a.Shutdown(context.Background()) // second call is a no-op
	em.Emit("x.after", 2)

	if p.closed != 1 {
		t.Errorf("platform closed %d times, want 1", p.closed)
	}
	select {
	case <-a.lifetime().Done():
	default:
		t.Error("lifetime context still live after Shutdown")
	}
	if got := p.recorded(); len(got) != 1 || got[0].Name != "x.before" {
		t.Errorf("events = %+v, want only x.before", got)
	}
}

func TestFormatError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want apierr.Body
	}{
		{
			name: "coded error keeps code, message and field",
			err:  apierr.Field(apierr.ValidationFailed, "note", "too long"),
			want: apierr.Body{Code: apierr.ValidationFailed, Message: "too long", DocURL: apierr.ValidationFailed.DocURL(), Field: "note"},
		},
		{
			name: "wrapped coded error",
			err:  errors.Join(errors.New("context"), apierr.New(apierr.NotFound, "no such thing")),
			want: apierr.Body{Code: apierr.NotFound, Message: "no such thing", DocURL: apierr.NotFound.DocURL()},
		},
		{
			name: "plain error hides its text",
			err:  errors.New("open /home/agent/.config/secret.db: permission denied"),
			want: apierr.Body{Code: apierr.Internal, Message: "internal error", DocURL: apierr.Internal.DocURL()},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := FormatError(tc.err).(apierr.Body)
			if !ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FormatError = %#v, want %#v", got, tc.want)
			}
		})
	}
	if FormatError(nil) != nil {
		t.Error("FormatError(nil) != nil")
	}
}
