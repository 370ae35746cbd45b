package sqlitestore

import "switchboard/backend/sqlitedb"

// Component is the name the hub's migrations are recorded under in
// schema_migrations.
const Component = "hub"

// migrations is append-only: a released step is never edited, only followed.
//
// Times are INTEGER Unix nanoseconds (UTC), so ordering and range scans are
// integer comparisons. JSON columns hold exactly what was received or will be
// sent. Every table is STRICT.
var migrations = []sqlitedb.Migration{
	{Version: 1, Name: "messaging core", SQL: `
CREATE TABLE hub_accounts (
	id                   TEXT PRIMARY KEY,
	waba_id              TEXT NOT NULL DEFAULT '',
	display_phone_number TEXT NOT NULL DEFAULT '',
	verified_name        TEXT NOT NULL DEFAULT '',
	status               TEXT NOT NULL DEFAULT '',
	quality_rating       TEXT NOT NULL DEFAULT '',
	throughput_mps       INTEGER NOT NULL DEFAULT 0,
	messages_in          INTEGER NOT NULL DEFAULT 0,
	messages_out         INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
	id           INTEGER PRIMARY KEY,
	phone        TEXT UNIQUE,            -- canonical E.164; NULL when only user_id is known
	wa_id        TEXT NOT NULL DEFAULT '', -- the wa_id the customer last wrote from
	user_id      TEXT UNIQUE,            -- business-scoped user id
	name         TEXT NOT NULL DEFAULT '',
	profile_name TEXT NOT NULL DEFAULT '',
	opted_out    INTEGER NOT NULL DEFAULT 0,
	opted_out_at INTEGER,
	attributes   TEXT,                   -- JSON object
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_opted_out ON contacts(id) WHERE opted_out = 1;

CREATE TABLE contact_phone_history (
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	phone      TEXT NOT NULL,
	until      INTEGER NOT NULL,
	PRIMARY KEY (contact_id, phone)
) STRICT;
CREATE INDEX contact_phone_history_phone ON contact_phone_history(phone);

CREATE TABLE conversations (
	id                INTEGER PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES hub_accounts(id),
	contact_id        INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	status            TEXT NOT NULL,
	assignee_id       INTEGER,
	team              TEXT NOT NULL DEFAULT '',
	snoozed_until     INTEGER,
	window_expires_at INTEGER,
	last_inbound_at   INTEGER,
	last_outbound_at  INTEGER,
	unanswered        INTEGER NOT NULL DEFAULT 0,
	waiting_since     INTEGER,
	unread_count      INTEGER NOT NULL DEFAULT 0,
	last_message      TEXT,              -- JSON MessagePreview
	last_activity_at  INTEGER NOT NULL,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	UNIQUE (account_id, contact_id)
) STRICT;
CREATE INDEX conversations_contact ON conversations(contact_id);
CREATE INDEX conversations_activity ON conversations(last_activity_at DESC, id DESC);
-- Serves the oldest-waiting counter by an index seek, never a scan.
CREATE INDEX conversations_waiting ON conversations(waiting_since)
	WHERE unanswered = 1 AND status IN ('open', 'pending');
CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE status = 'snoozed';

-- Click-to-WhatsApp attribution lives apart: it is set rarely, and every
-- inbound message rewrites its conversation's row, so that row is kept small.
CREATE TABLE conversation_referrals (
	conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
	referral        TEXT NOT NULL        -- JSON Referral
) STRICT;

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	-- wamid is unique (the committer checks before inserting: it is the
	-- only writer); it is indexed through wamid_key, a 64-bit hash of it,
	-- because an index of 90-byte random strings spreads every commit over
	-- several times more pages than one of integers.
	wamid           TEXT,
	wamid_key       INTEGER,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	account_id      TEXT NOT NULL,
	direction       TEXT NOT NULL,
	type            TEXT NOT NULL,
	content         TEXT NOT NULL,       -- the Cloud API object for type, exactly as received or sent
	preview         TEXT NOT NULL DEFAULT '',
	from_addr       TEXT NOT NULL DEFAULT '',
	to_addr         TEXT NOT NULL DEFAULT '',
	reply_to        INTEGER,
	context_wamid   TEXT NOT NULL DEFAULT '',
	forwarded       INTEGER NOT NULL DEFAULT 0,
	hidden          INTEGER NOT NULL DEFAULT 0,
	reactions       TEXT,                -- JSON array of Reaction
	status          TEXT NOT NULL,
	error           TEXT,                -- JSON MessageError
	author_id       INTEGER,
	timestamp       INTEGER NOT NULL,
	sent_at         INTEGER,
	delivered_at    INTEGER,
	read_at         INTEGER,
	idempotency_key TEXT,
	request_hash    TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_wamid ON messages(wamid_key) WHERE wamid_key IS NOT NULL;
-- Partial: inbound messages (nearly all) carry no key and cost no entry.
CREATE UNIQUE INDEX messages_idempotency ON messages(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_conversation ON messages(conversation_id, timestamp DESC, id DESC);
CREATE INDEX messages_time ON messages(timestamp DESC, id DESC);

CREATE TABLE parked_statuses (
	id          INTEGER PRIMARY KEY,
	wamid       TEXT NOT NULL,
	status      TEXT NOT NULL,
	timestamp   INTEGER NOT NULL,
	error       TEXT,
	raw         TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	UNIQUE (wamid, status)
) STRICT;
CREATE INDEX parked_statuses_received ON parked_statuses(received_at);

CREATE TABLE webhook_bodies (
	id          INTEGER PRIMARY KEY,
	received_at INTEGER NOT NULL,
	body        BLOB NOT NULL,
	signature   TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	error       TEXT NOT NULL DEFAULT ''
) STRICT;
-- No index on received_at: ids rise with time, so retention walks the
-- oldest rows by id.
CREATE INDEX webhook_bodies_unprocessed ON webhook_bodies(id) WHERE state <> 'processed';

CREATE TABLE templates (
	waba_id          TEXT NOT NULL,
	name             TEXT NOT NULL,
	language         TEXT NOT NULL,
	id               TEXT NOT NULL DEFAULT '',
	category         TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT '',
	quality          TEXT NOT NULL DEFAULT '',
	parameter_format TEXT NOT NULL DEFAULT '',
	components       TEXT NOT NULL DEFAULT '[]',
	rejected_reason  TEXT NOT NULL DEFAULT '',
	updated_at       INTEGER NOT NULL,
	PRIMARY KEY (waba_id, name, language)
) STRICT;
CREATE INDEX templates_id ON templates(id) WHERE id <> '';

CREATE TABLE notes (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	author_id       INTEGER NOT NULL,
	body            TEXT NOT NULL,
	created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_conversation ON notes(conversation_id, id);

CREATE TABLE counters (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- AUTOINCREMENT: a seq is never reused, even after the log is pruned empty.
CREATE TABLE events (
	seq              INTEGER PRIMARY KEY AUTOINCREMENT,
	type             TEXT NOT NULL,
	conversation_id  INTEGER,
	assignee_id      INTEGER,
	prev_assignee_id INTEGER,
	at               INTEGER NOT NULL,
	data             TEXT NOT NULL
) STRICT;

CREATE TABLE send_queue (
	message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
	account_id  TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	payload     TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	enqueued_at INTEGER NOT NULL
) STRICT;
`},
	// Step 2 takes over the tables package hubapi used to create under its
	// own component ("hubapi", versions 1 and 2, same database file). The
	// simplest correct adoption: the very same DDL, written IF NOT EXISTS,
	// so a new database gets the tables and a database the old code
	// migrated keeps its rows untouched (a database migrated only to
	// hubapi version 1 gets media_uploads); then the "hubapi" bookkeeping
	// rows go, because those tables are versioned here from now on. Their
	// times stay TEXT (fixed-width RFC 3339, UTC) as the old code wrote
	// them; the store converts at the edge.
	{Version: 2, Name: "users, tokens, login failures, webhooks, deliveries, media uploads (adopted from hubapi)", SQL: `
CREATE TABLE IF NOT EXISTS users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL COLLATE NOCASE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
	teams         TEXT NOT NULL DEFAULT '[]',
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	deleted_at    TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
-- A deleted user's e-mail may be reused by a new account.
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS tokens (
	id           INTEGER PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the secret
	prefix       TEXT NOT NULL,                 -- first characters, to recognise a token in lists
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('login', 'api', 'bootstrap')),
	user_id      INTEGER REFERENCES users (id),
	role         TEXT NOT NULL,
	scopes       TEXT NOT NULL,                 -- space-separated
	created_at   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT,
	revoked_at   TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id);

CREATE TABLE IF NOT EXISTS login_failures (
	email TEXT NOT NULL COLLATE NOCASE,
	at    TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS login_failures_email_at ON login_failures (email, at);

CREATE TABLE IF NOT EXISTS webhook_subscriptions (
	id          INTEGER PRIMARY KEY,
	url         TEXT NOT NULL UNIQUE,
	secret      TEXT NOT NULL,
	events      TEXT NOT NULL DEFAULT '',       -- space-separated event types; empty = all
	cursor      INTEGER NOT NULL,               -- last event seq delivered (or skipped)
	failures    INTEGER NOT NULL DEFAULT 0,     -- consecutive failed attempts
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS webhook_attempts (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	attempt         INTEGER NOT NULL,
	status          INTEGER NOT NULL,           -- HTTP status, 0 when no answer
	error           TEXT NOT NULL DEFAULT '',
	duration_ms     INTEGER NOT NULL,
	at              TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_attempts_sub ON webhook_attempts (subscription_id, id);

CREATE TABLE IF NOT EXISTS delivery_jobs (
	id          INTEGER PRIMARY KEY,
	account_id  TEXT NOT NULL,
	template    TEXT NOT NULL,
	language    TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	author_id   INTEGER,
	state       TEXT NOT NULL CHECK (state IN ('running', 'done')),
	total       INTEGER NOT NULL,
	created_at  TEXT NOT NULL,
	finished_at TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS delivery_jobs_created ON delivery_jobs (created_at);

CREATE TABLE IF NOT EXISTS delivery_recipients (
	id          INTEGER PRIMARY KEY,
	job_id      INTEGER NOT NULL REFERENCES delivery_jobs (id) ON DELETE CASCADE,
	row         INTEGER NOT NULL,               -- position in the request (CSV line or array index)
	input_phone TEXT NOT NULL,
	phone       TEXT NOT NULL DEFAULT '',       -- E.164, empty when invalid
	variables   TEXT NOT NULL,                  -- JSON object
	state       TEXT NOT NULL CHECK (state IN ('pending', 'in_progress', 'processed_ok', 'processed_ko')),
	reason      TEXT NOT NULL DEFAULT '',       -- invalid_number, opted_out, template_error, meta_error
	detail      TEXT NOT NULL DEFAULT '',
	message_id  INTEGER,
	updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS delivery_recipients_job ON delivery_recipients (job_id, state);
CREATE INDEX IF NOT EXISTS delivery_recipients_phone ON delivery_recipients (phone);
CREATE INDEX IF NOT EXISTS delivery_recipients_message ON delivery_recipients (message_id) WHERE message_id IS NOT NULL;

-- POST /v1/media answers a repeated Idempotency-Key with the first
-- upload's media id instead of uploading again. key is owner:key as for
-- messages; rows older than a week are pruned on insert.
CREATE TABLE IF NOT EXISTS media_uploads (
	key        TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	data       TEXT NOT NULL,               -- the answer, UploadedMedia JSON
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS media_uploads_created ON media_uploads (created_at);

DELETE FROM schema_migrations WHERE component = 'hubapi';
`},
	{Version: 3, Name: "events of unconfigured numbers", SQL: `
-- 1 for an event about a number the hub is not configured for: the stream
-- gives those to admins only.
ALTER TABLE events ADD COLUMN account_unconfigured INTEGER NOT NULL DEFAULT 0;
`},
	// Step 4: what a template's review says (Meta's rejection_info, a pause
	// or disabling, a category change) and the key and hash that make
	// submitting a template idempotent. JSON columns hold "" for none.
	{Version: 4, Name: "template review details and idempotent submission", SQL: `
ALTER TABLE templates ADD COLUMN rejection_info  TEXT NOT NULL DEFAULT '';
ALTER TABLE templates ADD COLUMN status_info     TEXT NOT NULL DEFAULT '';
ALTER TABLE templates ADD COLUMN category_change TEXT NOT NULL DEFAULT '';
ALTER TABLE templates ADD COLUMN submit_key      TEXT NOT NULL DEFAULT '';
ALTER TABLE templates ADD COLUMN submit_hash     TEXT NOT NULL DEFAULT '';
CREATE INDEX templates_submit_key ON templates(submit_key) WHERE submit_key <> '';
`},
	{Version: 5, Name: "answers of keyed writes", SQL: `
-- PATCH /v1/conversations/{id}, POST /v1/conversations/{id}/notes and
-- POST /v1/messages/{id}/read honour Idempotency-Key as POST /v1/messages
-- does: the answer is stored with the key in the write's own transaction,
-- and a retry with the same key and request gets it back without a second
-- change. key is owner:key as for messages; rows older than a week are
-- pruned on insert.
CREATE TABLE keyed_answers (
	key          TEXT PRIMARY KEY,
	request_hash TEXT NOT NULL,
	answer       TEXT NOT NULL,             -- JSON
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX keyed_answers_created ON keyed_answers (created_at);
`},
	{Version: 6, Name: "per-client sign-in budgets; media ids the hub has seen", SQL: `
-- Failed sign-ins per client address (an IPv6 client's /64), as a
-- budget that refills with time (hub/sessions.go): refilled_at is when
-- it is whole again, blocked_until ends the current block. Rows whole
-- and unblocked are pruned.
CREATE TABLE login_throttles (
	client        TEXT PRIMARY KEY,
	refilled_at   TEXT NOT NULL,
	strikes       INTEGER NOT NULL DEFAULT 0,
	blocked_until TEXT
) STRICT;
CREATE INDEX login_throttles_refilled ON login_throttles (refilled_at);

-- Every media id the hub has seen: in a message it stored (message_id)
-- or an upload it made (message_id 0, uploaded_by the user). GET
-- /v1/media/{id} serves only these. Filled here from the messages and
-- remembered uploads already stored; messages deleted later are skipped
-- by the lookup (they join to nothing).
CREATE TABLE media_refs (
	media_id    TEXT NOT NULL,
	message_id  INTEGER NOT NULL DEFAULT 0,
	account_id  TEXT NOT NULL,
	uploaded_by INTEGER,
	PRIMARY KEY (media_id, message_id)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO media_refs (media_id, message_id, account_id)
	SELECT json_extract(content, '$.id'), id, account_id FROM messages
	WHERE type IN ('image', 'video', 'audio', 'document', 'sticker') AND json_valid(content)
	AND json_type(content, '$.id') = 'text';
INSERT OR IGNORE INTO media_refs (media_id, message_id, account_id)
	SELECT t.value, m.id, m.account_id FROM messages m, json_tree(m.content) t
	WHERE m.type IN ('template', 'interactive') AND json_valid(m.content) AND t.key = 'id' AND t.type = 'text'
	AND (t.path LIKE '%.image' OR t.path LIKE '%.video' OR t.path LIKE '%.audio' OR t.path LIKE '%.document'
		OR t.path LIKE '%.sticker');
INSERT OR IGNORE INTO media_refs (media_id, message_id, account_id)
	SELECT json_extract(data, '$.id'), 0, account_id FROM media_uploads
	WHERE json_valid(data) AND json_type(data, '$.id') = 'text';
`},
}
