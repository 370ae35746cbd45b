package hubapi

import (
	"net/http"

	"switchboard/backend/wire"
)

// Outbound webhook subscriptions. Delivery (the per-subscription workers,
// signing, retries) runs in the hub: hub/webhooks.go.

// handlePutWebhook is PUT /v1/webhooks: sets the subscription for a URL
// (replacing its events and secret). The hub first sends a signed
// webhook.test request and refuses a URL that does not answer 2xx.
// Delivery starts with the next event.
func (s *Server) handlePutWebhook(w http.ResponseWriter, r *http.Request) error {
	var in wire.WebhookRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.core.SetWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, out)
}

// handleListWebhooks is GET /v1/webhooks (secrets masked).
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.core.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	for i := range subs {
		subs[i].Secret = maskSecret(subs[i].Secret)
	}
	return s.writeList(w, subs, Pagination{})
}

// handleDeleteWebhook is DELETE /v1/webhooks/{id}.
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.core.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func maskSecret(s string) string {
	if len(s) <= 10 {
		return "…"
	}
	return s[:10] + "…"
}
