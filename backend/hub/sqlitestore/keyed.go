package sqlitestore

import (
	"context"
	"time"

	"switchboard/backend/hub/store"
)

// Answers of keyed writes (store.KeyedTx): PATCH /v1/conversations/{id},
// POST /v1/conversations/{id}/notes and POST /v1/messages/{id}/read made
// with an Idempotency-Key.

var (
	qInsertKeyed = reg(`INSERT INTO keyed_answers (key, request_hash, answer, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	qKeyedAnswer = reg(`SELECT key, request_hash, answer, created_at FROM keyed_answers WHERE key = ?`)
	qPruneKeyed  = reg(`DELETE FROM keyed_answers WHERE created_at < ?`)
)

func (t *txn) InsertKeyedAnswer(ctx context.Context, a store.KeyedAnswer) (bool, error) {
	res, err := t.exec(ctx, qInsertKeyed, a.Key, a.RequestHash, string(a.Answer), ns(a.CreatedAt))
	return res.affected > 0, err
}

func (t *txn) KeyedAnswer(ctx context.Context, key string) (store.KeyedAnswer, error) {
	var (
		a       store.KeyedAnswer
		answer  string
		created int64
	)
	row, err := t.queryRow(ctx, qKeyedAnswer, key)
	if err != nil {
		return a, err
	}
	if err := row.Scan(&a.Key, &a.RequestHash, &answer, &created); err != nil {
		return a, notFound(err)
	}
	a.Answer, a.CreatedAt = []byte(answer), fromNS(created)
	return a, nil
}

func (t *txn) PruneKeyedAnswers(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, qPruneKeyed, ns(before))
	return int(res.affected), err
}
