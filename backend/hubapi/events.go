package hubapi

import (
	"net/http"
	"strconv"

	"switchboard/backend/apierr"
	"switchboard/backend/wire"
)

// handleEvents is GET /v1/events?since=N: the events after seq N the
// caller may see, oldest first. next_cursor is the seq to pass as since
// next time (agents' pages may be shorter than limit: events they may not
// see are skipped but still advance the cursor).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	since := int64(0)
	raw := r.URL.Query().Get("since")
	if raw == "" {
		raw = page.Cursor
	}
	if raw != "" {
		since, err = strconv.ParseInt(raw, 10, 64)
		if err != nil || since < 0 {
			return apierr.Field(apierr.InvalidRequest, "since", "since must be a non-negative event seq")
		}
	}
	ctx := r.Context()
	oldest, head, err := s.core.EventBounds(ctx)
	if err != nil {
		return err
	}
	if since > head || (oldest > 0 && since < oldest-1) {
		return apierr.New(apierr.ResyncRequired, "events after seq %d are no longer kept (oldest is %d, head %d): load a snapshot", since, oldest, head)
	}
	evs, err := s.core.EventsSince(ctx, since, page.Limit)
	if apierr.CodeOf(err) == apierr.ResyncRequired {
		return apierr.New(apierr.ResyncRequired, "events after seq %d are no longer kept: load a snapshot", since)
	}
	if err != nil {
		return err
	}
	p := principalFrom(r)
	out := make([]rawJSON, 0, len(evs))
	cursor := since
	for _, ev := range evs {
		se := s.broker.prepare(ev)
		if b := renderFor(p, se); b != nil {
			out = append(out, rawJSON(b))
		}
		cursor = ev.Seq
	}
	more := cursor < head
	s.writeJSON(w, http.StatusOK, wire.Events[rawJSON]{
		Data:       out,
		Pagination: wire.Pagination{NextCursor: strconv.FormatInt(cursor, 10), HasMore: more},
		Head:       head, Oldest: oldest,
	})
	return nil
}

// rawJSON embeds an already encoded frame.
type rawJSON []byte

// MarshalJSON returns the bytes as they are.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

func (s *Server) handleEventHead(w http.ResponseWriter, r *http.Request) error {
	oldest, head, err := s.core.EventBounds(r.Context())
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, wire.EventHead{Head: head, Oldest: oldest})
}
