-- hubapi migration 2, exactly as released, for the adoption test.
-- POST /v1/media answers a repeated Idempotency-Key with the first
-- upload's media id instead of uploading again. key is owner:key as for
-- messages; rows older than a week are pruned on insert.
CREATE TABLE media_uploads (
	key        TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	data       TEXT NOT NULL,               -- the answer, UploadedMedia JSON
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX media_uploads_created ON media_uploads (created_at);
