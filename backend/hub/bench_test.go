package hub

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/backend/whatsapp"
)

// BenchmarkIngest measures signed webhook ingestion with durable group
// commit, 64 concurrent deliveries, one text message per body.
func BenchmarkIngest(b *testing.B) {
	b.StopTimer()
	env := newEnv(b)
	now := env.clock.Now()
	bodies := make([][]byte, b.N)
	sigs := make([]string, b.N)
	for i := range bodies {
		bodies[i] = mustJSON(b, inbound(fmt.Sprintf("1555%07d", i%500), "Bench", textMsg(newWAMID(), now, "hello there")))
		sigs[i] = whatsapp.Sign([]byte(testSecret), bodies[i])
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.StartTimer()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				if err := env.svc.IngestWebhook(context.Background(), bodies[i], sigs[i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	txs, writes := env.svc.WriterStats()
	b.ReportMetric(float64(writes)/float64(max(txs, 1)), "writes/commit")
}
