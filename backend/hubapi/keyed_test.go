package hubapi

import (
	"testing"

	"switchboard/backend/domain"
)

// TestKeyedWrites: a conversation change, a note and a read mark retried
// with the same Idempotency-Key (the console's outbox retries every write
// whose answer it did not hear) take effect once and answer as the first
// time; the same key with another body is a conflict.
func TestKeyedWrites(t *testing.T) {
	e := newEnv(t)
	conv := e.customerWrites("14155550111", "hello")
	path := "/v1/conversations/" + itoa(int(conv.ID))

	t.Run("a replayed close does not close again after the customer reopened it", func(t *testing.T) {
		first := e.do("PATCH", path, e.agent.token, map[string]any{"status": "closed"}, "Idempotency-Key", "close-1")
		if first.status != 200 || dataOf[domain.Conversation](t, first).Status != domain.StatusClosed {
			t.Fatalf("close: %d %s", first.status, first.body)
		}
		e.customerWrites("14155550111", "one more thing")
		e.eventually(func() bool {
			return dataOf[domain.Conversation](t, e.do("GET", path, e.agent.token, nil)).Status == domain.StatusOpen
		}, "the customer's message reopens the conversation")
		again := e.do("PATCH", path, e.agent.token, map[string]any{"status": "closed"}, "Idempotency-Key", "close-1")
		if again.status != 200 || dataOf[domain.Conversation](t, again).Status != domain.StatusClosed {
			t.Fatalf("retry answers the first answer: %d %s", again.status, again.body)
		}
		if st := dataOf[domain.Conversation](t, e.do("GET", path, e.agent.token, nil)).Status; st != domain.StatusOpen {
			t.Fatalf("the retry changed the conversation: %s", st)
		}
		if r := e.do("PATCH", path, e.agent.token, map[string]any{"status": "pending"}, "Idempotency-Key", "close-1"); r.code() != "IDEMPOTENCY_CONFLICT" {
			t.Fatalf("another body with the key: %d %s", r.status, r.body)
		}
	})

	t.Run("a retried note is added once", func(t *testing.T) {
		body := map[string]any{"body": "VIP customer"}
		first := e.do("POST", path+"/notes", e.agent.token, body, "Idempotency-Key", "note-1")
		second := e.do("POST", path+"/notes", e.agent.token, body, "Idempotency-Key", "note-1")
		if first.status != 201 || second.status != 201 {
			t.Fatalf("notes: %d %s / %d %s", first.status, first.body, second.status, second.body)
		}
		if a, b := dataOf[domain.Note](t, first).ID, dataOf[domain.Note](t, second).ID; a != b {
			t.Fatalf("two notes: %d and %d", a, b)
		}
		if n := len(dataOf[[]domain.Note](t, e.do("GET", path+"/notes", e.agent.token, nil))); n != 1 {
			t.Fatalf("%d notes stored", n)
		}
		if r := e.do("POST", path+"/notes", e.agent.token, map[string]any{"body": "other"}, "Idempotency-Key", "note-1"); r.code() != "IDEMPOTENCY_CONFLICT" {
			t.Fatalf("another body with the key: %d %s", r.status, r.body)
		}
		// Keys are the caller's: the supervisor's note-1 is another note.
		if r := e.do("POST", path+"/notes", e.supervisor.token, body, "Idempotency-Key", "note-1"); r.status != 201 || dataOf[domain.Note](t, r).ID == dataOf[domain.Note](t, first).ID {
			t.Fatalf("another caller's key: %d %s", r.status, r.body)
		}
	})

	t.Run("a retried read mark sends one read receipt", func(t *testing.T) {
		msgs := dataOf[[]domain.Message](t, e.do("GET", path+"/messages", e.agent.token, nil))
		var in domain.Message
		for _, m := range msgs {
			if m.Direction == domain.Inbound {
				in = m
				break
			}
		}
		before := e.graph.count("POST messages")
		read := "/v1/messages/" + itoa(int(in.ID)) + "/read"
		if r := e.do("POST", read, e.agent.token, nil, "Idempotency-Key", "read-1"); r.status != 200 {
			t.Fatalf("read: %d %s", r.status, r.body)
		}
		if r := e.do("POST", read, e.agent.token, nil, "Idempotency-Key", "read-1"); r.status != 200 {
			t.Fatalf("retried read: %d %s", r.status, r.body)
		}
		if n := e.graph.count("POST messages") - before; n != 1 {
			t.Fatalf("%d read receipts reached the Cloud API, want 1", n)
		}
	})
}
