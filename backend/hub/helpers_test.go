package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

const (
	testSecret  = "test-app-secret"
	testAccount = "106540352242922"
	testWABA    = "102290129340398"
	testDisplay = "15550783881"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// advClock is a clock tests can move: testClock, or the sandbox's
// ManualClock shared by the hub and the sandbox.
type advClock interface {
	Now() time.Time
	Advance(d time.Duration)
}

type env struct {
	t     testing.TB
	db    *sqlitedb.DB
	st    *sqlitestore.Store
	path  string
	clock advClock
	cfg   Config

	mu  sync.Mutex
	svc *Service
}

// current returns the running service (it changes across reopen).
func (e *env) current() *Service {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.svc
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv opens a service on a fresh database file.
func newEnv(t testing.TB, mod ...func(*Config)) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hub.db")
	e := &env{t: t, path: path, clock: newTestClock()}
	e.cfg = Config{
		Accounts: []domain.Account{{ID: testAccount, WABAID: testWABA, DisplayPhoneNumber: testDisplay,
			VerifiedName: "Test Shop", Status: "CONNECTED", QualityRating: "GREEN", ThroughputMPS: 1000}},
		AppSecret: testSecret, VerifyToken: "verify-me", Clock: e.clock, Logger: quietLogger(),
		RetryBase: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond, TickInterval: time.Hour,
	}
	for _, m := range mod {
		m(&e.cfg)
	}
	if c, ok := e.cfg.Clock.(advClock); ok {
		e.clock = c
	}
	e.open()
	t.Cleanup(func() { e.close() })
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := sqlitedb.Open(e.path, sqlitedb.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.st = sqlitestore.New(db)
	cfg := e.cfg
	cfg.Store = e.st
	svc, err := New(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mu.Lock()
	e.svc = svc
	e.mu.Unlock()
}

func (e *env) close() {
	if e.svc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.svc.Close(ctx)
	e.st.Close()
	e.db.Close()
	e.mu.Lock()
	e.svc = nil
	e.mu.Unlock()
}

func (e *env) reopen() {
	e.close()
	e.open()
}

// ---- webhook bodies ----------------------------------------------------------

var wamidSeq atomic.Int64

func newWAMID() string { return fmt.Sprintf("wamid.TEST%08d", wamidSeq.Add(1)) }

// inbound builds a messages webhook value carrying msgs from waID.
func inbound(waID, name string, msgs ...map[string]any) map[string]any {
	for _, m := range msgs {
		if _, ok := m["from"]; !ok {
			m["from"] = waID
		}
	}
	return map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": testWABA, "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": testDisplay, "phone_number_id": testAccount},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": waID}},
				"messages":          msgs,
			},
		}}}},
	}
}

func textMsg(wamid string, ts time.Time, body string) map[string]any {
	return map[string]any{"id": wamid, "timestamp": strconv.FormatInt(ts.Unix(), 10), "type": "text",
		"text": map[string]any{"body": body}}
}

// statusBody builds a statuses webhook.
func statusBody(statuses ...map[string]any) map[string]any {
	return map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": testWABA, "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": testDisplay, "phone_number_id": testAccount},
				"statuses":          statuses,
			},
		}}}},
	}
}

func status(wamid, st string, ts time.Time, recipient string) map[string]any {
	return map[string]any{"id": wamid, "status": st, "timestamp": strconv.FormatInt(ts.Unix(), 10), "recipient_id": recipient}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ingest signs and ingests a body, failing the test on error.
func (e *env) ingest(v any) {
	e.t.Helper()
	body := mustJSON(e.t, v)
	if err := e.svc.IngestWebhook(context.Background(), body, whatsapp.Sign([]byte(testSecret), body)); err != nil {
		e.t.Fatalf("ingest: %v", err)
	}
}

func (e *env) conversations() []domain.Conversation {
	e.t.Helper()
	page, err := e.svc.ListConversations(context.Background(), ConversationQuery{PageRequest: PageRequest{Limit: 100}})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}
