package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestEveryCodeHasAnEntry(t *testing.T) {
	seen := map[Code]bool{}
	for _, e := range Table() {
		if seen[e.Code] {
			t.Fatalf("duplicate code %s", e.Code)
		}
		seen[e.Code] = true
		if e.Status < 400 || e.Status > 599 {
			t.Errorf("%s: status %d is not an error status", e.Code, e.Status)
		}
		if e.Title == "" {
			t.Errorf("%s: no title", e.Code)
		}
	}
}

func TestAsAndIs(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   Code
		status int
	}{
		{"direct", New(OptedOut, "contact %s opted out", "+15550001"), OptedOut, http.StatusUnprocessableEntity},
		{"wrapped by fmt", fmt.Errorf("send: %w", New(SessionExpired, "window closed")), SessionExpired, http.StatusUnprocessableEntity},
		{"plain error hides as internal", errors.New("disk on fire"), Internal, http.StatusInternalServerError},
		{"field error", Field(ValidationFailed, "text.body", "too long"), ValidationFailed, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := As(tt.err)
			if e.Code != tt.code || e.Status() != tt.status {
				t.Fatalf("got %s/%d, want %s/%d", e.Code, e.Status(), tt.code, tt.status)
			}
			if !errors.Is(tt.err, tt.code.Err()) && tt.code != Internal {
				t.Fatalf("errors.Is(%v, %s) = false", tt.err, tt.code)
			}
		})
	}
}

func TestInternalNeverLeaksCause(t *testing.T) {
	env := As(errors.New("password=hunter2")).Envelope()
	b, _ := json.Marshal(env)
	if got := string(b); got != `{"error":{"code":"INTERNAL","message":"internal error","doc_url":"/docs/errors#INTERNAL"}}` {
		t.Fatalf("envelope = %s", got)
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	in := Field(TemplateParamsMismatch, "template.variables", "expected 2 body variables, got 1")
	b, err := json.Marshal(in.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	out := env.Error.Err()
	if out.Code != in.Code || out.Message != in.Message || out.Field != in.Field {
		t.Fatalf("round trip: %+v != %+v", out, in)
	}
	if !errors.Is(out, TemplateParamsMismatch.Err()) {
		t.Fatal("decoded error does not match its code")
	}
}
