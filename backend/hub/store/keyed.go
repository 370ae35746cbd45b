package store

import (
	"context"
	"encoding/json"
	"time"
)

// KeyedAnswer remembers the answer to a write made with an Idempotency-Key
// that does not create a message (a conversation change, a note, a read
// mark). It is stored in the write's own transaction, so a retry whose
// answer was lost gets the first answer back and changes nothing.
type KeyedAnswer struct {
	// Key is "<owner>:<Idempotency-Key>"; unique.
	Key string
	// RequestHash tells a retry from a different request sent with the
	// same key.
	RequestHash string
	// Answer is what the write answered, as JSON.
	Answer    json.RawMessage
	CreatedAt time.Time
}

// KeyedTx remembers keyed writes' answers inside the write transaction
// that made them.
type KeyedTx interface {
	// InsertKeyedAnswer stores a unless its key is taken (false then,
	// nothing changed).
	InsertKeyedAnswer(ctx context.Context, a KeyedAnswer) (bool, error)
	// KeyedAnswer returns the answer remembered for key (ErrNotFound when
	// none is).
	KeyedAnswer(ctx context.Context, key string) (KeyedAnswer, error)
	// PruneKeyedAnswers deletes the answers created before before and
	// returns how many.
	PruneKeyedAnswers(ctx context.Context, before time.Time) (int, error)
}
