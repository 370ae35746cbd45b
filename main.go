// Command switchboard is the Switchboard desktop console: a Wails v2 window
// whose UI (frontend/, embedded from frontend/dist) talks to Go through the
// facade in app/.
//
// Build it with the desktop tags (`make desktop`, i.e. go build -tags
// desktop,production); a plain `go build .` produces a binary that only
// prints a Wails error.
package main

import (
	"embed"
	"log/slog"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"switchboard/app"
)

// assets is the built frontend. frontend/dist/.gitkeep is committed so this
// embed (and so go vet / go test) works on a fresh clone before the frontend
// is built; `make frontend` fills it.
//
//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

// version is stamped by the Makefile: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	facade := app.New(app.Options{
		Version:   version,
		BuildType: buildType,
		Platform:  app.NewWailsPlatform,
		// The agent console: its cache in the user's config folder, and the
		// demo hub (switchboard-hub --demo) on first run (see app.DefaultConsole).
		Console: app.DefaultConsole(buildType),
	})

	err := wails.Run(&options.App{
		Title:     app.AppName,
		Width:     1280,
		Height:    820,
		MinWidth:  960,
		MinHeight: 600,
		AssetServer: &assetserver.Options{
			Assets: assets,
		},
		// The frame's background colour, so the window does not flash white
		// before the UI paints in dark mode.
		BackgroundColour: &options.RGBA{R: 17, G: 27, B: 33, A: 255},
		// Method values (not closures) so Wails also exempts them from binding.
		OnStartup: facade.Startup,
		// Wails itself turns SIGINT/SIGTERM into a clean quit, so Shutdown
		// also runs when the session ends or Ctrl+C hits `make run`.
		OnShutdown:     facade.Shutdown,
		ErrorFormatter: app.FormatError,
		Bind:           []any{facade},
		Linux: &linux.Options{
			Icon:        icon,
			ProgramName: "switchboard",
			// Software rendering: the console is text, and GPU compositing
			// in WebKitGTK paints blank windows on some drivers and under Xvfb.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
	if err != nil {
		slog.Error("switchboard failed", "err", err)
		os.Exit(1)
	}
}
