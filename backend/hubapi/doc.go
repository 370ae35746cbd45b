// Package hubapi is the hub's HTTP face: the versioned REST API for agents
// and external systems (/v1/...), the realtime websocket stream
// (/v1/stream), the WhatsApp webhook ingress (/webhooks/whatsapp), outbound
// webhooks, bulk template deliveries, users and tokens, and the operational
// endpoints (/healthz, /metrics, /openapi.json, /docs/errors).
//
// The messaging rules live in the hub core (package hub); this package
// translates HTTP to calls on it and back, and owns only what is about
// callers: who they are (users, tokens, sessions), what they may do
// (scopes, roles, rate limits) and how they are told (the stream, outbound
// webhooks).
//
// Conventions, enforced in one place each so no route can drift:
//
//   - Every route is a row of the table in routes.go: a Go 1.22 method
//     pattern, the scope it needs, and a handler returning error.
//   - Handlers return errors; writeError is the only code that writes an
//     error body: {"error":{"code","message","doc_url"}} from apierr.
//   - Success bodies are {"data": …}, lists add
//     "pagination": {"next_cursor", "has_more"}. The bodies and the
//     stream's frames are package wire's (backend/wire), shared with the Go
//     client and the console.
//   - Request bodies go through decodeJSON, which refuses other content
//     types, invalid JSON or UTF-8, unknown fields and trailing data before
//     anything is changed.
package hubapi
