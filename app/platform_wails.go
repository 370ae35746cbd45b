package app

import (
	"context"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// WailsPlatform is the Platform backed by the Wails runtime. It is only ever
// built from the context Wails hands to OnStartup (see NewWailsPlatform),
// which is the one context the runtime functions accept.
type WailsPlatform struct {
	ctx context.Context

	// Notifications need a one-time setup that talks to D-Bus on Linux; it is
	// done on first use so a desktop without a notification service still
	// starts.
	notifyOnce sync.Once
	notifyErr  error
}

// NewWailsPlatform is the PlatformFactory for the real window. Pass it to
// Options.Platform in main.go; never call it with any other context.
func NewWailsPlatform(ctx context.Context) Platform {
	return &WailsPlatform{ctx: ctx}
}

// Emit sends an event to the frontend through the Wails event bus.
func (p *WailsPlatform) Emit(event string, data any) {
	runtime.EventsEmit(p.ctx, event, data)
}

// SetTitle sets the window title.
func (p *WailsPlatform) SetTitle(title string) {
	runtime.WindowSetTitle(p.ctx, title)
}

// Notify shows a desktop notification.
func (p *WailsPlatform) Notify(title, body string) error {
	p.notifyOnce.Do(func() {
		p.notifyErr = runtime.InitializeNotifications(p.ctx)
	})
	if p.notifyErr != nil {
		return p.notifyErr
	}
	return runtime.SendNotification(p.ctx, runtime.NotificationOptions{
		ID:    "switchboard",
		Title: title,
		Body:  body,
	})
}

// Close releases the notification service's D-Bus connection, if one was
// opened (Wails makes this a no-op otherwise). The facade calls it on
// shutdown.
func (p *WailsPlatform) Close() {
	runtime.CleanupNotifications(p.ctx)
}
