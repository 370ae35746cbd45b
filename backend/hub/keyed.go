package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/hub/store"
)

// Keyed writes: a conversation change, a note and a read mark honour an
// Idempotency-Key the way a send does. The key ("<owner>:<key>", qualified
// by hubapi) and the write's answer are stored in the write's own
// transaction, so a retry whose answer was lost (the desktop console's
// outbox retries every write until it hears back) gets the first answer
// and changes nothing: a note is added once, and a close replayed after a
// customer reopened the conversation does not close it again.

// KeyedAnswerTTL is how long a keyed write's answer is remembered.
const KeyedAnswerTTL = 7 * 24 * time.Hour

// keyedHash identifies a keyed write's request: op names the write and its
// target, req is its content.
func keyedHash(op string, req any) string {
	b, _ := json.Marshal(struct {
		Op  string `json:"op"`
		Req any    `json:"req"`
	}{op, req})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// recall looks key up inside the write transaction: when the same request
// was made with it before, the remembered answer is decoded into out (when
// not nil) and recall reports true; IDEMPOTENCY_CONFLICT when the key was
// used for another request. An empty key is never remembered.
func (w *wtx) recall(key, hash string, out any) (bool, error) {
	if key == "" {
		return false, nil
	}
	a, err := w.tx.KeyedAnswer(w.ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if a.RequestHash != hash {
		return false, apierr.New(apierr.IdempotencyConflict, "this Idempotency-Key was already used for a different request")
	}
	if out != nil {
		if err := json.Unmarshal(a.Answer, out); err != nil {
			return false, apierr.Wrap(err, apierr.Internal, "read the remembered answer")
		}
	}
	return true, nil
}

// remember stores answer under key in the write transaction, dropping
// answers older than KeyedAnswerTTL.
func (w *wtx) remember(key, hash string, answer any, now time.Time) error {
	if key == "" {
		return nil
	}
	b, err := json.Marshal(answer)
	if err != nil {
		return err
	}
	if _, err := w.tx.PruneKeyedAnswers(w.ctx, now.Add(-KeyedAnswerTTL)); err != nil {
		return err
	}
	_, err = w.tx.InsertKeyedAnswer(w.ctx, store.KeyedAnswer{Key: key, RequestHash: hash, Answer: b, CreatedAt: now})
	return err
}
