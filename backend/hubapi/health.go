package hubapi

import (
	"html/template"
	"net/http"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/wire"
)

// handleHealth is GET /healthz: 200 when the database answers and the
// event log can be read, 503 otherwise (load balancers take the hub out).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if s.ctx.Err() != nil {
		return apierr.New(apierr.Unavailable, "shutting down")
	}
	if err := s.core.Ping(r.Context()); err != nil {
		return apierr.Wrap(err, apierr.Unavailable, "the database does not answer")
	}
	_, head, err := s.core.EventBounds(r.Context())
	if err != nil {
		return apierr.Wrap(err, apierr.Unavailable, "the event log cannot be read")
	}
	return s.writeData(w, http.StatusOK, wire.Health{Status: "ok", EventHead: head, StreamClients: s.broker.count()})
}

var errorDocsPage = template.Must(template.New("errors").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard API errors</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
code{font-size:90%}tr:target{background:#fff6cc}</style></head><body>
<h1>Switchboard API errors</h1>
<p>Every failed request is answered with <code>{"error": {"code", "message", "doc_url"}}</code>.
Branch on <code>code</code>; it never changes once released. The message is for people.</p>
<table><thead><tr><th>Code</th><th>HTTP status</th><th>Meaning</th></tr></thead><tbody>
{{range .}}<tr id="{{.Code}}"><td><code>{{.Code}}</code></td><td>{{.Status}}</td><td>{{.Title}}</td></tr>
{{end}}</tbody></table></body></html>
`))

// handleErrorDocs is GET /docs/errors: the error table, as HTML (each code
// is an anchor, which doc_url points at) or JSON for Accept: application/json.
func (s *Server) handleErrorDocs(w http.ResponseWriter, r *http.Request) error {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		return s.writeList(w, apierr.Table(), Pagination{})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return errorDocsPage.Execute(w, apierr.Table())
}
