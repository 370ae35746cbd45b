// Package embeddedtest runs the demo hub in a test's own process and hands
// it to a console exactly as demohub.Spawn hands over the child process
// it starts: through demohub.Attach, over loopback HTTP. Tests get the
// hub's internals (the sandbox, the admin client) and a debugger-friendly
// single process; the console cannot tell the difference.
package embeddedtest

import (
	"context"
	"log/slog"

	"switchboard/backend/desktop"
	"switchboard/backend/desktop/demohub"
	"switchboard/backend/desktop/embedded"
)

// Starter is a desktop.StartEmbedded that starts embedded.Start(cfg) in
// this process, with the folder and logger the console gives it.
func Starter(cfg embedded.Config) desktop.StartEmbedded {
	return func(ctx context.Context, dir string, log *slog.Logger) (desktop.EmbeddedHub, error) {
		c := cfg
		c.Dir, c.Log = dir, log
		h, err := embedded.Start(ctx, c)
		if err != nil {
			return nil, err
		}
		d, err := Attach(ctx, h, h.Close)
		if err != nil {
			h.Close()
			return nil, err
		}
		return d, nil
	}
}

// Attach drives h as the console does. stop, if not nil, runs on Close.
func Attach(ctx context.Context, h *embedded.Hub, stop func() error) (*demohub.Hub, error) {
	return demohub.Attach(ctx, demohub.Endpoints{HubURL: h.URL(), SandboxURL: h.SandboxURL()}, h.AdminToken(), stop)
}
