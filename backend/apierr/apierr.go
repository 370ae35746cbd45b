// Package apierr is Switchboard's one table of errors.
//
// Every failure that crosses a boundary — the hub's REST API, the websocket
// stream, the desktop bindings and the frontend — carries one of the stable,
// machine-readable codes below. Integrations (CRMs, n8n, Zapier) branch on the
// code, never on the message, so a code is never renamed or reused once
// released; the HTTP status and the wording may be refined.
//
// The frontend mirrors this table in frontend/src/lib/errors.ts; a test keeps
// the two in step.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// Code is a stable, machine-readable error code such as "SESSION_EXPIRED".
type Code string

// The codes. Grouped by cause; append new ones, never rename.
const (
	// Request shape and validation.
	InvalidJSON          Code = "INVALID_JSON"
	InvalidRequest       Code = "INVALID_REQUEST"
	ValidationFailed     Code = "VALIDATION_FAILED"
	InvalidPhone         Code = "INVALID_PHONE"
	PayloadTooLarge      Code = "PAYLOAD_TOO_LARGE"
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	MethodNotAllowed     Code = "METHOD_NOT_ALLOWED"
	NotFound             Code = "NOT_FOUND"
	Conflict             Code = "CONFLICT"
	IdempotencyConflict  Code = "IDEMPOTENCY_CONFLICT"
	RequestTimeout       Code = "REQUEST_TIMEOUT"

	// Authentication, authorisation and limits.
	BadSignature Code = "BAD_SIGNATURE"
	Unauthorized Code = "UNAUTHORIZED"
	Forbidden    Code = "FORBIDDEN"
	LoginLocked  Code = "LOGIN_LOCKED"
	RateLimited  Code = "RATE_LIMITED"

	// WhatsApp's rules, enforced before anything is sent.
	SessionExpired         Code = "SESSION_EXPIRED"
	OptedOut               Code = "OPTED_OUT"
	TemplateNotFound       Code = "TEMPLATE_NOT_FOUND"
	TemplateParamsMismatch Code = "TEMPLATE_PARAMS_MISMATCH"
	AccountRequired        Code = "ACCOUNT_REQUIRED"

	// Upstream (the Cloud API) and the realtime stream.
	UpstreamError       Code = "UPSTREAM_ERROR"
	UpstreamUnavailable Code = "UPSTREAM_UNAVAILABLE"
	ResyncRequired      Code = "RESYNC_REQUIRED"

	// The desktop console's own conditions.
	HubUnreachable Code = "HUB_UNREACHABLE"
	NotSignedIn    Code = "NOT_SIGNED_IN"

	// Everything else.
	Unavailable Code = "UNAVAILABLE"
	Internal    Code = "INTERNAL"
)

// Entry describes one code: the HTTP status it is answered with and a
// one-line title for documentation.
type Entry struct {
	Code   Code   `json:"code"`
	Status int    `json:"status"`
	Title  string `json:"title"`
}

var table = map[Code]Entry{
	InvalidJSON:          {InvalidJSON, http.StatusBadRequest, "The body is not valid JSON (or not valid UTF-8)."},
	InvalidRequest:       {InvalidRequest, http.StatusBadRequest, "The request is malformed: a missing or wrongly typed field, or a bad query parameter."},
	ValidationFailed:     {ValidationFailed, http.StatusUnprocessableEntity, "The request is well formed but breaks a rule (a length limit, a count, a format)."},
	InvalidPhone:         {InvalidPhone, http.StatusUnprocessableEntity, "The phone number cannot be read as a valid international number."},
	PayloadTooLarge:      {PayloadTooLarge, http.StatusRequestEntityTooLarge, "The body is larger than the route accepts."},
	UnsupportedMediaType: {UnsupportedMediaType, http.StatusUnsupportedMediaType, "The content type is not accepted by this route."},
	MethodNotAllowed:     {MethodNotAllowed, http.StatusMethodNotAllowed, "The route does not accept this HTTP method."},
	NotFound:             {NotFound, http.StatusNotFound, "No such resource, or not one you may see."},
	Conflict:             {Conflict, http.StatusConflict, "The resource's current state does not allow this change."},
	IdempotencyConflict:  {IdempotencyConflict, http.StatusConflict, "The Idempotency-Key was already used with a different request."},
	RequestTimeout:       {RequestTimeout, http.StatusRequestTimeout, "The request body arrived too slowly; send it again."},

	BadSignature: {BadSignature, http.StatusUnauthorized, "The webhook signature (X-Hub-Signature-256) or verify token does not match."},
	Unauthorized: {Unauthorized, http.StatusUnauthorized, "Missing, unknown, expired or revoked credentials."},
	Forbidden:    {Forbidden, http.StatusForbidden, "The credentials are valid but lack the scope or role for this."},
	LoginLocked:  {LoginLocked, http.StatusTooManyRequests, "Too many failed sign-ins; the account is locked for a short while."},
	RateLimited:  {RateLimited, http.StatusTooManyRequests, "Too many requests for this token; retry after the time in Retry-After."},

	SessionExpired:         {SessionExpired, http.StatusUnprocessableEntity, "The 24-hour customer service window is closed: only an approved template may be sent."},
	OptedOut:               {OptedOut, http.StatusUnprocessableEntity, "The recipient has opted out of messages from this business."},
	TemplateNotFound:       {TemplateNotFound, http.StatusUnprocessableEntity, "No approved template with that name and language."},
	TemplateParamsMismatch: {TemplateParamsMismatch, http.StatusUnprocessableEntity, "The variables do not match the template's parameters."},
	AccountRequired:        {AccountRequired, http.StatusUnprocessableEntity, "Several WhatsApp numbers are configured: say which one to use (account_id)."},

	UpstreamError:       {UpstreamError, http.StatusBadGateway, "The WhatsApp Cloud API refused the request."},
	UpstreamUnavailable: {UpstreamUnavailable, http.StatusServiceUnavailable, "The WhatsApp Cloud API could not be reached."},
	ResyncRequired:      {ResyncRequired, http.StatusGone, "The requested event sequence is older than the log keeps: resync from a snapshot."},

	HubUnreachable: {HubUnreachable, http.StatusServiceUnavailable, "The hub cannot be reached; work continues from the local cache."},
	NotSignedIn:    {NotSignedIn, http.StatusUnauthorized, "The console is not signed in to a hub."},

	Unavailable: {Unavailable, http.StatusServiceUnavailable, "The service is starting or shutting down; retry shortly."},
	Internal:    {Internal, http.StatusInternalServerError, "An unexpected error; it has been logged."},
}

