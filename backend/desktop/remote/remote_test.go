package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"switchboard/backend/apierr"
)

func TestSendRequestWireShape(t *testing.T) {
	reply := int64(42)
	cases := []struct {
		name string
		req  SendRequest
		want string
	}{
		{"text", SendRequest{ConversationID: 7, Type: "text", Content: json.RawMessage(`{"body":"hi"}`), ReplyTo: &reply},
			`{"conversation_id":7,"reply_to":42,"text":{"body":"hi"},"type":"text"}`},
		{"image by link", SendRequest{ConversationID: 7, Type: "image", Content: json.RawMessage(`{"link":"https://x/a.jpg"}`)},
			`{"conversation_id":7,"image":{"link":"https://x/a.jpg"},"type":"image"}`},
		{"template", SendRequest{ConversationID: 7, Type: "template", Template: &TemplateSend{Name: "order_update", Language: "en_US", Variables: map[string]string{"1": "Ana"}}},
			`{"conversation_id":7,"template":{"name":"order_update","language":"en_US","variables":{"1":"Ana"}},"type":"template"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.req)
			if err != nil || string(b) != tc.want {
				t.Fatalf("marshal = %s %v\nwant      %s", b, err, tc.want)
			}
			var back SendRequest
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(back)
			if string(again) != tc.want {
				t.Fatalf("round trip = %s", again)
			}
		})
	}
}

func TestConversationPatchBody(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"assignee_id": null}`, `{"assignee_id":null}`},
		{`{"unassign": true}`, `{"assignee_id":null}`},
		{`{"assignee_id": 3, "team": "billing"}`, `{"assignee_id":3,"team":"billing"}`},
		{`{"status": "snoozed", "snoozed_until": "2025-03-01T09:00:00Z"}`, `{"snoozed_until":"2025-03-01T09:00:00Z","status":"snoozed"}`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			var p ConversationPatch
			if err := json.Unmarshal([]byte(tc.in), &p); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(p.Body())
			if string(b) != tc.want {
				t.Fatalf("body = %s, want %s", b, tc.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{Unreachable(errors.New("connection refused")), true},
		{apierr.New(apierr.RateLimited, "slow down"), true},
		{apierr.New(apierr.Unavailable, "starting"), true},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), true},
		{apierr.New(apierr.SessionExpired, "window closed"), false},
		{apierr.New(apierr.OptedOut, "stop"), false},
		{apierr.New(apierr.ValidationFailed, "too long"), false},
		{apierr.New(apierr.Unauthorized, "revoked"), false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := Retryable(tc.err); got != tc.want {
				t.Fatalf("Retryable = %v, want %v", got, tc.want)
			}
		})
	}
}
