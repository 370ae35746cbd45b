package whatsapp_test

import (
	"encoding/json"
	"testing"

	"switchboard/backend/whatsapp"
	"switchboard/backend/whatsapp/internal/benchcorpus"
)

func corpus(b *testing.B) ([][]byte, int64) {
	bodies := benchcorpus.Bodies()
	var total int64
	for _, body := range bodies {
		total += int64(len(body))
	}
	return bodies, total
}

// BenchmarkParseNotification parses and flattens the whole corpus per
// operation; compare with BenchmarkDecodeMapAny over the same bytes.
func BenchmarkParseNotification(b *testing.B) {
	bodies, total := corpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			n, err := whatsapp.ParseNotification(body)
			if err != nil {
				b.Fatal(err)
			}
			_ = n.Events()
		}
	}
	b.ReportMetric(float64(len(bodies))*float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
}

// BenchmarkDecodeMapAny is the baseline: encoding/json decoding the same
// bytes into map[string]any.
func BenchmarkDecodeMapAny(b *testing.B) {
	bodies, total := corpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(bodies))*float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
}

// BenchmarkDecodeStructStd is encoding/json decoding into the same structs,
// for reference: what the hand-written decoder saves.
func BenchmarkDecodeStructStd(b *testing.B) {
	bodies, total := corpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			var n whatsapp.Notification
			if err := json.Unmarshal(body, &n); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(bodies))*float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
}

func TestCorpusParses(t *testing.T) {
	for i, body := range benchcorpus.Bodies() {
		n, err := whatsapp.ParseNotification(body)
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		ev := n.Events()
		if len(ev.Messages)+len(ev.Statuses)+len(ev.Templates) == 0 {
			t.Fatalf("body %d produced no events", i)
		}
	}
}
