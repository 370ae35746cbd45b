package hubapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// opDoc documents one route for /openapi.json. The table below is kept
// apart from the route table on purpose: a test compares the two both
// ways, so a route without documentation (or documentation without a
// route) fails the build.
type opDoc struct {
	summary     string
	description string
	tag         string
	query       []param
	// body is a zero value of the request body's type; bodyMedia the
	// accepted content types (default application/json).
	body      any
	bodyMedia []string
	// data is a zero value of the "data" of a success answer; list wraps
	// it as an array with pagination.
	data   any
	list   bool
	status int // default 200
	// created: the operation answers 201 (with data) when it creates the
	// record and status when it replaces one.
	created bool
	// noContent answers 204; raw names a non-JSON answer's media type and
	// moreRaw the others it may have.
	noContent bool
	raw       string
	moreRaw   []string
	// ranges: the raw answer honours Range (206, or 416 as net/http's
	// plain text).
	ranges bool
	// errors are the error statuses particular to the operation; those
	// every operation of its kind may answer are added by errorStatuses.
	errors []int
	// keyed documents the Idempotency-Key header the route honours (and
	// its 409 IDEMPOTENCY_CONFLICT).
	keyed bool
}

type param struct {
	name, typ, desc string
}

var (
	pLimit  = param{"limit", "integer", "Page size, 1 to 100 (default 25)."}
	pCursor = param{"cursor", "string", "The next_cursor of the previous page."}
)

