package app

import (
	"context"
	"sync"
)

// Platform is everything the facade asks of the window system: events to the
// frontend, the window title and desktop notifications.
//
// The Wails runtime exits the process when it is handed a context that did
// not come from Wails itself, so nothing in app/ calls it directly. Instead
// the facade talks to a Platform: WailsPlatform in the real window and a
// recording fake in tests. Services in backend/ never see a Platform at all;
// they take an Emitter.
type Platform interface {
	// Emit sends a named event (one listed in Events) with a JSON-able
	// payload to the frontend.
	Emit(event string, data any)
	// SetTitle sets the window title, e.g. to show an unread count.
	SetTitle(title string)
	// Notify shows a desktop notification; it fails when the desktop has no
	// notification service, which callers treat as "not shown", not fatal.
	Notify(title, body string) error
}

// Emitter is the one capability services need from the window: sending an
// event to the frontend. It is narrower than Platform on purpose, so backend
// services can be wired to the facade, a web server or a test alike.
type Emitter interface {
	Emit(event string, data any)
}

// platformSlot holds the Platform once Wails has started. Events emitted
// before OnStartup (services may start first) have no window to go to and
// are dropped: the frontend asks for current state when it mounts.
type platformSlot struct {
	mu sync.RWMutex
	p  Platform
}

func (s *platformSlot) set(p Platform) {
	s.mu.Lock()
	s.p = p
	s.mu.Unlock()
}

func (s *platformSlot) get() Platform {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.p
}

// Emit forwards to the current platform, if there is one yet.
func (s *platformSlot) Emit(event string, data any) {
	if p := s.get(); p != nil {
		p.Emit(event, data)
	}
}

// PlatformFactory builds the Platform from the context Wails passes to
// OnStartup. It is a factory rather than a value because that context is the
// only one the Wails runtime accepts and it exists only once the window does.
type PlatformFactory func(ctx context.Context) Platform
