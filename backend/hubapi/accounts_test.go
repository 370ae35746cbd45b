package hubapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// unconfiguredNumber is a phone_number_id the test hub was not configured
// for: Meta sends webhooks for every number subscribed to the app.
const unconfiguredNumber = "109000000000001"

// postWebhook signs a body with the app secret and posts it to the
// ingress, as Meta would.
func (e *testEnv) postWebhook(body string) response {
	e.t.Helper()
	return e.do("POST", "/webhooks/whatsapp", "", body, "X-Hub-Signature-256", whatsapp.Sign([]byte(e.sb.AppSecret()), []byte(body)))
}

// messageTo is a text webhook from waID to the business number pnid.
func messageTo(pnid, waID, wamid, text string) string {
	return fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{`+
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550009999","phone_number_id":%q},`+
		`"contacts":[{"profile":{"name":"Stranger"},"wa_id":%q}],`+
		`"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		pnid, waID, waID, wamid, time.Now().Unix(), text)
}

// A webhook for a number the hub was not configured for keeps the message
// for admins, flagged, and nobody else hears of it: not in lists, not by
// id, not on the stream. The configured number stays the default.
func TestUnconfiguredNumberIsForAdminsOnly(t *testing.T) {
	e := newEnv(t)
	ours := e.sb.PhoneNumbers()[0].ID
	streams := map[string]*wsClient{
		"admin":      e.mustDial(e.adminUser.token, "since=head"),
		"supervisor": e.mustDial(e.supervisor.token, "since=head"),
		"agent":      e.mustDial(e.agent.token, "since=head"),
	}
	for _, c := range streams {
		c.mustNextKind("live")
	}

	if res := e.postWebhook(messageTo(unconfiguredNumber, "14155550177", "wamid.UNCONFIGURED1", "for the other number")); res.status != 200 {
		t.Fatalf("webhook: %d %s", res.status, res.body)
	}
	// A placeholder id is not a number: refused, nothing stored.
	if res := e.postWebhook(messageTo("PHONE_NUMBER_ID", "14155550178", "wamid.PLACEHOLDER", "x")); res.status != 400 || res.code() != "INVALID_REQUEST" {
		t.Fatalf("placeholder id: %d %s", res.status, res.body)
	}
	marker := e.customerWrites("14155550101", "to the number we serve")

	var accounts struct{ Data []domain.Account }
	e.do("GET", "/v1/accounts", e.adminUser.token, nil).decode(t, &accounts)
	if len(accounts.Data) != 2 {
		t.Fatalf("admin's accounts %+v", accounts.Data)
	}
	for _, a := range accounts.Data {
		if a.Configured != (a.ID == ours) {
			t.Errorf("account %s configured %v", a.ID, a.Configured)
		}
	}
	var convs struct{ Data []domain.Conversation }
	e.do("GET", "/v1/conversations", e.adminUser.token, nil).decode(t, &convs)
	var theirs domain.Conversation
	for _, c := range convs.Data {
		if c.AccountID == unconfiguredNumber {
			theirs = c
		}
	}
	if theirs.ID == 0 || !theirs.AccountUnconfigured {
		t.Fatalf("admin's conversations %+v", convs.Data)
	}
	var msgs struct{ Data []domain.Message }
	e.do("GET", "/v1/messages", e.adminUser.token, nil).decode(t, &msgs)
	flagged := 0
	for _, m := range msgs.Data {
		if m.AccountUnconfigured {
			flagged++
		}
	}
	if flagged != 1 {
		t.Errorf("admin's messages: %d flagged of %d", flagged, len(msgs.Data))
	}
	msgID := msgs.Data[len(msgs.Data)-1].ID
	for _, m := range msgs.Data {
		if m.AccountUnconfigured {
			msgID = m.ID
		}
	}

	// Nothing is sent from the number, whoever asks; the default is still
	// the configured number.
	res := e.do("POST", "/v1/messages", e.adminUser.token, map[string]any{"conversation_id": theirs.ID, "type": "text", "text": map[string]any{"body": "x"}})
	if res.status != 422 || res.code() != "VALIDATION_FAILED" {
		t.Errorf("send from the unconfigured number: %d %s", res.status, res.body)
	}
	res = e.do("POST", "/v1/messages", e.agent.token, map[string]any{"conversation_id": marker.ID, "type": "text", "text": map[string]any{"body": "hello"}})
	if res.status != 202 {
		t.Errorf("default send: %d %s", res.status, res.body)
	}

	for _, who := range []principalInfo{e.supervisor, e.agent} {
		e.do("GET", "/v1/accounts", who.token, nil).decode(t, &accounts)
		if len(accounts.Data) != 1 || accounts.Data[0].ID != ours {
			t.Errorf("%s's accounts %+v", who.email, accounts.Data)
		}
		e.do("GET", "/v1/conversations", who.token, nil).decode(t, &convs)
		for _, c := range convs.Data {
			if c.AccountID == unconfiguredNumber {
				t.Errorf("%s lists the unconfigured number's conversation", who.email)
			}
		}
		e.do("GET", "/v1/messages", who.token, nil).decode(t, &msgs)
		for _, m := range msgs.Data {
			if m.AccountID == unconfiguredNumber {
				t.Errorf("%s lists the unconfigured number's message", who.email)
			}
		}
		for _, path := range []string{
			"/v1/conversations/" + itoa(int(theirs.ID)),
			"/v1/conversations/" + itoa(int(theirs.ID)) + "/messages",
			"/v1/conversations/" + itoa(int(theirs.ID)) + "/notes",
			"/v1/messages/" + itoa(int(msgID)),
			"/v1/messages?conversation_id=" + itoa(int(theirs.ID)),
		} {
			if res := e.do("GET", path, who.token, nil); res.status != 404 {
				t.Errorf("%s GET %s: %d %s", who.email, path, res.status, res.body)
			}
		}
		if res := e.do("POST", "/v1/conversations/"+itoa(int(theirs.ID))+"/notes", who.token, map[string]any{"body": "n"}); res.status != 404 {
			t.Errorf("%s notes the unconfigured number's conversation: %d", who.email, res.status)
		}
	}

	// The stream: admins get the flagged events, the others none of them,
	// though they get the configured number's events around them.
	for name, c := range streams {
		fs := c.until(func(f wsFrame) bool {
			return f.Kind == "event" && f.Event.Type == domain.EventMessageCreated && f.Event.ConversationID == marker.ID
		})
		got := 0
		for _, f := range fs {
			if f.Kind != "event" {
				continue
			}
			about := f.Event.AccountUnconfigured || strings.Contains(string(f.Event.Data), unconfiguredNumber)
			if about && name != "admin" {
				t.Errorf("%s's stream carried %s about the unconfigured number: %s", name, f.Event.Type, f.Event.Data)
			}
			if about && !f.Event.AccountUnconfigured {
				t.Errorf("%s about the unconfigured number is not flagged", f.Event.Type)
			}
			if about {
				got++
			}
		}
		if name == "admin" && got == 0 {
			t.Error("the admin's stream lacks the unconfigured number's events")
		}
	}
}
