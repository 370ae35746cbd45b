package hubapi

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	rtmetrics "runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
	"switchboard/backend/whatsapp/webhooktest"
)

// The runtime metrics the test reads: the heap's object bytes (live or not
// yet swept) and the bytes allocated so far.
const (
	metricHeap   = "/memory/classes/heap/objects:bytes"
	metricAllocs = "/gc/heap/allocs:bytes"
)

func readMetric(name string) uint64 {
	s := []rtmetrics.Sample{{Name: name}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}

// Eight signed bodies of junk, posted at once through the real HTTP
// handler, are refused or kept after bounded work: the heap grows by less
// than 300 MB whatever their shape, for 3 MB of each shape and (without the
// race detector, which makes them minutes long) for the largest bodies
// accepted: as many distinct messages or statuses as a body may hold, all
// stored by the hub. Memory is what is asserted, never time.
func TestWebhookJunkMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("posts eight 3 MB bodies per shape")
	}
	e := newEnv(t)
	const limit = 300 << 20
	type junk struct {
		name string
		body []byte
	}
	var cases []junk
	for _, shape := range webhooktest.Shapes(e.sb.PhoneNumbers()[0].ID) {
		cases = append(cases, junk{shape.Name + ", 3 MB", shape.Fill(maxWebhookBody)})
		if b := shape.Repeat(whatsapp.MaxWebhookUpdates); !raceDetector && shape.List != "" && len(b) <= maxWebhookBody {
			cases = append(cases, junk{shape.Name + ", the most a body may hold", b})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Eight different bodies of the same length: distinct ids are
			// stored, not recognised as redeliveries.
			bodies := make([][]byte, 8)
			for i := range bodies {
				bodies[i] = bytes.ReplaceAll(c.body, []byte("wamid.junk"), fmt.Appendf(nil, "wamid.jun%d", i))
			}
			// One more P than the machine has cores: the sampler's thread
			// then competes with the ingests for the CPU through the
			// operating system's scheduler rather than waiting behind them
			// for a P, so it sees the peak.
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU() + 1))
			runtime.GC()
			base := readMetric(metricHeap)
			allocs0 := readMetric(metricAllocs)
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				for {
					if h := readMetric(metricHeap); h > peak.Load() {
						peak.Store(h)
					}
					select {
					case <-stop:
						return
					default:
						time.Sleep(50 * time.Microsecond)
					}
				}
			}()
			var wg sync.WaitGroup
			statuses := make([]int, len(bodies))
			for i, body := range bodies {
				wg.Go(func() {
					req, _ := http.NewRequest("POST", e.url+"/webhooks/whatsapp", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Hub-Signature-256", whatsapp.Sign([]byte(e.sb.AppSecret()), body))
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
					statuses[i] = res.StatusCode
				})
			}
			wg.Wait()
			close(stop)
			<-sampled
			grew := int64(peak.Load()) - int64(base)
			t.Logf("%d bytes: answers %v, the heap grew by %.1f MB at its peak, %.1f MB allocated", len(c.body), statuses, float64(grew)/(1<<20), float64(readMetric(metricAllocs)-allocs0)/(1<<20))
			if grew > limit {
				t.Errorf("the heap grew by %.0f MB, more than %d MB", float64(grew)/(1<<20), limit>>20)
			}
			for _, st := range statuses {
				if st >= 500 {
					t.Errorf("answered %d", st)
				}
			}
		})
	}
}

// Huge messages do not pin memory in the stream's ring of recent events:
// it is bounded in bytes as well as in events, and a client resuming from
// before the ring still gets every event, from the database.
func TestStreamRingBoundedInBytes(t *testing.T) {
	const ringBytes = 256 << 10
	e := newEnv(t, withAPI(func(c *Config) { c.Stream.RingBytes = ringBytes }))
	pnid := e.sb.PhoneNumbers()[0].ID
	start := headOf(t, e)
	for i := range 12 {
		body := messageTo(pnid, "14155550190", fmt.Sprintf("wamid.HUGE%d", i), strings.Repeat("x", 100<<10))
		if res := e.postWebhook(body); res.status != 200 {
			t.Fatalf("webhook %d: %d %s", i, res.status, res.body)
		}
	}
	head := headOf(t, e)
	e.eventually(func() bool { return e.srv.broker.headSeq() == head }, "the broker to reach %d", head)
	e.srv.broker.mu.Lock()
	held := e.srv.broker.ringBytes
	e.srv.broker.mu.Unlock()
	if held > 2*ringBytes {
		t.Errorf("the ring holds %d bytes of frames, more than twice its %d", held, ringBytes)
	}
	c := e.mustDial(e.supervisor.token, "since="+strconv.FormatInt(start, 10))
	got := 0
	for _, f := range c.until(func(f wsFrame) bool { return f.Kind == "live" }) {
		if f.Kind == "event" && f.Event.Type == domain.EventMessageCreated {
			got++
		}
	}
	if got != 12 {
		t.Errorf("the resumed client got %d of the 12 messages", got)
	}
}
