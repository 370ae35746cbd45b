// Command emptywindow is the baseline of the desktop memory benchmark
// (backend/desktop/cmd/desktop-bench): a Wails v2 window with the same
// window options as Switchboard's main.go and an empty page, so the
// benchmark can say how much the console adds to what any Wails window
// costs. Build it with -tags desktop,production like the app.
package main

import (
	"embed"
	"log"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

//go:embed index.html
var assets embed.FS

// icon is a copy of build/appicon.png (go:embed cannot reach outside this
// folder): the app sets it as the window icon, so the baseline does too.
//
//go:embed appicon.png
var icon []byte

func main() {
	err := wails.Run(&options.App{
		Title:            "Empty Wails window",
		Width:            1280,
		Height:           820,
		MinWidth:         960,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 17, G: 27, B: 33, A: 255},
		Linux: &linux.Options{
			Icon:             icon,
			ProgramName:      "emptywindow",
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
	if err != nil {
		log.Fatal(err)
	}
}
