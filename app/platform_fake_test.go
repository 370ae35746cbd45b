package app

import (
	"context"
	"sync"
	"testing"
	"time"
)

// recordingPlatform is the Platform used in tests: it records what the
// facade asked the window to do.
type recordingPlatform struct {
	mu       sync.Mutex
	ctx      context.Context
	events   []recordedEvent
	titles   []string
	notified []string
	notify   error
	closed   int
}

type recordedEvent struct {
	Name string
	Data any
}

func (p *recordingPlatform) Emit(event string, data any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, recordedEvent{event, data})
}

func (p *recordingPlatform) SetTitle(title string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.titles = append(p.titles, title)
}

func (p *recordingPlatform) Notify(title, body string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notify != nil {
		return p.notify
	}
	p.notified = append(p.notified, title+": "+body)
	return nil
}

func (p *recordingPlatform) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed++
}

func (p *recordingPlatform) recorded() []recordedEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]recordedEvent(nil), p.events...)
}

// factory returns a PlatformFactory that hands out p and remembers the
// context it was built from.
func (p *recordingPlatform) factory() PlatformFactory {
	return func(ctx context.Context) Platform {
		p.mu.Lock()
		p.ctx = ctx
		p.mu.Unlock()
		return p
	}
}

// startedApp builds a facade on a pinned clock, starts it with a recording
// platform and shuts it down when the test ends.
func startedApp(t *testing.T, now func() time.Time) (*App, *recordingPlatform) {
	t.Helper()
	p := &recordingPlatform{}
	a := New(Options{Version: "1.2.3", BuildType: "production", Platform: p.factory(), Now: now})
	a.Startup(context.Background())
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	return a, p
}
