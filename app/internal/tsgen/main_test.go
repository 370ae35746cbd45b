package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestGeneratedFilesAreCurrent fails when frontend/src/lib/generated is not
// what the Go side generates now (the event table, a limit, an enum or the
// bindings changed without make generate).
func TestGeneratedFilesAreCurrent(t *testing.T) {
	if err := run("../../..", true); err != nil {
		t.Fatal(err)
	}
}

type inner struct {
	N int `json:"n"`
}

type Embedded struct {
	Flat string `json:"flat"`
}

type sample struct {
	Embedded
	ID       int64             `json:"id"`
	At       time.Time         `json:"at"`
	Raw      json.RawMessage   `json:"raw"`
	Maybe    *int64            `json:"maybe" ts_type:"number | null"`
	Opt      string            `json:"opt,omitempty"`
	Tags     map[string]int    `json:"tags"`
	Bound    []bound           `json:"bound"`
	Own      *inner            `json:"own"`
	Grid     [][]string        `json:"grid"`
	Bytes    []byte            `json:"bytes"`
	Hidden   string            `json:"-"`
	private  string            // unexported: not JSON
	Dotted   bool              `json:"a.b"`
	Lookup   map[string]*inner `json:"lookup,omitempty"`
	Whatever any               `json:"whatever"`
}

// bound stands for a type the Wails models declare.
type bound struct{}

func TestTypeScriptFollowsEncodingJSON(t *testing.T) {
	ts := newTypeScript(models{"main.bound": true})
	got, err := ts.expr(reflect.TypeFor[sample]())
	if err != nil {
		t.Fatal(err)
	}
	if got != "MainSample" {
		t.Errorf("name = %s", got)
	}
	want := `/** main.sample (Go), which no bound method carries, so Wails does not generate it. */
export interface MainSample {
  flat: string;
  id: number;
  at: string;
  raw: unknown;
  maybe?: number | null;
  opt?: string;
  tags: Record<string, number>;
  bound: main.bound[];
  own?: MainInner;
  grid: string[][];
  bytes: string;
  'a.b': boolean;
  lookup?: Record<string, MainInner>;
  whatever: unknown;
}
`
	if len(ts.decls) != 2 || ts.decls[1] != want {
		t.Errorf("declarations:\n%s\nwant (second):\n%s", strings.Join(ts.decls, "\n"), want)
	}
	if !ts.imports["main"] {
		t.Error("the models namespace is not imported")
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"conversation.removed": "conversationRemoved", "app.pinged": "appPinged", "sync.state": "syncState"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"MaxTextBody": "MAX_TEXT_BODY", "MaxCTADisplayText": "MAX_CTA_DISPLAY_TEXT", "MaxPingNote": "MAX_PING_NOTE"} {
		if got := upperSnake(in); got != want {
			t.Errorf("upperSnake(%q) = %q, want %q", in, got, want)
		}
	}
	if got := quote(`it's "x"`); got != `'it\'s "x"'` {
		t.Errorf("quote = %s", got)
	}
}
