package hub

import (
	"context"
	"testing"

	"switchboard/backend/apierr"
	"switchboard/backend/whatsapp"
	"switchboard/backend/whatsapp/webhooktest"
)

// FuzzIngestWebhook feeds arbitrary (correctly signed) bodies to ingestion:
// whatever the bytes, the answer is nil or a 4xx *apierr.Error, never a
// panic or a 5xx, and the service keeps serving.
func FuzzIngestWebhook(f *testing.F) {
	e := newEnv(f)
	now := e.clock.Now()
	f.Add(mustJSON(f, inbound("16505557001", "Fuzz", textMsg("wamid.F1", now, "hola"))))
	f.Add(mustJSON(f, statusBody(status("wamid.F1", "read", now, "16505557001"))))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},"messages":[{"id":"x","type":"reaction","reaction":{}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}`))
	f.Add([]byte(`[]`))
	// Junk of every shape, a few elements long (bodies past the bounds are
	// the unit tests' business: seeds that large only slow the fuzzer),
	// and bodies for placeholder and unconfigured numbers.
	for _, shape := range webhooktest.Shapes(testAccount) {
		f.Add(shape.Repeat(3))
	}
	for _, pnid := range []string{"PHONE_NUMBER_ID", "0", "999000"} {
		f.Add(mustJSON(f, fromNumber(inbound("16505557002", "P", textMsg("wamid.F2", now, "x")), pnid, "15550009999")))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := e.svc.IngestWebhook(context.Background(), body, whatsapp.Sign([]byte(testSecret), body))
		if err == nil {
			return
		}
		ae := apierr.As(err)
		if ae.Status() >= 500 {
			t.Fatalf("a body got %s (%d): %v", ae.Code, ae.Status(), err)
		}
	})
}
