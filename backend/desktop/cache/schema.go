package cache

import "switchboard/backend/sqlitedb"

// Times in sort columns are Unix microseconds: integers compare and index
// cheaply, and microseconds keep the hub's ordering of messages that arrive
// within the same second.
var migrations = []sqlitedb.Migration{
	{Version: 1, Name: "cache tables", SQL: `
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One row: the seq of the last hub event whose change is in this file.
CREATE TABLE sync_state (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	seq         INTEGER NOT NULL,
	snapshot_at TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO sync_state (id, seq) VALUES (1, 0);

CREATE TABLE accounts (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
) STRICT;

CREATE TABLE contacts (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	phone   TEXT NOT NULL,
	updated INTEGER NOT NULL,
	data    TEXT NOT NULL
) STRICT;

-- Trigram: an agent types any part of a name or number ("4567", "ana").
-- The index is maintained by the cache's writer, not triggers: FTS5 flushes
-- its pending terms at every statement savepoint, so a trigger per row made
-- a replay of thousands of events flush thousands of times; the writer
-- indexes a transaction's new rows in one statement at commit.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
	name, phone, content='contacts', content_rowid='id', tokenize='trigram'
);

-- assignee is 0 when unassigned so "Unassigned" is an equality an index
-- serves like "Mine".
CREATE TABLE conversations (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL,
	assignee   INTEGER NOT NULL,
	status     TEXT NOT NULL,
	unanswered INTEGER NOT NULL,
	activity   INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	data       TEXT NOT NULL
) STRICT;
-- One index per inbox query shape (tab × status filter), each ending in the
-- sort key so a page is an index range scan with no sort step.
CREATE INDEX conversations_all ON conversations (activity DESC, id DESC);
CREATE INDEX conversations_status ON conversations (status, activity DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (assignee, activity DESC, id DESC);
CREATE INDEX conversations_assignee_status ON conversations (assignee, status, activity DESC, id DESC);
-- Covers the tab counts, so they never read the table.
CREATE INDEX conversations_counts ON conversations (assignee, status, unanswered);
CREATE INDEX conversations_contact ON conversations (contact_id);

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL,
	ts              INTEGER NOT NULL,
	updated         INTEGER NOT NULL,
	body            TEXT NOT NULL,
	data            TEXT NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, ts, id);

CREATE VIRTUAL TABLE messages_fts USING fts5(
	body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);

CREATE TABLE notes (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL,
	ts              INTEGER NOT NULL,
	data            TEXT NOT NULL
) STRICT;
CREATE INDEX notes_conversation ON notes (conversation_id, ts, id);

-- How far back a conversation's history has been fetched from the hub.
-- Everything from the floor up to the newest message is in the cache (the
-- stream fills in what happens after); cursor continues below the floor.
CREATE TABLE history (
	conversation_id INTEGER PRIMARY KEY,
	floor_ts        INTEGER NOT NULL,
	floor_id        INTEGER NOT NULL,
	cursor          TEXT NOT NULL,
	complete        INTEGER NOT NULL
) STRICT;

CREATE TABLE templates (
	name     TEXT NOT NULL,
	language TEXT NOT NULL,
	data     TEXT NOT NULL,
	PRIMARY KEY (name, language)
) STRICT;

CREATE TABLE users (
	id   INTEGER PRIMARY KEY,
	data TEXT NOT NULL
) STRICT;

CREATE TABLE counters (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	data TEXT NOT NULL
) STRICT;

CREATE TABLE drafts (
	conversation_id INTEGER PRIMARY KEY,
	body            TEXT NOT NULL,
	updated_at      TEXT NOT NULL
) STRICT;

-- Messages composed but not yet accepted by the hub. key is the
-- Idempotency-Key; local_id orders sends (FIFO per conversation).
CREATE TABLE outbox (
	local_id        INTEGER PRIMARY KEY AUTOINCREMENT,
	key             TEXT NOT NULL UNIQUE,
	conversation_id INTEGER NOT NULL,
	request         TEXT NOT NULL,
	preview         TEXT NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	error           TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_conversation ON outbox (conversation_id, local_id);
`},
	{Version: 2, Name: "tab counts under a status filter", SQL: `
-- InboxCounts with a status filter groups one status's rows by owner;
-- without this covering index it read every matching row from the table.
CREATE INDEX conversations_status_counts ON conversations (status, assignee, unanswered);
`},
	{Version: 3, Name: "one covering index for every tab count", SQL: `
-- Counts under a status filter now group the (assignee, status, unanswered)
-- index by both columns and filter in Go: a full scan of that small index
-- is as fast, and every conversation update maintains one index fewer.
DROP INDEX IF EXISTS conversations_status_counts;
`},
	{Version: 4, Name: "outbox attachments", SQL: `
-- A file the agent picked (SendMedia) travels with its outbox item:
-- attachment is its JSON (the copy's name in the outbox folder, the
-- original name, type and size), media_id the hub's id for it once the
-- upload succeeded, so a retry sends the message without uploading again.
ALTER TABLE outbox ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN media_id TEXT NOT NULL DEFAULT '';
`},
	{Version: 5, Name: "every write through the outbox", SQL: `
-- Notes, conversation changes, read marks and reactions go through the
-- outbox too (see writes.go): kind says which write an item is, request
-- holds its payload. hub_data is the hub's copy of a conversation while
-- the agent's pending changes are shown over it in data.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
ALTER TABLE conversations ADD COLUMN hub_data TEXT NOT NULL DEFAULT '';
`},
}