var opDocs = map[string]opDoc{
	"GET /healthz":      {tag: "operations", summary: "Health check", description: "200 when the database and the event log answer; 503 otherwise.", data: wire.Health{}},
	"GET /metrics":      {tag: "operations", summary: "Prometheus metrics", raw: "text/plain"},
	"GET /openapi.json": {tag: "operations", summary: "This document", raw: "application/json"},
	"GET /docs/errors":  {tag: "operations", summary: "The error codes", description: "HTML (each code an anchor, where doc_url points) or JSON with Accept: application/json.", raw: "text/html", moreRaw: []string{"application/json"}},
	"GET /webhooks/whatsapp": {tag: "whatsapp", summary: "Meta's subscription handshake",
		description: "Answers hub.challenge when hub.mode is subscribe and hub.verify_token matches WHATSAPP_VERIFY_TOKEN.",
		query:       []param{{"hub.mode", "string", "subscribe"}, {"hub.verify_token", "string", "The verify token set in Meta's app dashboard."}, {"hub.challenge", "string", "Echoed back."}},
		raw:         "text/plain", errors: []int{http.StatusUnauthorized}},
	"POST /webhooks/whatsapp": {tag: "whatsapp", summary: "WhatsApp webhook ingress",
		description: "Meta's notifications, checked against X-Hub-Signature-256 (HMAC-SHA256 with WHATSAPP_APP_SECRET) over the raw body. 200 only once the effects are committed; bodies over 3 MB, bad signatures and malformed JSON get a 4xx envelope and change nothing.",
		body:        map[string]any{}, raw: "empty", errors: []int{http.StatusUnauthorized}},

	"POST /v1/login": {tag: "auth", summary: "Sign in with e-mail and password",
		description: "Returns a token with the scopes of the user's role. After 5 wrong attempts within a minute the account is locked for a minute (LOGIN_LOCKED with Retry-After). Failed sign-ins are also counted per client address, whatever the accounts (behind a reverse proxy listed in --trusted-proxies, the address X-Forwarded-For names): after 10 at once (one more every 30 s), the address is refused for 30 s, twice as long at each block in a row up to 15 minutes (RATE_LIMITED with Retry-After), even with a right password; other addresses are not affected.",
		body:        wire.LoginRequest{}, data: wire.LoginResult{}, errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests}},
	"POST /v1/logout":        {tag: "auth", summary: "Revoke the calling token", noContent: true},
	"GET /v1/me":             {tag: "auth", summary: "The calling token and its user", data: wire.Me{}},
	"GET /v1/tokens":         {tag: "auth", summary: "List tokens (never their secrets)", query: []param{pLimit, pCursor, {"include_revoked", "boolean", "Include revoked tokens."}}, data: wire.TokenInfo{}, list: true},
	"POST /v1/tokens":        {tag: "auth", summary: "Create an API token", description: "For an integration (role supervisor or admin) or on behalf of a user (user_id: their role applies). The secret is in this answer only; it is stored as a SHA-256 hash.", body: wire.TokenRequest{}, data: wire.NewToken{}, status: http.StatusCreated, errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
	"DELETE /v1/tokens/{id}": {tag: "auth", summary: "Revoke one token", description: "Takes effect at once: the next request is refused and open streams of the token are closed (4001).", noContent: true},

	"GET /v1/users":         {tag: "users", summary: "List users", query: []param{pLimit, pCursor, {"role", "string", "agent, supervisor or admin."}, {"team", "string", "Members of a team."}}, data: domain.User{}, list: true},
	"PUT /v1/users":         {tag: "users", summary: "Create or replace a user by e-mail", description: "Creates the user (email, name, role and password required; 201) or replaces the existing one's name, role and teams (200).", body: wire.UserInput{}, data: domain.User{}, errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, created: true},
	"GET /v1/users/{id}":    {tag: "users", summary: "One user", data: domain.User{}},
	"PATCH /v1/users/{id}":  {tag: "users", summary: "Change some fields of a user", description: "A new password signs the user out everywhere.", body: wire.UserInput{}, data: domain.User{}, errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}},
	"DELETE /v1/users/{id}": {tag: "users", summary: "Delete a user", description: "Their tokens are revoked; their messages and notes keep their id.", noContent: true, errors: []int{http.StatusConflict}},

	"GET /v1/accounts": {tag: "accounts", summary: "WhatsApp numbers with state, quality and message counts",
		description: "The numbers the hub is configured for (WHATSAPP_PHONE_NUMBER_ID). Admins also get the numbers known only from webhooks (configured: false): their messages are kept, for admins only, and nothing is sent from them until they are configured.",
		data:        domain.Account{}, list: true},
	"GET /v1/conversations": {tag: "conversations", summary: "List conversations, newest activity first",
		description: "Agents get only their own and unassigned conversations; only admins get those of numbers the hub is not configured for (account_unconfigured: true).",
		query: []param{pLimit, pCursor, {"status", "string", "open, pending, snoozed or closed."}, {"assignee", "string", "A user id, me or none."},
			{"team", "string", "Team name."}, {"unanswered", "boolean", "Only conversations waiting for a reply."}, {"account", "string", "A phone_number_id (digits)."}, {"phone", "string", "The customer's number, any format."}},
		data: domain.Conversation{}, list: true, errors: []int{http.StatusUnprocessableEntity}},
	"GET /v1/conversations/{id}": {tag: "conversations", summary: "A conversation with its 50 most recent messages (newest first)", data: hub.ConversationDetail{}},
	"PATCH /v1/conversations/{id}": {tag: "conversations", summary: "Change status, assignee (null unassigns) or team",
		description: "Honours Idempotency-Key (same key and body: the first answer again, with no second change; different body: IDEMPOTENCY_CONFLICT).",
		body:        wire.ConversationPatch{}, data: domain.Conversation{}, keyed: true, errors: []int{http.StatusUnprocessableEntity}},
	"GET /v1/conversations/{id}/messages": {tag: "conversations", summary: "A conversation's messages, newest page first",
		query: []param{pLimit, pCursor}, data: domain.Message{}, list: true},
	"GET /v1/conversations/{id}/notes": {tag: "conversations", summary: "Internal notes, newest first", query: []param{pLimit, pCursor}, data: domain.Note{}, list: true},
	"POST /v1/conversations/{id}/notes": {tag: "conversations", summary: "Add an internal note (never sent to the customer)",
		description: "Honours Idempotency-Key (same key and body: the first note again, not a second one; different body: IDEMPOTENCY_CONFLICT).",
		body:        wire.NoteInput{}, data: domain.Note{}, status: http.StatusCreated, keyed: true, errors: []int{http.StatusUnprocessableEntity}},
	"GET /v1/counters": {tag: "conversations", summary: "Unanswered counters", description: "Total, unassigned, per agent, per team and the oldest waiting time. Agents get the total, the unassigned count and their own.", data: domain.Counters{}},

	"POST /v1/messages": {tag: "messages", summary: "Send a message of any type (queued)",
		description: "to (any phone format) or conversation_id; account_id when several numbers exist; type and the Cloud API object under that key. Templates: {\"type\":\"template\",\"template\":{\"name\",\"language\",\"variables\":{\"1\":\"…\"}}} or raw components. Honours Idempotency-Key (same key and body: the first answer again; different body: IDEMPOTENCY_CONFLICT). Answers 202 with the queued message.",
		body:        wire.SendRequest{}, data: domain.Message{}, status: http.StatusAccepted, keyed: true, errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
	"GET /v1/messages": {tag: "messages", summary: "Query messages (delivery status lookups)",
		query: []param{pLimit, pCursor, {"phone", "string", "Any format."}, {"direction", "string", "inbound or outbound."},
			{"status", "string", "received, queued, sent, delivered, read or failed."}, {"type", "string", "Message type."},
			{"since", "string", "RFC 3339 time or date."}, {"until", "string", "RFC 3339 time or date."}, {"conversation_id", "integer", "One conversation."}},
		data: domain.Message{}, list: true, errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
	"GET /v1/messages/{id}": {tag: "messages", summary: "One message", data: domain.Message{}},
	"POST /v1/messages/{id}/read": {tag: "messages", summary: "Mark an inbound message (and the earlier ones) read",
		description: "Honours Idempotency-Key (a retry changes nothing and sends no second read receipt).",
		query:       []param{{"typing", "boolean", "Also show the customer the typing indicator."}}, data: domain.Message{}, keyed: true,
		errors: []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadGateway, http.StatusServiceUnavailable}},
	"GET /v1/media/{id}": {tag: "messages", summary: "Media of a message (proxied and cached)",
		description: "The hub downloads through the Cloud API once and caches under --data. Only media ids the hub has seen are served — in a message it stored (received or sent) or an upload it made — and only to callers who may see a message carrying it (agents: their own and unassigned conversations) or who uploaded it; anything else is 404 NOT_FOUND and never reaches the Cloud API. The token may be given as ?access_token= for <img> tags.",
		query:       []param{{"access_token", "string", "The token, for clients that cannot set headers."}},
		raw:         "image/*", moreRaw: []string{"video/*", "audio/*", "application/*", "text/*"}, ranges: true, errors: []int{http.StatusBadGateway}},
	"POST /v1/media": {tag: "messages", summary: "Upload a file to send (image, video, audio, document, sticker)",
		description: "multipart/form-data with a file part (its Content-Type is the file's type; or give a type field first) and an optional account_id (defaults to the only number). The type and size are checked against WhatsApp's limits before anything goes to Meta: image 5 MB (jpeg, png), video and audio 16 MB, sticker 500 KB (webp), document 100 MB. Answers 201 with the media id to send as {\"image\": {\"id\": …}} (or video, audio, document, sticker) in POST /v1/messages; the hub keeps a copy, so GET /v1/media/{id} serves it at once. Errors: UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, VALIDATION_FAILED (field file). Honours Idempotency-Key (same key and file: the first answer again, without a second upload).",
		body:        mediaUploadForm{}, bodyMedia: []string{"multipart/form-data"}, data: wire.UploadedMedia{}, status: http.StatusCreated, keyed: true, errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadGateway}},

	"GET /v1/templates": {tag: "templates", summary: "Synced templates",
		query: []param{pLimit, pCursor, {"status", "string", "APPROVED, PENDING, …"}, {"name", "string", "Template name."}, {"language", "string", "Language code."}, {"account", "string", "A phone_number_id (digits)."}},
		data:  domain.Template{}, list: true, errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
	"POST /v1/templates":          templateDocs["POST /v1/templates"],
	"POST /v1/templates/validate": templateDocs["POST /v1/templates/validate"],
	"POST /v1/templates/sync":     {tag: "templates", summary: "Reload templates from the WhatsApp Business Account", data: domain.Template{}, list: true, errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusBadGateway}},
	"DELETE /v1/templates/{name}": templateDocs["DELETE /v1/templates/{name}"],

	"POST /v1/deliveries": {tag: "deliveries", summary: "Bulk template send",
		description: "JSON {template, language, recipients: [{phone, variables}]}; or text/csv with ?template=&language= (a phone column plus one column per variable); or multipart/form-data with fields template, language, account_id and file. Each recipient moves pending → in_progress → processed_ok | processed_ko (reason invalid_number, opted_out, template_error, meta_error).",
		body:        wire.DeliveryRequest{}, bodyMedia: []string{"application/json", "text/csv", "multipart/form-data"}, data: wire.Delivery{}, status: http.StatusAccepted, errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
	"GET /v1/deliveries": {tag: "deliveries", summary: "Bulk jobs, newest first",
		query: []param{pLimit, pCursor, {"phone", "string", "Jobs with this recipient (any format)."}, {"since", "string", "Created at or after."}, {"until", "string", "Created before."}},
		data:  Delivery{}, list: true, errors: []int{http.StatusUnprocessableEntity}},
	"GET /v1/deliveries/{id}": {tag: "deliveries", summary: "A job's progress and per-recipient results",
		query: []param{pLimit, pCursor, {"state", "string", "pending, in_progress, processed_ok or processed_ko."}}, data: wire.Delivery{}},

	"GET /v1/optouts":            {tag: "contacts", summary: "Contacts who opted out", query: []param{pLimit, pCursor}, data: domain.Contact{}, list: true},
	"POST /v1/optouts":           {tag: "contacts", summary: "Opt a number out", description: "Every later send to it is refused with OPTED_OUT, bulk included. An unknown number gets a contact.", body: wire.OptOutRequest{}, data: domain.Contact{}, errors: []int{http.StatusUnprocessableEntity}},
	"DELETE /v1/optouts/{phone}": {tag: "contacts", summary: "Opt a number back in", noContent: true, errors: []int{http.StatusUnprocessableEntity}},
	"GET /v1/contacts":           {tag: "contacts", summary: "List contacts", query: []param{pLimit, pCursor, {"phone", "string", "Any format."}, {"q", "string", "Name or number search."}}, data: domain.Contact{}, list: true, errors: []int{http.StatusUnprocessableEntity}},
	"PATCH /v1/contacts":         {tag: "contacts", summary: "Upsert a contact by id or phone", description: "By id (moving it to phone when given) or by phone (created when new: 201). Attributes, when given, replace the contact's.", body: wire.ContactInput{}, data: domain.Contact{}, errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}, created: true},
	"GET /v1/contacts/{id}":      {tag: "contacts", summary: "One contact", data: domain.Contact{}},
	"DELETE /v1/contacts/{id}":   {tag: "contacts", summary: "Delete a contact", noContent: true},

	"GET /v1/stream": {tag: "events", summary: "Realtime stream (websocket)",
		description: "Upgrade to a websocket. Authenticate with a header or ?access_token= (browsers cannot set headers on websockets). A browser page may connect only from the hub's own origin or one listed in --allowed-origins (403 FORBIDDEN otherwise); programs send no Origin. Give the last applied seq as ?since= (or since=head for live only), or send {\"kind\":\"resume\",\"since\":N} first. Frames: hello, event, hidden (agents: drop that conversation), live (replay done), heartbeat {seq, head}, resync (then close 4000: load a snapshot), error. Every event is checked against the caller's access as it is when the event is sent. Close codes: 4000 resync required; 4001 the token no longer works (revoked, expired, its user disabled or deleted; an error frame says which): sign in again; 4002 bad resume message; 4003 the user's role or the token's scopes changed (a resync frame comes first): load a snapshot of what you may see now and reconnect; 4008 the client was too slow: reconnect from its last seq.",
		query:       []param{{"since", "string", "Last applied seq, or head."}, {"access_token", "string", "The token, for browsers."}}, raw: "websocket"},
	"GET /v1/events": {tag: "events", summary: "Poll the event log",
		description: "Events after ?since= the caller may see, oldest first, with the log's head and oldest seq. 410 RESYNC_REQUIRED when since is older than the log keeps.",
		query:       []param{pLimit, {"since", "integer", "Last applied seq."}}, data: wire.Frame{}, list: true, errors: []int{http.StatusGone}},

	"GET /v1/events/head": {tag: "events", summary: "The log's newest and oldest seq", description: "Read it before loading a snapshot, then stream from head.", data: wire.EventHead{}},

	"GET /v1/webhooks": {tag: "webhooks", summary: "Outbound webhook subscriptions (secrets masked)", data: wire.Webhook{}, list: true},
	"PUT /v1/webhooks": {tag: "webhooks", summary: "Set the subscription for a URL",
		description: "The hub sends a signed webhook.test request first and refuses a URL that does not answer 2xx. Events are POSTed one per request, in order, signed with X-Switchboard-Signature-256: sha256=HMAC-SHA256(secret, body), retried with exponential backoff.",
		body:        wire.WebhookRequest{}, data: wire.Webhook{}, errors: []int{http.StatusUnprocessableEntity}},
	"DELETE /v1/webhooks/{id}": {tag: "webhooks", summary: "Remove a subscription", noContent: true},
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// buildOpenAPI renders the document from opDocs and the route table's
// scopes.
func (s *Server) buildOpenAPI() ([]byte, error) {
	gen := &schemaGen{defs: map[string]any{}}
	scopes := map[string]Scope{}
	for _, rt := range s.routes {
		scopes[rt.pattern] = rt.scope
	}
	paths := map[string]map[string]any{}
	keys := make([]string, 0, len(opDocs))
	for k := range opDocs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	errRef := gen.schema(reflect.TypeFor[apierr.Envelope]())
	pagRef := gen.schema(reflect.TypeFor[wire.Pagination]())
	for _, k := range keys {
		d := opDocs[k]
		method, path, _ := strings.Cut(k, " ")
		op := map[string]any{"summary": d.summary, "tags": []string{d.tag}, "operationId": operationID(method, path)}
		if d.description != "" {
			op["description"] = d.description
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range d.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": q.typ}})
		}
		if d.keyed {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "description": "Makes a retried request take effect once (1–255 printable ASCII).", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if d.body != nil {
			gen.input = true
			bs := gen.schema(reflect.TypeOf(d.body))
			gen.input = false
			media := d.bodyMedia
			if len(media) == 0 {
				media = []string{"application/json"}
			}
			content := map[string]any{}
			for _, m := range media {
				switch {
				case m == "application/json":
					content[m] = map[string]any{"schema": bs}
				case m == "multipart/form-data" && len(media) == 1:
					// A form only: its fields are the body type's, the
					// file a binary string.
					content[m] = map[string]any{"schema": formSchema(reflect.TypeOf(d.body))}
				default:
					content[m] = map[string]any{"schema": map[string]any{"type": "string"}}
				}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status := d.status
		if status == 0 {
			status = http.StatusOK
		}
		sc, known := scopes[k]
		responses := map[string]any{}
		for _, st := range errorStatuses(path, d, sc) {
			responses[itoa(st)] = errorResponse(st, errRef)
		}
		switch {
		case d.noContent:
			responses["204"] = map[string]any{"description": "Done"}
		case d.raw == "websocket":
			responses["101"] = map[string]any{"description": "Switching to the websocket protocol"}
		case d.raw == "empty":
			responses["200"] = map[string]any{"description": "Accepted and committed"}
		case d.raw != "":
			content := map[string]any{d.raw: map[string]any{}}
			for _, m := range d.moreRaw {
				content[m] = map[string]any{}
			}
			responses["200"] = map[string]any{"description": "OK", "content": content}
			if d.ranges {
				responses["206"] = map[string]any{"description": "The range asked for", "content": content}
				responses["416"] = map[string]any{"description": "The range asked for is not in the file", "content": map[string]any{"text/plain": map[string]any{}}}
			}
		default:
			ds := gen.schema(reflect.TypeOf(d.data))
			body := map[string]any{"type": "object", "required": []string{"data"}, "properties": map[string]any{"data": ds}}
			if d.list {
				body = map[string]any{"type": "object", "required": []string{"data", "pagination"}, "properties": map[string]any{
					"data": map[string]any{"type": "array", "items": ds}, "pagination": pagRef}}
			}
			ok := map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": body}}}
			responses[itoa(status)] = ok
			if d.created {
				responses["201"] = map[string]any{"description": "Created", "content": ok["content"]}
			}
		}
		op["responses"] = responses
		switch {
		case !known:
		case sc == scopePublic:
			op["security"] = []any{}
		default:
			op["security"] = []any{map[string]any{"bearer": []string{string(sc)}}, map[string]any{"apiKey": []string{string(sc)}}}
			op["x-required-scope"] = string(sc)
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		// Relative: the hub answers wherever it is deployed, at the same
		// origin as this document.
		"servers": []any{map[string]any{"url": "/", "description": "The hub serving this document"}},
		"info": map[string]any{
			"title":   "Switchboard hub API",
			"version": "1",
			"description": "The REST API and realtime stream of a Switchboard hub. Success: {\"data\": …} (lists add " +
				"\"pagination\": {\"next_cursor\", \"has_more\"}). Failure: {\"error\": {\"code\", \"message\", \"doc_url\"}}; " +
				"the codes are listed at /docs/errors. Rate limits per token: X-RateLimit-Limit, X-RateLimit-Remaining, " +
				"X-RateLimit-Reset (seconds until the bucket is full) and Retry-After on 429. Phones are accepted in any format and answered in E.164.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": gen.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token>"},
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
			},
		},
		"security": []any{map[string]any{"bearer": []string{}}, map[string]any{"apiKey": []string{}}},
	}
	documentTemplates(gen, paths)
	return json.MarshalIndent(doc, "", "  ")
}

// errorStatuses are the error answers an operation may give: those of
// every operation (500, and 503 while the hub starts or stops), of every
// authenticated one (401, 403, 429), of every one that reads a body (400,
// 408 for a body that arrives too slowly, 413, 415), takes query
// parameters (400), names a record in its path (400, 404) or honours
// Idempotency-Key (400, 409), then its own.
func errorStatuses(path string, d opDoc, sc Scope) []int {
	set := map[int]bool{http.StatusInternalServerError: true, http.StatusServiceUnavailable: true}
	add := func(sts ...int) {
		for _, st := range sts {
			set[st] = true
		}
	}
	if sc != scopePublic {
		add(http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
	}
	if d.body != nil {
		add(http.StatusBadRequest, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	if len(d.query) > 0 {
		add(http.StatusBadRequest)
	}
	if strings.Contains(path, "{") {
		add(http.StatusBadRequest, http.StatusNotFound)
	}
	if d.keyed {
		// A malformed key, or a key used before with another request.
		add(http.StatusBadRequest, http.StatusConflict)
	}
	add(d.errors...)
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
	return out
}

// errorResponse is an error answer: the envelope, with the codes that
// status carries (the console's own codes left out) and, for 429, the
// Retry-After header.
func errorResponse(status int, envelope map[string]any) map[string]any {
	var codes []string
	for _, e := range apierr.Table() {
		if e.Status == status && e.Code != apierr.HubUnreachable && e.Code != apierr.NotSignedIn {
			codes = append(codes, string(e.Code))
		}
	}
	r := map[string]any{
		"description": http.StatusText(status) + ": " + strings.Join(codes, ", ") + " (see /docs/errors).",
		"content":     map[string]any{"application/json": map[string]any{"schema": envelope}},
	}
	if status == http.StatusTooManyRequests {
		r["headers"] = map[string]any{"Retry-After": map[string]any{"description": "Seconds to wait before retrying.", "schema": map[string]any{"type": "integer"}}}
	}
	return r
}

// formSchema describes a multipart form from a struct's json names: a
// field named file is a binary string, the others strings.
func formSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := map[string]any{"type": "string"}
		if name == "file" {
			p["contentMediaType"] = "application/octet-stream"
		}
		props[name] = p
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(path, "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.NewReplacer(".", "_", "-", "_").Replace(seg)
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

// handleOpenAPI is GET /openapi.json.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	s.openapiOnce.Do(func() { s.openapiDoc, s.openapiErr = s.buildOpenAPI() })
	if s.openapiErr != nil {
		return s.openapiErr
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(s.openapiDoc)
	return nil
}
