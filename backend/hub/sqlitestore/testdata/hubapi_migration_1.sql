-- hubapi migration 1, exactly as released (backend/hubapi/migrations.go before
-- the tables moved to the store), for the adoption test.
CREATE TABLE users (
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
CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;

CREATE TABLE tokens (
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
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE login_failures (
	email TEXT NOT NULL COLLATE NOCASE,
	at    TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_email_at ON login_failures (email, at);

CREATE TABLE webhook_subscriptions (
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

CREATE TABLE webhook_attempts (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	attempt         INTEGER NOT NULL,
	status          INTEGER NOT NULL,           -- HTTP status, 0 when no answer
	error           TEXT NOT NULL DEFAULT '',
	duration_ms     INTEGER NOT NULL,
	at              TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_attempts_sub ON webhook_attempts (subscription_id, id);

CREATE TABLE delivery_jobs (
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
CREATE INDEX delivery_jobs_created ON delivery_jobs (created_at);

CREATE TABLE delivery_recipients (
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
CREATE INDEX delivery_recipients_job ON delivery_recipients (job_id, state);
CREATE INDEX delivery_recipients_phone ON delivery_recipients (phone);
CREATE INDEX delivery_recipients_message ON delivery_recipients (message_id) WHERE message_id IS NOT NULL;
