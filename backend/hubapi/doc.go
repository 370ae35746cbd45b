// Package hubapi is the hub's HTTP face: the versioned REST API for agents
// and external systems (/v1/...), the realtime websocket stream
// (/v1/stream), the WhatsApp webhook ingress (/webhooks/whatsapp), outbound
// webhooks, bulk template deliveries, users and tokens, and the operational
// endpoints (/healthz, /metrics, /openapi.json, /docs/errors).
//
// This package is a pure adapter: it parses a request, calls a service of
// the hub (package hub) and writes the answer. It holds no SQL, no schema
// and no background worker besides the stream's broker (a test checks
// that no file imports database/sql or calls a query method): users,
// tokens, sessions, outbound webhooks, bulk deliveries and remembered
// uploads are hub services over store.Store. What stays here is about
// callers over HTTP: reading their credentials (headers, cookies, the
// access_token parameter), caching resolved tokens, rate limits per token,
// the scope each route needs and what each role may see, the websocket
// stream's fan-out, the on-disk media cache, and the metrics.
//
// Conventions, enforced in one place each so no route can drift:
//
//   - Every route is a row of the table in routes.go: a Go 1.22 method
//     pattern, the scope it needs, and a handler returning error.
//   - Handlers return errors; writeError is the only code that writes an
//     error body: {"error":{"code","message","doc_url"}} from apierr.
//   - Success bodies are {"data": …}, lists add
//     "pagination": {"next_cursor", "has_more"}. Every body, read or
//     written, and the stream's frames are package wire's (backend/wire),
//     shared with the Go client and the console: no handler declares a
//     body struct or writes a map literal (wire's shapes_test checks).
//   - Request bodies go through decodeJSON, which refuses other content
//     types, invalid JSON or UTF-8, unknown fields and trailing data before
//     anything is changed.
package hubapi
