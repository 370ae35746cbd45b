package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSendText measures the send path over real HTTP: decode,
// validate, throughput bucket, store, answer, and the three statuses queued
// for a receiver that accepts everything.
func BenchmarkSendText(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer sink.Close()
	sb, err := New(Config{
		Seed: 1, WebhookURL: sink.URL, StatusDelays: &StatusDelays{},
		PhoneNumbers: []PhoneNumber{{ID: DefaultPhoneNumberID, DisplayNumber: DefaultDisplayNumber, Throughput: 1e9}},
		Customers:    CustomerConfig{ReplyProbability: -1, ReadProbability: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	base, _ := sb.Start("127.0.0.1:0")
	to := sb.Customers()[0].WaID
	sb.CustomerSend(to, InboundMessage{Type: "text", Text: "hi"})
	body := []byte(`{"messaging_product":"whatsapp","recipient_type":"individual","to":"` + to + `","type":"text","text":{"body":"Your order has shipped 📦"}}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", base+"/v23.0/"+DefaultPhoneNumberID+"/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkInboundBodies measures how fast the sandbox makes signed inbound
// webhook bodies for the hub's ingest benchmark.
func BenchmarkInboundBodies(b *testing.B) {
	sb, err := New(Config{Seed: 1, Customers: CustomerConfig{Count: 500}})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	b.ResetTimer()
	bodies := sb.InboundBodies(b.N, 1)
	b.StopTimer()
	var size int
	for _, x := range bodies {
		size += len(x.Body)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
	b.ReportMetric(float64(size)/float64(b.N), "B/body")
}

// BenchmarkWebhookDelivery measures customer messages posted, signed, to a
// receiver over real HTTP.
func BenchmarkWebhookDelivery(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer sink.Close()
	sb, err := New(Config{Seed: 1, WebhookURL: sink.URL, Customers: CustomerConfig{Count: 1000}})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	b.ResetTimer()
	sb.Generate(b.N)
	for sb.Stats().WebhookEvents < int64(b.N) {
		if st := sb.Stats(); st.WebhooksPending == 0 {
			break
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
