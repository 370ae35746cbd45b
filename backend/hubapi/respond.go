package hubapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"switchboard/backend/apierr"
	"switchboard/backend/wire"
)

// handlerFunc is what every route implements: it writes its own success
// response and returns an error for anything else, which writeError turns
// into the envelope. Keeping error writing out of handlers is what makes the
// envelope uniform.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// dataBody is the success envelope.
type dataBody struct {
	Data any `json:"data"`
}

// listBody is the success envelope of a list.
type listBody struct {
	Data       any             `json:"data"`
	Pagination wire.Pagination `json:"pagination"`
}

// writeJSON writes v with status. Encoding errors after the header is sent
// cannot be reported to the caller any more, so they are only logged.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		b, _ = json.Marshal(apierr.New(apierr.Internal, "internal error").Envelope())
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeData answers {"data": v}.
func (s *Server) writeData(w http.ResponseWriter, status int, v any) error {
	s.writeJSON(w, status, dataBody{Data: v})
	return nil
}

// writeList answers {"data": items, "pagination": …}. A nil slice is
// written as [] so clients never have to special-case null.
func (s *Server) writeList(w http.ResponseWriter, items any, p wire.Pagination) error {
	if items == nil {
		items = []any{}
	}
	s.writeJSON(w, http.StatusOK, listBody{Data: items, Pagination: p})
	return nil
}

// writeError is the one place an error becomes an HTTP answer. The caller
// sees the code, the safe message and the documentation link; the cause is
// logged for 5xx answers only (4xx are the caller's mistakes, counted in
// metrics, not worth a log line each).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; nobody is listening for an answer.
		s.metrics.clientGone.Inc()
		return
	}
	e := apierr.As(err)
	status := e.Status()
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", e.Code, "err", e.Error())
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	s.writeJSON(w, status, e.Envelope())
}