// DocBase is the address of the error documentation; DocURL appends the
// code as a fragment. The hub serves the table there.
var DocBase = "/docs/errors"

// Status is the HTTP status the code is answered with (500 for an unknown code).
func (c Code) Status() int {
	if e, ok := table[c]; ok {
		return e.Status
	}
	return http.StatusInternalServerError
}

// DocURL is where the code is documented.
func (c Code) DocURL() string { return DocBase + "#" + string(c) }

// Known reports whether c is in the table.
func (c Code) Known() bool { _, ok := table[c]; return ok }

// Table lists every code, sorted by code, for documentation and for the
// frontend mirror test.
func Table() []Entry {
	out := make([]Entry, 0, len(table))
	for _, e := range table {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Error is an error with a stable code. Message is safe to show to the
// caller; Err, the underlying cause, is for logs only and never answered.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Field is the JSON path of the offending input, when there is one
	// (e.g. "interactive.action.buttons[3].reply.title").
	Field string `json:"field,omitempty"`
	// Details lists every problem found when there are several (all the
	// findings of a template definition, each with its own field), so a
	// client can show each next to its field at once.
	Details []Detail `json:"details,omitempty"`
	// RetryAfter, in whole seconds, for RATE_LIMITED and LOGIN_LOCKED.
	RetryAfter int   `json:"-"`
	Err        error `json:"-"`
}

// Error implements error.
func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by code, so errors.Is(err, apierr.New(apierr.OptedOut, ""))
// and errors.Is(err, apierr.OptedOut.Err()) both work.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Status is the HTTP status for the error.
func (e *Error) Status() int { return e.Code.Status() }

// New returns an error with code and a caller-facing message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an error about one input field.
func Field(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and message that keeps err as its cause.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Err returns a bare error with the code, for errors.Is comparisons.
func (c Code) Err() *Error { return &Error{Code: c} }

// As finds the *Error in err's chain. An error without one becomes INTERNAL,
// its text kept as the hidden cause so nothing internal leaks to callers.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// CodeOf is the code of err (INTERNAL when it carries none, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Envelope is the uniform JSON error body: {"error": {...}}. The hub writes
// it and the hub client decodes it, so both sides share one definition.
type Envelope struct {
	Error Body `json:"error"`
}

// Body is the inside of an Envelope.
type Body struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	DocURL  string   `json:"doc_url"`
	Field   string   `json:"field,omitempty"`
	Details []Detail `json:"details,omitempty"`
}

// Detail is one problem of several: the field it is about (a JSON path such
// as "components[1].buttons[0].url"), a stable code naming the rule
// (e.g. BODY_TOO_LONG; the codes of a template definition's rules are
// whatsapp.TemplateRules), the message in words, and whether it blocks
// (SeverityError) or only warns (SeverityWarning).
type Detail struct {
	Field    string `json:"field"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// The severities of a Detail.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Envelope renders e for the wire.
func (e *Error) Envelope() Envelope {
	return Envelope{Error: Body{Code: e.Code, Message: e.Message, DocURL: e.Code.DocURL(), Field: e.Field, Details: e.Details}}
}

// Err turns a decoded envelope back into an *Error, so a client sees the same
// value the server returned.
func (b Body) Err() *Error {
	return &Error{Code: b.Code, Message: b.Message, Field: b.Field, Details: b.Details}
}
