// Command tsgen writes the TypeScript the frontend gets from Go besides the
// Wails bindings: frontend/src/lib/generated/
//
//   - events.ts: the names of the events Go sends (app.Events) and each
//     one's payload type;
//   - limits.ts: WhatsApp's limits the composer checks before Go does
//     (backend/whatsapp), counted in the same unit (code points);
//   - enums.ts: the values of Go's string enums the UI offers or switches on
//     (conversation statuses, inbox tabs, …);
//   - types.ts: Go types the UI reads out of raw JSON fields (a template's
//     components), which no bound method carries.
//
// Payload types are the Wails models (frontend/wailsjs/go/models.ts) where
// Wails generates them; a payload no bound method carries gets an interface
// here, built from its Go type by the same rules.
//
// Run it with `go generate ./app` (or `make generate`) after changing the
// event table, a listed limit or enum, or the bindings; `-check` (make
// generate-check, part of make check) fails when the committed files are
// not what it would write.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// outDir is where the files go, relative to the module root.
const outDir = "frontend/src/lib/generated"

func main() {
	root := flag.String("root", "", "the module root (default: the directory holding go.mod, from the working directory up)")
	check := flag.Bool("check", false, "compare the committed files with what would be written, and fail when they differ")
	flag.Parse()
	if err := run(*root, *check); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
}

func run(root string, check bool) error {
	if root == "" {
		var err error
		if root, err = moduleRoot(); err != nil {
			return err
		}
	}
	files, err := generate(root)
	if err != nil {
		return err
	}
	var stale []string
	for _, f := range files {
		path := filepath.Join(root, outDir, f.name)
		if check {
			if have, err := os.ReadFile(path); err != nil || !bytes.Equal(have, f.data) {
				stale = append(stale, filepath.Join(outDir, f.name))
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("%v not current: run make generate and commit the result", stale)
	}
	return nil
}

// file is one generated file.
type file struct {
	name string
	data []byte
}

// renderers write each file from the Go sources under root and the Wails
// models.
var renderers = []struct {
	name   string
	render func(root string, m models) ([]byte, error)
}{
	{"events.ts", eventsFile},
	{"limits.ts", limitsFile},
	{"enums.ts", enumsFile},
	{"types.ts", typesFile},
}

// generate renders every file.
func generate(root string) ([]file, error) {
	m, err := readModels(filepath.Join(root, "frontend/wailsjs/go/models.ts"))
	if err != nil {
		return nil, err
	}
	var files []file
	for _, r := range renderers {
		data, err := r.render(root, m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		files = append(files, file{r.name, data})
	}
	return files, nil
}

// moduleRoot is the nearest directory from the working directory up that
// holds go.mod (go generate runs in the package's directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: pass -root")
		}
		dir = parent
	}
}
