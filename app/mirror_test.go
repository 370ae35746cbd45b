package app

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

// These tests keep the Go side and the frontend's copies in step: the error
// table, the event names and the generated bindings. They read the frontend
// sources as text, so they run without Node.

func readFrontend(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile("../frontend/" + path)
	if err != nil {
		t.Fatalf("read frontend file: %v", err)
	}
	return string(b)
}

func TestErrorTableMirroredInFrontend(t *testing.T) {
	src := readFrontend(t, "src/lib/errors.ts")
	entry := regexp.MustCompile(`(?m)^\s*([A-Z_]+):\s*(\d{3}),\s*$`)
	frontend := map[string]int{}
	for _, m := range entry.FindAllStringSubmatch(src, -1) {
		status, _ := strconv.Atoi(m[2])
		frontend[m[1]] = status
	}
	for _, e := range apierr.Table() {
		t.Run(string(e.Code), func(t *testing.T) {
			status, ok := frontend[string(e.Code)]
			if !ok {
				t.Fatalf("%s is missing from frontend/src/lib/errors.ts ERROR_STATUS", e.Code)
			}
			if status != e.Status {
				t.Errorf("frontend says %d, apierr says %d", status, e.Status)
			}
			delete(frontend, string(e.Code))
		})
	}
	for code := range frontend {
		t.Errorf("frontend/src/lib/errors.ts has %s, which apierr does not know", code)
	}
}

func TestEventNamesMirroredInFrontend(t *testing.T) {
	src := readFrontend(t, "src/lib/events.ts")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "events.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names int
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				if !strings.HasPrefix(id.Name, "Event") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", id.Name)
				}
				value, _ := strconv.Unquote(lit.Value)
				names++
				if !strings.Contains(src, "'"+value+"'") {
					t.Errorf("%s = %q is missing from frontend/src/lib/events.ts", id.Name, value)
				}
			}
		}
	}
	if names == 0 {
		t.Fatal("found no Event* constants in events.go")
	}
}

// lifecycle lists the exported methods main.go passes to Wails as hooks;
// Wails exempts those from binding, every other exported method is bound.
var lifecycle = []string{"Startup", "Shutdown"}

func TestBoundMethodsReturnValueAndError(t *testing.T) {
	errType := reflect.TypeFor[error]()
	ctxType := reflect.TypeFor[context.Context]()
	typ := reflect.TypeFor[*App]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if slices.Contains(lifecycle, m.Name) {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			ft := m.Type
			switch {
			case ft.NumOut() == 1 && ft.Out(0) == errType:
			case ft.NumOut() == 2 && ft.Out(1) == errType:
			default:
				t.Errorf("bound method %s must return (T, error) or error, so failures reach the UI as AppError", m.Name)
			}
			for j := 1; j < ft.NumIn(); j++ { // In(0) is the receiver
				if ft.In(j) == ctxType {
					t.Errorf("bound method %s takes a context.Context: JavaScript cannot pass one; use a.lifetime()", m.Name)
				}
			}
		})
	}
}

func TestGeneratedBindingsAreCurrent(t *testing.T) {
	src := readFrontend(t, "wailsjs/go/app/App.d.ts")
	var generated []string
	for _, m := range regexp.MustCompile(`(?m)^export function (\w+)\(`).FindAllStringSubmatch(src, -1) {
		generated = append(generated, m[1])
	}
	var bound []string
	typ := reflect.TypeFor[*App]()
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; !slices.Contains(lifecycle, name) {
			bound = append(bound, name)
		}
	}
	slices.Sort(generated)
	slices.Sort(bound)
	if !slices.Equal(generated, bound) {
		t.Errorf("frontend/wailsjs is stale: generated %v, bound %v; run `make bindings` and commit frontend/wailsjs", generated, bound)
	}
}
