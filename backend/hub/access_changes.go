package hub

import "sync"

// Access changes: whoever holds what a credential resolved to (the API's
// token cache, its open websocket streams) must hear at once when a user's
// status, role or teams change or a token is revoked, or it keeps
// honouring what the hub already refuses. The hub tells them through
// OnAccessChange, synchronously, after the change is committed and before
// the call that made it returns: once an admin's PATCH /v1/users has been
// answered, no stream still acts on the old role.
//
// The signal is in-process. A hub of several instances over one database
// would feed the same callbacks from the store's notifications (LISTEN /
// NOTIFY on PostgreSQL); until then the API's periodic re-checks bound
// how long a change made elsewhere goes unseen.

// AccessChange says whose access changed. UserID is the user whose
// status, role, teams or password changed (every token of theirs is
// affected); TokenID a single token that was revoked or reissued. Zero
// fields say nothing.
type AccessChange struct {
	UserID  int64
	TokenID int64
}

// accessHooks holds the OnAccessChange callbacks.
type accessHooks struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(AccessChange)
}

// OnAccessChange registers fn to be called after every committed change
// to a user or a token, on the goroutine that made it, before that call
// returns. fn must not block (it may take a lock and mark what to
// re-check). The returned func unregisters it.
func (s *Service) OnAccessChange(fn func(AccessChange)) (cancel func()) {
	h := &s.access
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fns == nil {
		h.fns = map[int]func(AccessChange){}
	}
	id := h.next
	h.next++
	h.fns[id] = fn
	return func() {
		h.mu.Lock()
		delete(h.fns, id)
		h.mu.Unlock()
	}
}

// accessChanged tells every OnAccessChange callback about c.
func (s *Service) accessChanged(c AccessChange) {
	h := &s.access
	h.mu.Lock()
	fns := make([]func(AccessChange), 0, len(h.fns))
	for _, fn := range h.fns {
		fns = append(fns, fn)
	}
	h.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}
