package hubapi

import "net/http"

// route is one row of the API: its method pattern, the scope a token
// needs (scopePublic for the few open routes), whether the token may come
// as ?access_token= (for browsers' websockets and <img> tags), how long
// its body may take to arrive, and the handler.
type route struct {
	pattern    string
	scope      Scope
	queryToken bool
	body       bodyKind
	h          handlerFunc
}

// routeTable is every route the hub serves. The OpenAPI document is
// checked against it by the tests, both ways.
func (s *Server) routeTable() []route {
	return []route{
		// Operations and documentation.
		{pattern: "GET /healthz", scope: scopePublic, h: s.handleHealth},
		{pattern: "GET /metrics", scope: scopePublic, h: s.handleMetrics},
		{pattern: "GET /openapi.json", scope: scopePublic, h: s.handleOpenAPI},
		{pattern: "GET /docs/errors", scope: scopePublic, h: s.handleErrorDocs},

		// WhatsApp's webhook ingress: authenticated by Meta's signature.
		{pattern: "GET /webhooks/whatsapp", scope: scopePublic, h: s.handleWebhookVerify},
		{pattern: "POST /webhooks/whatsapp", scope: scopePublic, body: bodyWebhook, h: s.handleWebhook},

		// Sign-in and tokens.
		{pattern: "POST /v1/login", scope: scopePublic, h: s.handleLogin},
		{pattern: "POST /v1/logout", scope: ScopeRead, h: s.handleLogout},
		{pattern: "GET /v1/me", scope: ScopeRead, h: s.handleMe},
		{pattern: "GET /v1/tokens", scope: ScopeAdmin, h: s.handleListTokens},
		{pattern: "POST /v1/tokens", scope: ScopeAdmin, h: s.handleCreateToken},
		{pattern: "DELETE /v1/tokens/{id}", scope: ScopeAdmin, h: s.handleRevokeToken},

		// Users.
		{pattern: "GET /v1/users", scope: ScopeRead, h: s.handleListUsers},
		{pattern: "PUT /v1/users", scope: ScopeAdmin, h: s.handlePutUser},
		{pattern: "GET /v1/users/{id}", scope: ScopeRead, h: s.handleGetUser},
		{pattern: "PATCH /v1/users/{id}", scope: ScopeAdmin, h: s.handlePatchUser},
		{pattern: "DELETE /v1/users/{id}", scope: ScopeAdmin, h: s.handleDeleteUser},

		// Accounts, conversations, notes, counters.
		{pattern: "GET /v1/accounts", scope: ScopeRead, h: s.handleAccounts},
		{pattern: "GET /v1/conversations", scope: ScopeRead, h: s.handleListConversations},
		{pattern: "GET /v1/conversations/{id}", scope: ScopeRead, h: s.handleGetConversation},
		{pattern: "PATCH /v1/conversations/{id}", scope: ScopeWrite, h: s.handlePatchConversation},
		{pattern: "GET /v1/conversations/{id}/messages", scope: ScopeRead, h: s.handleConversationMessages},
		{pattern: "GET /v1/conversations/{id}/notes", scope: ScopeRead, h: s.handleListNotes},
		{pattern: "POST /v1/conversations/{id}/notes", scope: ScopeWrite, h: s.handleAddNote},
		{pattern: "GET /v1/counters", scope: ScopeRead, h: s.handleCounters},

		// Messages and media.
		{pattern: "POST /v1/messages", scope: ScopeWrite, h: s.handleSend},
		{pattern: "GET /v1/messages", scope: ScopeRead, h: s.handleListMessages},
		{pattern: "GET /v1/messages/{id}", scope: ScopeRead, h: s.handleGetMessage},
		{pattern: "POST /v1/messages/{id}/read", scope: ScopeWrite, h: s.handleMarkRead},
		{pattern: "GET /v1/media/{id}", scope: ScopeRead, queryToken: true, h: s.handleMedia},
		{pattern: "POST /v1/media", scope: ScopeWrite, h: s.handleUploadMedia},

		// Templates.
		{pattern: "GET /v1/templates", scope: ScopeRead, h: s.handleListTemplates},
		{pattern: "POST /v1/templates", scope: ScopeTemplatesWrite, h: s.handleCreateTemplate},
		{pattern: "POST /v1/templates/sync", scope: ScopeTemplatesWrite, h: s.handleSyncTemplates},
		{pattern: "POST /v1/templates/validate", scope: ScopeRead, h: s.handleValidateTemplate},
		{pattern: "DELETE /v1/templates/{name}", scope: ScopeTemplatesWrite, h: s.handleDeleteTemplate},

		// Bulk template deliveries.
		{pattern: "POST /v1/deliveries", scope: ScopeWrite, h: s.handleCreateDelivery},
		{pattern: "GET /v1/deliveries", scope: ScopeRead, h: s.handleListDeliveries},
		{pattern: "GET /v1/deliveries/{id}", scope: ScopeRead, h: s.handleGetDelivery},

		// Opt-outs and contacts.
		{pattern: "GET /v1/optouts", scope: ScopeRead, h: s.handleListOptOuts},
		{pattern: "POST /v1/optouts", scope: ScopeWrite, h: s.handleAddOptOut},
		{pattern: "DELETE /v1/optouts/{phone}", scope: ScopeWrite, h: s.handleDeleteOptOut},
		{pattern: "GET /v1/contacts", scope: ScopeRead, h: s.handleListContacts},
		{pattern: "PATCH /v1/contacts", scope: ScopeWrite, h: s.handleUpsertContact},
		{pattern: "GET /v1/contacts/{id}", scope: ScopeRead, h: s.handleGetContact},
		{pattern: "DELETE /v1/contacts/{id}", scope: ScopeWrite, h: s.handleDeleteContact},

		// Events: the realtime stream and its polling twin.
		{pattern: "GET /v1/stream", scope: ScopeRead, queryToken: true, h: s.handleStream},
		{pattern: "GET /v1/events", scope: ScopeRead, h: s.handleEvents},
		{pattern: "GET /v1/events/head", scope: ScopeRead, h: s.handleEventHead},

		// Outbound webhooks for external systems.
		{pattern: "GET /v1/webhooks", scope: ScopeAdmin, h: s.handleListWebhooks},
		{pattern: "PUT /v1/webhooks", scope: ScopeAdmin, h: s.handlePutWebhook},
		{pattern: "DELETE /v1/webhooks/{id}", scope: ScopeAdmin, h: s.handleDeleteWebhook},
	}
}

// buildMux registers the route table and the envelope-writing fallback.
func (s *Server) buildMux() {
	s.mux = http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.pattern, s.wrap(rt))
		s.patterns = append(s.patterns, rt.pattern)
	}
	// Anything else: 404 or 405, as envelopes. Being the catch-all for
	// every method, it also keeps the mux from answering 405 itself.
	s.mux.Handle("/", s.wrap(route{pattern: "/", scope: scopePublic, h: s.notFoundOrMethod}))
}
