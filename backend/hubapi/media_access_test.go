package hubapi

import (
	"encoding/json"
	"net/url"
	"testing"

	"switchboard/backend/sandbox"
)

// inboundMedia makes a customer send an image and returns its media id
// and conversation.
func (e *testEnv) inboundMedia(waID string) (string, int64) {
	e.t.Helper()
	if _, err := e.sb.CustomerSend(waID, sandbox.InboundMessage{Type: "image", Text: "look", ProfileName: "Ana"}); err != nil {
		e.t.Fatal(err)
	}
	var id string
	var conv int64
	e.eventually(func() bool {
		ms := dataOf[[]struct {
			ConversationID int64           `json:"conversation_id"`
			Content        json.RawMessage `json:"content"`
		}](e.t, e.do("GET", "/v1/messages?phone=%2B"+waID+"&type=image", e.admin, nil))
		if len(ms) == 0 {
			return false
		}
		var c struct {
			ID string `json:"id"`
		}
		json.Unmarshal(ms[0].Content, &c)
		id, conv = c.ID, ms[0].ConversationID
		return id != ""
	}, "the image from %s", waID)
	return id, conv
}

// TestMediaIDsTheHubNeverSawNeverReachGraph: an id the hub has not seen in
// a message or an upload is NOT_FOUND, and no request for it, or for what
// its path segment could mean to Graph, is made with the business token.
func TestMediaIDsTheHubNeverSawNeverReachGraph(t *testing.T) {
	e := newEnv(t)
	e.inboundMedia("14155550101") // one the hub has seen, so the lookup is not trivially empty
	for _, c := range []struct{ path, graph string }{
		{"/v1/media/%2e%2e", "GET .."},
		{"/v1/media/..", "GET .."},
		{"/v1/media/me", "GET me"},
		{"/v1/media/" + url.PathEscape("../../me"), "GET me"},
		{"/v1/media/999999999", "GET 999999999"},
		{"/v1/media/0999", "GET 0999"},
	} {
		res := e.do("GET", c.path, e.supervisor.token, nil)
		if res.code() != "NOT_FOUND" {
			t.Errorf("%s: %d %s", c.path, res.status, res.body)
		}
		if n := e.graph.count(c.graph); n != 0 {
			t.Errorf("%s made %d Graph request(s) %q", c.path, n, c.graph)
		}
	}
}

// TestMediaFollowsConversationVisibility: an agent fetches the media of
// their own and unassigned conversations and their own uploads, not a
// colleague's; supervisors fetch all of it.
func TestMediaFollowsConversationVisibility(t *testing.T) {
	e := newEnv(t)
	theirs, conv := e.inboundMedia("14155550101")
	if res := e.do("PATCH", "/v1/conversations/"+itoa(int(conv)), e.supervisor.token, map[string]any{"assignee_id": e.agent2.id}); res.status != 200 {
		t.Fatalf("assign: %d %s", res.status, res.body)
	}
	unassigned, _ := e.inboundMedia("14155550102")
	up := e.uploadMedia(e.agent.token, file("photo.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 the agent's photo")))
	if up.status != 201 {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}
	own := dataOf[UploadedMedia](t, up).ID
	for _, c := range []struct {
		who, token, media string
		ok                bool
	}{
		{"agent, colleague's conversation", e.agent.token, theirs, false},
		{"assignee", e.agent2.token, theirs, true},
		{"supervisor", e.supervisor.token, theirs, true},
		{"agent, unassigned conversation", e.agent.token, unassigned, true},
		{"uploader", e.agent.token, own, true},
		{"another agent, an upload not sent", e.agent2.token, own, false},
		{"supervisor, an upload", e.supervisor.token, own, true},
		{"admin token, an upload", e.admin, own, true},
	} {
		res := e.do("GET", "/v1/media/"+c.media, c.token, nil)
		if c.ok && res.status != 200 {
			t.Errorf("%s: %d %s", c.who, res.status, res.body)
		}
		if !c.ok && res.code() != "NOT_FOUND" {
			t.Errorf("%s: %d, want NOT_FOUND", c.who, res.status)
		}
	}
	// Sent in the unassigned conversation, the upload is everyone's who
	// sees that conversation.
	_, unassignedConv := e.inboundMedia("14155550102")
	res := e.do("POST", "/v1/messages", e.agent.token, map[string]any{"conversation_id": unassignedConv, "type": "image", "image": map[string]any{"id": own}})
	if res.status != 202 {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	if res := e.do("GET", "/v1/media/"+own, e.agent2.token, nil); res.status != 200 {
		t.Fatalf("a sent upload, in a conversation the colleague sees: %d %s", res.status, res.body)
	}
}
