package hubapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"switchboard/backend/sandbox"
)

func TestMediaProxyAndCache(t *testing.T) {
	e := newEnv(t)
	if _, err := e.sb.CustomerSend("14155550101", sandbox.InboundMessage{Type: "image", Text: "look", ProfileName: "Ana"}); err != nil {
		t.Fatal(err)
	}
	var mediaID string
	e.eventually(func() bool {
		r := e.do("GET", "/v1/messages?phone=%2B14155550101&type=image", e.agent.token, nil)
		ms := dataOf[[]struct {
			Content json.RawMessage `json:"content"`
		}](t, r)
		if len(ms) == 0 {
			return false
		}
		var c struct {
			ID string `json:"id"`
		}
		json.Unmarshal(ms[0].Content, &c)
		mediaID = c.ID
		return mediaID != ""
	}, "the image message")

	get := func(u string, header bool) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", u, nil)
		if header {
			req.Header.Set("Authorization", "Bearer "+e.agent.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, first := get(e.url+"/v1/media/"+url.PathEscape(mediaID), true)
	if res.StatusCode != 200 || len(first) == 0 {
		t.Fatalf("media: %d %d bytes", res.StatusCode, len(first))
	}
	if ct := res.Header.Get("Content-Type"); ct != "image/jpeg" && ct != "image/png" && ct != "image/webp" {
		t.Errorf("content type %q", ct)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	if _, err := os.Stat(filepath.Join(e.srv.media.dir, mediaKey(mediaID))); err != nil {
		t.Fatalf("not cached: %v", err)
	}
	// Served from the cache once Meta's side is gone, with the token in
	// the query as an <img> tag would send it.
	e.sb.Close()
	res, again := get(e.url+"/v1/media/"+url.PathEscape(mediaID)+"?access_token="+url.QueryEscape(e.agent.token), false)
	if res.StatusCode != 200 || string(again) != string(first) {
		t.Fatalf("cached media: %d, %d bytes", res.StatusCode, len(again))
	}
	// Ranges work (audio and video players ask for them).
	req, _ := http.NewRequest("GET", e.url+"/v1/media/"+url.PathEscape(mediaID), nil)
	req.Header.Set("Authorization", "Bearer "+e.agent.token)
	req.Header.Set("Range", "bytes=0-9")
	rr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rr.Body.Close()
	if rr.StatusCode != http.StatusPartialContent {
		t.Fatalf("range: %d", rr.StatusCode)
	}
	for _, c := range []struct {
		path string
		code string
	}{
		{"/v1/media/" + url.PathEscape("../../etc/passwd"), "NOT_FOUND"},
		{"/v1/media/999999999", "NOT_FOUND"}, // never seen by the hub
	} {
		if r := e.do("GET", c.path, e.agent.token, nil); r.code() != c.code {
			t.Errorf("%s: %d %s", c.path, r.status, r.body)
		}
	}
	// Only the query parameter route accepts access_token.
	if r := e.do("GET", "/v1/me?access_token="+url.QueryEscape(e.agent.token), "", nil); r.code() != "UNAUTHORIZED" {
		t.Errorf("access_token accepted on /v1/me: %d", r.status)
	}
}

func TestIdempotentSend(t *testing.T) {
	e := newEnv(t)
	conv := e.customerWrites("14155550101", "hello")
	body := map[string]any{"conversation_id": conv.ID, "type": "text", "text": map[string]string{"body": "once"}}
	first := e.do("POST", "/v1/messages", e.agent.token, body, "Idempotency-Key", "k-1")
	if first.status != 202 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	m1 := dataOf[struct{ ID int64 }](t, first)
	// The same user retrying with a new token (signed in again) gets the
	// same message.
	again := e.user("alex2@example.com", "x", "agent") // another user, to compare
	relogin := e.do("POST", "/v1/login", "", map[string]string{"email": "alex@example.com", "password": testPassword})
	tok := dataOf[LoginResult](t, relogin).Token
	second := e.do("POST", "/v1/messages", tok, body, "Idempotency-Key", "k-1")
	if second.status != 202 || dataOf[struct{ ID int64 }](t, second).ID != m1.ID {
		t.Fatalf("retry: %d %s (first %d)", second.status, second.body, m1.ID)
	}
	// A different body with the same key is a conflict.
	body2 := map[string]any{"conversation_id": conv.ID, "type": "text", "text": map[string]string{"body": "twice"}}
	if r := e.do("POST", "/v1/messages", e.agent.token, body2, "Idempotency-Key", "k-1"); r.code() != "IDEMPOTENCY_CONFLICT" {
		t.Fatalf("conflict: %d %s", r.status, r.body)
	}
	// Keys belong to the caller: another user's k-1 is theirs.
	e.do("PATCH", "/v1/conversations/"+itoa(int(conv.ID)), e.supervisor.token, map[string]any{"assignee_id": nil})
	third := e.do("POST", "/v1/messages", again.token, body, "Idempotency-Key", "k-1")
	if third.status != 202 || dataOf[struct{ ID int64 }](t, third).ID == m1.ID {
		t.Fatalf("another caller's key: %d %s", third.status, third.body)
	}
	// Exactly two messages reached the customer.
	e.eventually(func() bool { return len(e.sb.Messages("14155550101", 10)) >= 3 }, "the sends")
	out := 0
	for _, m := range e.sb.Messages("14155550101", 10) {
		if m.Direction == "outbound" {
			out++
		}
	}
	if out != 2 {
		t.Fatalf("%d messages sent, want 2", out)
	}
}
