package sqlitestore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/sqlitedb"
)

// oldDatabase makes a hub database as the code before the move left it:
// the hub's migration 1 under component "hub" and package hubapi's own
// migrations (read from testdata, exactly as released) under component
// "hubapi", up to hubapiVersion.
func oldDatabase(t *testing.T, hubapiVersion int) *sqlitedb.DB {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "hub.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.Migrate(ctx, Component, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	var old []sqlitedb.Migration
	for v := 1; v <= hubapiVersion; v++ {
		sql, err := os.ReadFile(filepath.Join("testdata", "hubapi_migration_"+itoa(int64(v))+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, sqlitedb.Migration{Version: v, Name: "hubapi " + itoa(int64(v)), SQL: string(sql)})
	}
	if err := db.Migrate(ctx, "hubapi", old); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestAdoptsTheHubAPITables opens a database migrated by the old code, with
// a row in every table package hubapi owned, and checks that the store
// takes the tables over without losing or misreading anything.
func TestAdoptsTheHubAPITables(t *testing.T) {
	db := oldDatabase(t, 2)
	// Rows as the old code wrote them (its time format included).
	for _, q := range []string{
		`INSERT INTO users (id, email, name, role, teams, password_hash, disabled, created_at, updated_at)
			VALUES (7, 'Ana@Example.com', 'Ana', 'supervisor', '["sales"]', '$2a$04$hash', 0,
			'2026-03-02T09:00:00.000000000Z', '2026-03-02T09:30:00.000000000Z')`,
		`INSERT INTO tokens (id, hash, prefix, name, kind, user_id, role, scopes, created_at, expires_at, last_used_at)
			VALUES (3, 'abc123', 'sbt_abcdef', 'laptop', 'login', 7, 'supervisor', 'whatsapp:read whatsapp:write',
			'2026-03-02T09:00:00.000000000Z', '2026-04-01T09:00:00.000000000Z', '2026-03-03T10:00:00.000000000Z')`,
		`INSERT INTO login_failures (email, at) VALUES ('ana@example.com', '2026-03-02T09:00:00.000000000Z')`,
		`INSERT INTO webhook_subscriptions (id, url, secret, events, cursor, failures, last_error, created_at, updated_at)
			VALUES (4, 'https://crm.example.com/hook', 'whsec_0123456789abcdef', 'message.created', 42, 1, 'answered 500',
			'2026-03-02T09:00:00.000000000Z', '2026-03-02T09:00:00.000000000Z')`,
		`INSERT INTO webhook_attempts (subscription_id, seq, attempt, status, error, duration_ms, at)
			VALUES (4, 43, 1, 500, 'answered 500', 12, '2026-03-02T09:01:00.000000000Z')`,
		`INSERT INTO delivery_jobs (id, account_id, template, language, created_by, author_id, state, total, created_at)
			VALUES (9, 'acct-1', 'promo', 'en', 'user:7', 7, 'running', 2, '2026-03-02T09:00:00.000000000Z')`,
		`INSERT INTO delivery_recipients (job_id, row, input_phone, phone, variables, state, reason, detail, message_id, updated_at)
			VALUES (9, 1, '+1 415 555 0101', '+14155550101', '{"1":"Ana"}', 'in_progress', '', '', 55, '2026-03-02T09:00:00.000000000Z'),
			       (9, 2, 'nope', '', '{}', 'processed_ko', 'invalid_number', 'not a number', NULL, '2026-03-02T09:00:00.000000000Z')`,
		`INSERT INTO media_uploads (key, account_id, sha256, data, created_at)
			VALUES ('user:7:k1', 'acct-1', 'feed', '{"id":"m1","mime_type":"image/png","file_size":3,"sha256":"feed","filename":"a.png"}',
			'2026-03-02T09:00:00.000000000Z')`,
	} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}

	s := New(db)
	defer s.Close()
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Version(ctx, Component); err != nil || v != len(migrations) {
		t.Fatalf("hub schema version = %d, %v; want %d", v, err, len(migrations))
	}
	if v, err := db.Version(ctx, "hubapi"); err != nil || v != 0 {
		t.Fatalf("hubapi rows left in schema_migrations: version %d, %v", v, err)
	}

	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	u, err := s.FindUserByEmail(ctx, "ana@example.com")
	if err != nil || u.ID != 7 || u.Name != "Ana" || u.Role != domain.RoleSupervisor || len(u.Teams) != 1 ||
		u.PasswordHash != "$2a$04$hash" || !u.UpdatedAt.Equal(at("2026-03-02T09:30:00Z")) {
		t.Fatalf("user = %+v, %v", u, err)
	}
	tk, err := s.FindToken(ctx, "abc123")
	if err != nil || tk.ID != 3 || tk.UserID == nil || *tk.UserID != 7 || len(tk.Scopes) != 2 ||
		tk.ExpiresAt == nil || !tk.ExpiresAt.Equal(at("2026-04-01T09:00:00Z")) || tk.LastUsedAt == nil || tk.RevokedAt != nil {
		t.Fatalf("token = %+v, %v", tk, err)
	}
	var failures []time.Time
	if err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		failures, err = tx.LoginFailuresSince(ctx, "ANA@example.com", at("2026-03-02T08:00:00Z"), 10)
		return err
	}); err != nil || len(failures) != 1 {
		t.Fatalf("login failures = %v, %v", failures, err)
	}
	hooks, err := s.ListWebhooks(ctx)
	if err != nil || len(hooks) != 1 || hooks[0].Cursor != 42 || hooks[0].Failures != 1 || hooks[0].Events[0] != "message.created" {
		t.Fatalf("webhooks = %+v, %v", hooks, err)
	}
	if as, err := s.WebhookAttempts(ctx, 4, 10); err != nil || len(as) != 1 || as[0].Duration != 12*time.Millisecond {
		t.Fatalf("attempts = %+v, %v", as, err)
	}
	d, err := s.GetDelivery(ctx, 9)
	if err != nil || d.CreatedBy != "user:7" || d.Progress.InProgress != 1 || d.Progress.ProcessedKO != 1 || d.Progress.Total != 2 {
		t.Fatalf("delivery = %+v, %v", d, err)
	}
	rs, err := s.ListRecipients(ctx, 9, store.RecipientFilter{})
	if err != nil || len(rs.Items) != 2 || rs.Items[0].Variables["1"] != "Ana" || *rs.Items[0].MessageID != 55 {
		t.Fatalf("recipients = %+v, %v", rs, err)
	}
	up, err := s.MediaUploadByKey(ctx, "user:7:k1")
	if err != nil || up.Media.ID != "m1" || up.Media.FileSize != 3 {
		t.Fatalf("upload = %+v, %v", up, err)
	}
	// And the adopted tables take new rows next to the old ones.
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.InsertUser(ctx, &store.User{User: domain.User{Email: "bo@example.com", Name: "Bo", Role: domain.RoleAgent,
			CreatedAt: at("2026-03-04T09:00:00Z"), UpdatedAt: at("2026-03-04T09:00:00Z")}})
	}); err != nil {
		t.Fatal(err)
	}
	// Migrating again changes nothing.
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAdoptsADatabaseWithoutMediaUploads covers a hub migrated before
// hubapi's second step: the missing table is created.
func TestAdoptsADatabaseWithoutMediaUploads(t *testing.T) {
	db := oldDatabase(t, 1)
	s := New(db)
	defer s.Close()
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.InsertMediaUpload(ctx, store.MediaUpload{Key: "k", AccountID: "a", SHA256: "x", CreatedAt: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
