// Package democlienttest runs the demo hub (backend/demo) in a test's own
// process and hands it to a console exactly as democlient.Spawn hands over
// the child process it starts: through democlient.Attach, over loopback
// HTTP. Tests get the hub's internals (the sandbox, the admin client) and
// a debugger-friendly single process; the console cannot tell the
// difference. Its own tests run the console against that real hub.
package democlienttest

import (
	"context"
	"log/slog"

	"switchboard/backend/demo"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/democlient"
)

// Starter is a desktop.StartDemoHub that starts demo.Start(cfg) in this
// process, with the folder and logger the console gives it.
func Starter(cfg demo.Config) desktop.StartDemoHub {
	return func(ctx context.Context, dir string, log *slog.Logger) (desktop.DemoHub, error) {
		c := cfg
		c.Dir, c.Log = dir, log
		h, err := demo.Start(ctx, c)
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
func Attach(ctx context.Context, h *demo.Hub, stop func() error) (*democlient.Hub, error) {
	return democlient.Attach(ctx, h.Endpoints(), h.AdminToken(), stop)
}
