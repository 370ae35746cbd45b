package hub

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"switchboard/backend/whatsapp"
)

// BenchmarkIngest measures signed webhook ingestion with durable group
// commit, 64 concurrent deliveries, one text message per body.
func BenchmarkIngest(b *testing.B) {
	b.StopTimer()
	env := newEnv(b, func(c *Config) {
		if v := os.Getenv("HUB_LINGER"); v != "" {
			c.CommitLinger, _ = time.ParseDuration(v)
		}
	})
	now := env.clock.Now()
	bodies := make([][]byte, b.N)
	sigs := make([]string, b.N)
	for i := range bodies {
		// Random wamids, like Meta's: inserts land all over the index.
		wamid := fmt.Sprintf("wamid.HBgL%016x%016x", rand.Uint64(), rand.Uint64())
		bodies[i] = mustJSON(b, inbound(fmt.Sprintf("1555%07d", i%2000), "Bench", textMsg(wamid, now, "hello there")))
		sigs[i] = whatsapp.Sign([]byte(testSecret), bodies[i])
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	b.StartTimer()
	for range 256 {
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
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
	txs, writes := env.svc.WriterStats()
	b.ReportMetric(float64(writes)/float64(max(txs, 1)), "writes/commit")
}

// cpuTime is the process's user+system CPU time: a measure of work that
// other processes on a busy machine do not distort the way wall time is.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
