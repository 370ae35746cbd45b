package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Outbound webhook subscriptions and their attempts, bulk deliveries and
// remembered media uploads (tables adopted from hubapi; see access.go for
// their conventions).

// ---- webhook subscriptions -------------------------------------------------

const webhookCols = `id, url, secret, events, cursor, failures, last_error, created_at, updated_at`

var (
	qUpsertWebhook = reg(`INSERT INTO webhook_subscriptions (url, secret, events, cursor, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET secret = excluded.secret, events = excluded.events, failures = 0, last_error = '',
			updated_at = excluded.updated_at`)
	qWebhookByURL      = reg(`SELECT ` + webhookCols + ` FROM webhook_subscriptions WHERE url = ?`)
	qDeleteWebhook     = reg(`DELETE FROM webhook_subscriptions WHERE id = ?`)
	qAdvanceWebhook    = reg(`UPDATE webhook_subscriptions SET cursor = ? WHERE id = ? AND cursor < ?`)
	qSetWebhookFailure = reg(`UPDATE webhook_subscriptions SET failures = ?, last_error = ? WHERE id = ?`)
	qAddAttempt        = reg(`INSERT INTO webhook_attempts (subscription_id, seq, attempt, status, error, duration_ms, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	qTrimAttempts = reg(`DELETE FROM webhook_attempts WHERE subscription_id = ? AND id <= (
		SELECT id FROM webhook_attempts WHERE subscription_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`)
)

func scanWebhook(sc scanner) (domain.Webhook, error) {
	var (
		w                        domain.Webhook
		events, created, updated string
	)
	if err := sc.Scan(&w.ID, &w.URL, &w.Secret, &events, &w.Cursor, &w.Failures, &w.LastError, &created, &updated); err != nil {
		return w, notFound(err)
	}
	w.Events = strings.Fields(events)
	if w.Events == nil {
		w.Events = []string{}
	}
	w.CreatedAt, w.UpdatedAt = parseText(created), parseText(updated)
	return w, nil
}

func (t *txn) UpsertWebhook(ctx context.Context, w *domain.Webhook) error {
	if _, err := t.exec(ctx, qUpsertWebhook, w.URL, w.Secret, strings.Join(w.Events, " "), w.Cursor,
		fmtText(w.CreatedAt), fmtText(w.UpdatedAt)); err != nil {
		return err
	}
	row, err := t.queryRow(ctx, qWebhookByURL, w.URL)
	if err != nil {
		return err
	}
	got, err := scanWebhook(row)
	if err != nil {
		return err
	}
	*w = got
	return nil
}

func (t *txn) DeleteWebhook(ctx context.Context, id int64) (bool, error) {
	res, err := t.exec(ctx, qDeleteWebhook, id)
	return res.affected > 0, err
}

func (t *txn) AdvanceWebhookCursor(ctx context.Context, id, seq int64) error {
	_, err := t.exec(ctx, qAdvanceWebhook, seq, id, seq)
	return err
}

func (t *txn) SetWebhookFailures(ctx context.Context, id int64, failures int, lastError string) error {
	_, err := t.exec(ctx, qSetWebhookFailure, failures, lastError, id)
	return err
}

func (t *txn) AddWebhookAttempt(ctx context.Context, a *store.WebhookAttempt, keep int) error {
	res, err := t.exec(ctx, qAddAttempt, a.SubscriptionID, a.Seq, a.Attempt, a.Status, a.Error, a.Duration.Milliseconds(), fmtText(a.At))
	if err != nil {
		return err
	}
	a.ID = res.lastID
	_, err = t.exec(ctx, qTrimAttempts, a.SubscriptionID, a.SubscriptionID, keep)
	return err
}

func (s *Store) ListWebhooks(ctx context.Context) ([]domain.Webhook, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhook_subscriptions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *Store) WebhookAttempts(ctx context.Context, subscriptionID int64, limit int) ([]store.WebhookAttempt, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, subscription_id, seq, attempt, status, error, duration_ms, at
		FROM webhook_attempts WHERE subscription_id = ? ORDER BY id DESC LIMIT ?`, subscriptionID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.WebhookAttempt{}
	for rows.Next() {
		var (
			a  store.WebhookAttempt
			ms int64
			at string
		)
		if err := rows.Scan(&a.ID, &a.SubscriptionID, &a.Seq, &a.Attempt, &a.Status, &a.Error, &ms, &at); err != nil {
			return nil, err
		}
		a.Duration, a.At = time.Duration(ms)*time.Millisecond, parseText(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- bulk deliveries -------------------------------------------------------

const deliveryCols = `id, account_id, template, language, state, total, created_at, finished_at, created_by, author_id,
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'pending'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'in_progress'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'processed_ok'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'processed_ko')`

var (
	qInsertDelivery = reg(`INSERT INTO delivery_jobs (account_id, template, language, created_by, author_id, state, total, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qInsertRecipient = reg(`INSERT INTO delivery_recipients (job_id, row, input_phone, phone, variables, state, reason, detail, message_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qSetRecipient = reg(`UPDATE delivery_recipients SET state = ?, reason = ?, detail = ?, message_id = COALESCE(?, message_id), updated_at = ?
		WHERE id = ?`)
	qRequeueStale = reg(`UPDATE delivery_recipients SET state = 'pending'
		WHERE state = 'in_progress' AND message_id IS NULL AND updated_at < ?`)
	qFinishDeliveries = reg(`UPDATE delivery_jobs SET state = 'done', finished_at = ?
		WHERE state = 'running' AND NOT EXISTS (
			SELECT 1 FROM delivery_recipients WHERE job_id = delivery_jobs.id AND state IN ('pending', 'in_progress'))`)
)

func scanDelivery(sc scanner) (store.Delivery, error) {
	var (
		d        store.Delivery
		created  string
		finished sql.NullString
		author   sql.NullInt64
	)
	err := sc.Scan(&d.ID, &d.AccountID, &d.Template, &d.Language, &d.State, &d.Progress.Total, &created, &finished, &d.CreatedBy, &author,
		&d.Progress.Pending, &d.Progress.InProgress, &d.Progress.ProcessedOK, &d.Progress.ProcessedKO)
	if err != nil {
		return d, notFound(err)
	}
	d.CreatedAt, d.FinishedAt, d.AuthorID = parseText(created), parseNullText(finished), fromNullInt(author)
	return d, nil
}

func (t *txn) InsertDelivery(ctx context.Context, d *store.Delivery, recipients []domain.DeliveryRecipient) error {
	state := d.State
	if state == "" {
		state = domain.DeliveryRunning
	}
	res, err := t.exec(ctx, qInsertDelivery, d.AccountID, d.Template, d.Language, d.CreatedBy, nullInt(d.AuthorID), state,
		d.Progress.Total, fmtText(d.CreatedAt), fmtTextPtr(d.FinishedAt))
	if err != nil {
		return err
	}
	d.ID, d.State = res.lastID, state
	for i := range recipients {
		rc := &recipients[i]
		vars := rc.Variables
		if vars == nil {
			vars = map[string]string{}
		}
		vj, err := json.Marshal(vars)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, qInsertRecipient, d.ID, rc.Row, rc.Input, rc.Phone, string(vj), rc.State, rc.Reason, rc.Detail,
			nullInt(rc.MessageID), fmtText(rc.UpdatedAt))
		if err != nil {
			return err
		}
		rc.ID = res.lastID
	}
	return nil
}

func (t *txn) SetRecipientState(ctx context.Context, id int64, state, reason, detail string, messageID *int64, at time.Time) error {
	_, err := t.exec(ctx, qSetRecipient, state, reason, detail, nullInt(messageID), fmtText(at), id)
	return err
}

func (t *txn) RequeueStaleRecipients(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, qRequeueStale, fmtText(before))
	return int(res.affected), err
}

func (t *txn) FinishDeliveries(ctx context.Context, at time.Time) (int, error) {
	res, err := t.exec(ctx, qFinishDeliveries, fmtText(at))
	return int(res.affected), err
}

func (s *Store) GetDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	return scanDelivery(s.db.Read.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM delivery_jobs j WHERE id = ?`, id))
}

func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) (store.Page[store.Delivery], error) {
	before, err := decodeIDCursor(f.Cursor)
	if err != nil {
		return store.Page[store.Delivery]{}, err
	}
	if before == 0 {
		before = 1 << 62
	}
	var w where
	w.add(`id < ?`, before)
	if f.Phone != "" {
		w.add(`EXISTS (SELECT 1 FROM delivery_recipients WHERE job_id = j.id AND phone = ?)`, f.Phone)
	}
	if f.Since != nil {
		w.add(`created_at >= ?`, fmtText(*f.Since))
	}
	if f.Until != nil {
		w.add(`created_at < ?`, fmtText(*f.Until))
	}
	if f.CreatedBy != "" {
		w.add(`created_by = ?`, f.CreatedBy)
	}
	return keysetPage(ctx, s.db.Read, `SELECT `+deliveryCols+` FROM delivery_jobs j`+w.String()+` ORDER BY id DESC LIMIT ?`, w.args, f.Size(),
		scanDelivery, func(last store.Delivery) string { return idCursor(last.ID) })
}

const recipientCols = `id, row, input_phone, phone, variables, state, reason, detail, message_id, updated_at`

func scanRecipient(sc scanner) (domain.DeliveryRecipient, error) {
	var (
		rc            domain.DeliveryRecipient
		vars, updated string
		msg           sql.NullInt64
	)
	if err := sc.Scan(&rc.ID, &rc.Row, &rc.Input, &rc.Phone, &vars, &rc.State, &rc.Reason, &rc.Detail, &msg, &updated); err != nil {
		return rc, notFound(err)
	}
	_ = json.Unmarshal([]byte(vars), &rc.Variables)
	rc.MessageID, rc.UpdatedAt = fromNullInt(msg), parseText(updated)
	return rc, nil
}

func (s *Store) ListRecipients(ctx context.Context, jobID int64, f store.RecipientFilter) (store.Page[domain.DeliveryRecipient], error) {
	after, err := decodeIDCursor(f.Cursor)
	if err != nil {
		return store.Page[domain.DeliveryRecipient]{}, err
	}
	var w where
	w.add(`job_id = ?`, jobID)
	w.add(`id > ?`, after)
	if f.State != "" {
		w.add(`state = ?`, f.State)
	}
	return keysetPage(ctx, s.db.Read, `SELECT `+recipientCols+` FROM delivery_recipients`+w.String()+` ORDER BY id LIMIT ?`, w.args, f.Size(),
		scanRecipient, func(last domain.DeliveryRecipient) string { return idCursor(last.ID) })
}

func (s *Store) PendingRecipients(ctx context.Context, limit int) ([]store.PendingRecipient, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT r.id, r.job_id, r.phone, r.variables, j.account_id, j.template, j.language, j.author_id
		FROM delivery_recipients r JOIN delivery_jobs j ON j.id = r.job_id
		WHERE r.state = 'pending' ORDER BY r.id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PendingRecipient
	for rows.Next() {
		var (
			p      store.PendingRecipient
			vars   string
			author sql.NullInt64
		)
		if err := rows.Scan(&p.ID, &p.JobID, &p.Phone, &vars, &p.AccountID, &p.Template, &p.Language, &author); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(vars), &p.Variables)
		p.AuthorID = fromNullInt(author)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) InProgressWithMessage(ctx context.Context) ([]store.RecipientMessage, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, message_id FROM delivery_recipients
		WHERE state = 'in_progress' AND message_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RecipientMessage
	for rows.Next() {
		var rm store.RecipientMessage
		if err := rows.Scan(&rm.RecipientID, &rm.MessageID); err != nil {
			return nil, err
		}
		out = append(out, rm)
	}
	return out, rows.Err()
}

// ---- remembered media uploads ----------------------------------------------

var (
	qInsertUpload = reg(`INSERT INTO media_uploads (key, account_id, sha256, data, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	qPruneUploads = reg(`DELETE FROM media_uploads WHERE created_at < ?`)
)

func (t *txn) InsertMediaUpload(ctx context.Context, u store.MediaUpload) (bool, error) {
	data, err := json.Marshal(u.Media)
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, qInsertUpload, u.Key, u.AccountID, u.SHA256, string(data), fmtText(u.CreatedAt))
	return res.affected > 0, err
}

func (t *txn) PruneMediaUploads(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, qPruneUploads, fmtText(before))
	return int(res.affected), err
}

func (s *Store) MediaUploadByKey(ctx context.Context, key string) (store.MediaUpload, error) {
	var (
		u             store.MediaUpload
		data, created string
	)
	err := s.db.Read.QueryRowContext(ctx, `SELECT key, account_id, sha256, data, created_at FROM media_uploads WHERE key = ?`, key).
		Scan(&u.Key, &u.AccountID, &u.SHA256, &data, &created)
	if err != nil {
		return u, notFound(err)
	}
	u.CreatedAt = parseText(created)
	return u, json.Unmarshal([]byte(data), &u.Media)
}

// Ping checks that the read pool answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Read.PingContext(ctx) }

// ---- media ids the hub has seen ----------------------------------------------

var qAddMediaRef = direct(`INSERT INTO media_refs (media_id, message_id, account_id, uploaded_by)
	VALUES (?, ?, ?, ?) ON CONFLICT (media_id, message_id) DO NOTHING`)

func (t *txn) AddMediaRef(ctx context.Context, r store.MediaRef) error {
	_, err := t.exec(ctx, qAddMediaRef, r.MediaID, r.MessageID, r.AccountID, nullInt(r.UploadedBy))
	return err
}

func (s *Store) MediaSeen(ctx context.Context, mediaID string, f store.MediaFilter) (bool, error) {
	// Uploads: the row itself. Messages: the message as it is now (moved
	// to another conversation, or gone with its contact) and its
	// conversation's assignee.
	var up, msg where
	up.add(`r.message_id = 0`)
	if !f.Uploads {
		up.add(`0`)
	}
	if f.UploadedBy != nil {
		up.add(`r.uploaded_by = ?`, *f.UploadedBy)
	}
	up.notIn(`r.account_id`, f.ExcludeAccountIDs)
	msg.add(`m.id = r.message_id`)
	if f.VisibleTo != nil {
		msg.add(`(c.assignee_id = ? OR c.assignee_id IS NULL)`, *f.VisibleTo)
	}
	msg.notIn(`c.account_id`, f.ExcludeAccountIDs)
	q := `SELECT EXISTS (SELECT 1 FROM media_refs r WHERE r.media_id = ? AND (
		(` + strings.Join(up.conds, " AND ") + `) OR (r.message_id <> 0 AND EXISTS (
			SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id` + msg.String() + `))))`
	args := append(append([]any{mediaID}, up.args...), msg.args...)
	var seen int64
	err := s.db.Read.QueryRowContext(ctx, q, args...).Scan(&seen)
	return seen == 1, err
}
