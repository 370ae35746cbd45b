package app

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/backend/apierr"
)

// These tests keep the Go side and the frontend's copies in step: the error
// table and the generated bindings. They read the frontend sources as text,
// so they run without Node. (The event names and limits are generated:
// internal/tsgen's test checks its files are current.)

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

// TestBoundTypesSayTheirTypeScriptType walks every type the bound methods
// take or return: where the Wails generator cannot tell the TypeScript type
// from the Go type (a time.Time is an RFC 3339 string, not any; raw JSON is
// unknown, not number[]; a pointer to a scalar without omitempty can be
// null), the field must say it with a ts_type tag, so
// frontend/wailsjs/go/models.ts describes the JSON the frontend receives.
func TestBoundTypesSayTheirTypeScriptType(t *testing.T) {
	timeType, rawType := reflect.TypeFor[time.Time](), reflect.TypeFor[json.RawMessage]()
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == timeType || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			ts, omitempty := f.Tag.Get("ts_type"), strings.Contains(tag, ",omitempty")
			base := f.Type
			if base.Kind() == reflect.Pointer {
				base = base.Elem()
			}
			where := typ.String() + "." + f.Name
			switch {
			case base == timeType && !strings.HasPrefix(ts, "string"):
				t.Errorf(`%s is a time: tag it ts_type:"string"`, where)
			case f.Type == rawType && ts == "":
				t.Errorf(`%s is raw JSON: tag it ts_type:"unknown" (or the type it holds)`, where)
			case f.Type.Kind() == reflect.Pointer && !omitempty && !strings.Contains(ts, "null") && base.Kind() != reflect.Struct:
				t.Errorf(`%s can be null: tag it ts_type:"<type> | null"`, where)
			}
			walk(f.Type)
		}
	}
	typ := reflect.TypeFor[*App]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if slices.Contains(lifecycle, m.Name) {
			continue
		}
		for j := 1; j < m.Type.NumIn(); j++ {
			walk(m.Type.In(j))
		}
		for j := range m.Type.NumOut() {
			walk(m.Type.Out(j))
		}
	}
	if len(seen) < 10 {
		t.Fatalf("walked only %d types", len(seen))
	}
}
