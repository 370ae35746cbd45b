package hubapi

import (
	"net/http"
	"strconv"

	"switchboard/backend/apierr"
)

// maxWebhookBody is Meta's cap on a webhook body (3 MB); readBody refuses
// a larger one.
const maxWebhookBody = 3 << 20

// handleWebhookVerify is GET /webhooks/whatsapp: Meta's subscription
// handshake (hub.mode, hub.verify_token, hub.challenge).
func (s *Server) handleWebhookVerify(w http.ResponseWriter, r *http.Request) error {
	challenge, err := s.core.VerifySubscription(r.URL.Query())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(challenge))
	return nil
}

// handleWebhook is POST /webhooks/whatsapp: a thin wrapper over the core,
// which checks X-Hub-Signature-256 over the raw body and commits before
// returning nil. 200 only then, so Meta redelivers anything not durable.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r, maxWebhookBody)
	status := http.StatusOK
	if err == nil {
		err = s.core.IngestWebhook(r.Context(), body, r.Header.Get("X-Hub-Signature-256"))
	}
	if err != nil {
		status = apierr.As(err).Status()
	}
	s.metrics.ingressBodies.WithLabelValues(strconv.Itoa(status)).Inc()
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
