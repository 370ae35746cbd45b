// Command hubapi-bench measures the hub's realtime path on loopback and prints
// each figure next to a baseline measured in the same run:
//
//   - latency from a signed WhatsApp webhook arriving at the hub to its
//     message.created event reaching a websocket client, at a steady
//     1,000 messages/s (goal: p99 < 25 ms);
//   - fan-out of those events to 1,000 connected websocket clients
//     (goal: p99 delivery < 100 ms).
//
// The baseline for both is websocket fan-out with the hub taken out: an
// HTTP handler that, for each webhook POSTed at the same pace, hands
// exactly the frames the hub sent for it (recorded in the same run) to a
// writer goroutine per client, gorilla's chat-example pattern.
//
// Run it with: go run ./backend/hubapi/cmd/hubapi-bench
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/hubapi"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

func main() {
	var (
		rate     = flag.Int("rate", 1000, "webhook messages per second for the latency run")
		duration = flag.Duration("duration", 3*time.Second, "length of the latency run")
		clients  = flag.Int("clients", 1000, "websocket clients for the fan-out run")
		fanRate  = flag.Int("fanout-rate", 50, "webhook messages per second for the fan-out run")
		fanDur   = flag.Duration("fanout-duration", 2*time.Second, "length of the fan-out run")
		cpu      = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	)
	flag.Parse()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*rate, *duration, *clients, *fanRate, *fanDur); err != nil {
		fmt.Fprintln(os.Stderr, "hubapi-bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// raiseFileLimit lets one process hold both ends of thousands of sockets.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// hubUnderTest is the real hub (core on SQLite with durable commits, API
// server) on a loopback listener, and the sandbox that signs the bodies.
type hubUnderTest struct {
	sb    *sandbox.Sandbox
	core  *hub.Service
	srv   *hubapi.Server
	url   string
	admin string
	close func()
}

func startHub(customers int) (*hubUnderTest, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hubapi-bench-")
	if err != nil {
		return nil, err
	}
	sb, err := sandbox.New(sandbox.Config{Seed: 42, Customers: sandbox.CustomerConfig{Count: customers, ReplyProbability: -1, ReadProbability: -1}})
	if err != nil {
		return nil, err
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	st, err := sqlitestore.Open(filepath.Join(dir, "hub.db"), sqlitedb.Options{})
	if err != nil {
		return nil, err
	}
	api := whatsapp.NewClient(base, sb.AccessToken())
	p := sb.PhoneNumbers()[0]
	quiet := slog.New(slog.DiscardHandler)
	core, err := hub.New(ctx, hub.Config{Store: st, API: api, AppSecret: sb.AppSecret(), VerifyToken: "bench", Logger: quiet,
		BcryptCost: bcrypt.MinCost,
		Accounts:   []domain.Account{{ID: p.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: "+" + p.DisplayNumber, ThroughputMPS: 1000}}})
	if err != nil {
		return nil, err
	}
	srv, err := hubapi.New(ctx, hubapi.Config{Core: core, Media: api, DataDir: dir, Logger: quiet,
		RateLimit: 1e6, RateBurst: 1e6,
		Stream: hubapi.StreamConfig{Buffer: 4096}})
	if err != nil {
		return nil, err
	}
	srv.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	admin, err := srv.EnsureAdminToken(ctx, "")
	if err != nil {
		return nil, err
	}
	h := &hubUnderTest{sb: sb, core: core, srv: srv, url: "http://" + ln.Addr().String(), admin: admin}
	h.close = func() {
		srv.Close()
		hs.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		core.Close(cctx)
		sb.Close()
		st.Close()
		os.RemoveAll(dir)
	}
	return h, nil
}

// body is one signed webhook with the wamid of its single message.
type body struct {
	sandbox.SignedBody
	wamid string
}

func bodies(sb *sandbox.Sandbox, n int) []body {
	out := make([]body, 0, n)
	for _, b := range sb.InboundBodies(n, 1) {
		if w := wamidOf(b.Body); w != "" {
			out = append(out, body{SignedBody: b, wamid: w})
		}
	}
	return out
}

// wamidOf is the id of the first message in a webhook body.
func wamidOf(b []byte) string {
	var note struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						ID string `json:"id"`
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if json.Unmarshal(b, &note) == nil && len(note.Entry) > 0 && len(note.Entry[0].Changes) > 0 &&
		len(note.Entry[0].Changes[0].Value.Messages) > 0 {
		return note.Entry[0].Changes[0].Value.Messages[0].ID
	}
	return ""
}

// clock records when each key was sent and when it arrived, per
// receiver.
type clock struct {
	mu   sync.Mutex
	sent map[string]time.Time
	lat  []time.Duration
	want int
	done chan struct{}
}

func newClock(want int) *clock {
	return &clock{sent: map[string]time.Time{}, want: want, done: make(chan struct{})}
}

func (c *clock) markSent(key string) {
	c.mu.Lock()
	c.sent[key] = time.Now()
	c.mu.Unlock()
}

func (c *clock) arrived(key string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t0, ok := c.sent[key]
	if !ok {
		return
	}
	c.lat = append(c.lat, at.Sub(t0))
	if len(c.lat) == c.want {
		close(c.done)
	}
}

// add records a duration directly (nil-safe).
func (c *clock) add(d time.Duration) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.lat = append(c.lat, d)
	c.mu.Unlock()
}

func (c *clock) wait(d time.Duration) {
	select {
	case <-c.done:
	case <-time.After(d):
	}
}

type stats struct {
	n             int
	p50, p99, max time.Duration
}

func (c *clock) stats() stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := append([]time.Duration(nil), c.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	if len(l) == 0 {
		return stats{}
	}
	q := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
	return stats{n: len(l), p50: q(0.50), p99: q(0.99), max: l[len(l)-1]}
}

// pace posts each body at a steady rate (open loop: a slow answer does
// not slow the schedule) with enough workers to keep it.
func pace(target string, bs []body, rate int, mark func(body)) (late int) {
	late, _ = paceAck(target, bs, rate, mark)
	return late
}

// paceAck is pace that also returns each POST's answer time.
func paceAck(target string, bs []body, rate int, mark func(body)) (late int, acks []time.Duration) {
	var ackMu sync.Mutex
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: 30 * time.Second}
	jobs := make(chan body, len(bs))
	var wg sync.WaitGroup
	for range 128 {
		wg.Go(func() {
			for b := range jobs {
				mark(b)
				t0 := time.Now()
				req, _ := http.NewRequest("POST", target, bytes.NewReader(b.Body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Hub-Signature-256", b.Signature)
				res, err := client.Do(req)
				if err != nil {
					fmt.Fprintln(os.Stderr, "post:", err)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				ackMu.Lock()
				acks = append(acks, time.Since(t0))
				ackMu.Unlock()
				if res.StatusCode != 200 {
					fmt.Fprintln(os.Stderr, "post answered", res.StatusCode)
				}
			}
		})
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	for i, b := range bs {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		} else if d < -5*time.Millisecond {
			late++
		}
		jobs <- b
	}
	close(jobs)
	wg.Wait()
	return late, acks
}

// recorder keeps the frames the hub sent, grouped by the message whose
// webhook caused them (each message.created and the frames after it, up
// to the next one), so the baseline can push exactly the same bytes.
type recorder struct {
	mu      sync.Mutex
	current string
	pending [][]byte
	frames  map[string][][]byte
}

func newRecorder() *recorder { return &recorder{frames: map[string][][]byte{}} }

func (r *recorder) add(msg []byte, wamid string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m := append([]byte(nil), msg...)
	switch {
	case wamid != "":
		r.current = wamid
		r.frames[wamid] = append(r.frames[wamid], r.pending...)
		r.pending = nil
		r.frames[wamid] = append(r.frames[wamid], m)
	case r.current != "":
		r.frames[r.current] = append(r.frames[r.current], m)
	default:
		r.pending = append(r.pending, m)
	}
}

func (r *recorder) of(wamid string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames[wamid]
}

// streamClient follows the hub's stream live and reports message.created
// arrivals by wamid; rec, when set, keeps every frame.
func streamClient(url, token string, arrived func(string, time.Time), ready chan<- struct{}, rec *recorder, share *clock) (*websocket.Conn, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 32 << 10}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http")+"/v1/stream?since=head", h)
	if err != nil {
		return nil, err
	}
	go func() {
		var f struct {
			Kind  string `json:"kind"`
			Event *struct {
				Type string    `json:"type"`
				At   time.Time `json:"at"`
				Data struct {
					WAMID string `json:"wamid"`
				} `json:"data"`
			} `json:"event"`
		}
		var buf bytes.Buffer
		for {
			// One reused buffer per client: the clients are the measuring
			// instrument and should cost as little as they can.
			_, r, err := c.NextReader()
			if err != nil {
				return
			}
			buf.Reset()
			if _, err := buf.ReadFrom(r); err != nil {
				return
			}
			msg := buf.Bytes()
			at := time.Now()
			// Decode only what the measurement needs; a real console
			// decodes everything, but that is the client's cost.
			if !bytes.Contains(msg, []byte(`"message.created"`)) && !bytes.Contains(msg, []byte(`"live"`)) {
				rec.add(msg, "")
				continue
			}
			f.Event = nil
			if json.Unmarshal(msg, &f) != nil {
				continue
			}
			switch {
			case f.Kind == "live":
				if ready != nil {
					ready <- struct{}{}
				}
			case f.Kind == "event" && f.Event != nil && f.Event.Type == domain.EventMessageCreated:
				arrived(f.Event.Data.WAMID, at)
				rec.add(msg, f.Event.Data.WAMID)
				// The event's time is stamped by the core as it commits:
				// what follows is the stream's own share.
				share.add(at.Sub(f.Event.At))
			default:
				rec.add(msg, "")
			}
		}
	}()
	return c, nil
}

// baselineServer is the hub's path with the hub taken out: the classic
// websocket fan-out (gorilla's chat example: a buffered channel and a
// writer goroutine per client) pushing, for each POSTed webhook, exactly
// the frames the hub sent for it. No storage, no filtering, no coalescing.
type baselineServer struct {
	mu    sync.Mutex
	peers []chan []byte
	url   string
	rec   *recorder
}

func startBaseline(rec *recorder) (*baselineServer, func(), error) {
	b := &baselineServer{rec: rec}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		send := make(chan []byte, 4096)
		send <- []byte(`{"kind":"live"}`)
		b.mu.Lock()
		b.peers = append(b.peers, send)
		b.mu.Unlock()
		go func() {
			defer c.Close()
			for f := range send {
				if c.WriteMessage(websocket.TextMessage, f) != nil {
					return
				}
			}
		}()
	})
	mux.HandleFunc("POST /hook", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		frames := b.rec.of(wamidOf(body))
		b.mu.Lock()
		for _, p := range b.peers {
			for _, f := range frames {
				select {
				case p <- f:
				default: // a full buffer drops, as the chat example does
				}
			}
		}
		b.mu.Unlock()
		w.WriteHeader(200)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	b.url = "http://" + ln.Addr().String()
	return b, func() { hs.Close() }, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1fx", float64(a)/float64(b))
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// measure runs one paced load against target with receivers connected.
func measure(target, streamURL, token string, receivers int, bs []body, rate int, wsPath string, rec *recorder) (stats, int, error) {
	st, _, _, late, err := measureAck(target, streamURL, token, receivers, bs, rate, wsPath, rec)
	return st, late, err
}

// measureAck also returns the POSTs' answer times and, for the hub, the
// stream's share (commit to arrival).
func measureAck(target, streamURL, token string, receivers int, bs []body, rate int, wsPath string, rec *recorder) (stats, stats, stats, int, error) {
	clk := newClock(len(bs) * receivers)
	share := &clock{}
	ready := make(chan struct{}, receivers)
	var conns []*websocket.Conn
	for i := range receivers {
		var c *websocket.Conn
		var err error
		if wsPath == "" {
			var r *recorder
			if i == 0 {
				r = rec
			}
			c, err = streamClient(streamURL, token, clk.arrived, ready, r, share)
		} else {
			c, err = rawClient(streamURL+wsPath, clk.arrived, ready)
		}
		if err != nil {
			return stats{}, stats{}, stats{}, 0, err
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range receivers {
		<-ready
	}
	late, acks := paceAck(target, bs, rate, func(b body) { clk.markSent(b.wamid) })
	clk.wait(30 * time.Second)
	ack := &clock{lat: acks}
	return clk.stats(), ack.stats(), share.stats(), late, nil
}

// rawClient reads the baseline server's frames.
func rawClient(url string, arrived func(string, time.Time), ready chan<- struct{}) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 32 << 10}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		return nil, err
	}
	go func() {
		var f struct {
			Kind  string `json:"kind"`
			Event *struct {
				Data struct {
					WAMID string `json:"wamid"`
				} `json:"data"`
			} `json:"event"`
		}
		var buf bytes.Buffer
		for {
			// One reused buffer per client: the clients are the measuring
			// instrument and should cost as little as they can.
			_, r, err := c.NextReader()
			if err != nil {
				return
			}
			buf.Reset()
			if _, err := buf.ReadFrom(r); err != nil {
				return
			}
			msg := buf.Bytes()
			at := time.Now()
			if !bytes.Contains(msg, []byte(`"message.created"`)) && !bytes.Contains(msg, []byte(`"live"`)) {
				continue
			}
			f.Event = nil
			if json.Unmarshal(msg, &f) != nil {
				continue
			}
			if f.Kind == "live" {
				ready <- struct{}{}
			} else if f.Event != nil {
				arrived(f.Event.Data.WAMID, at)
			}
		}
	}()
	return c, nil
}

func run(rate int, duration time.Duration, clients, fanRate int, fanDur time.Duration) error {
	raiseFileLimit()
	h, err := startHub(2000)
	if err != nil {
		return err
	}
	defer h.close()
	rec := newRecorder()
	base, stopBase, err := startBaseline(rec)
	if err != nil {
		return err
	}
	defer stopBase()

	n := int(float64(rate) * duration.Seconds())
	fanN := int(float64(fanRate) * fanDur.Seconds())
	// Warm up: conversations exist, caches and connections are hot.
	warm := bodies(h.sb, 500)
	pace(h.url+"/webhooks/whatsapp", warm, rate, func(body) {})

	fmt.Printf("hubapi-bench: loopback, GOMAXPROCS=%d, load average %s, SQLite synchronous=FULL (every webhook durable before its 200)\n\n", runtimeProcs(), loadAverage())

	bs := bodies(h.sb, n)
	hubLat, hubAck, hubShare, late, err := measureAck(h.url+"/webhooks/whatsapp", h.url, h.admin, 1, bs, rate, "", rec)
	if err != nil {
		return err
	}
	baseLat, baseLate, err := measure(base.url+"/hook", base.url, "", 1, bs, rate, "/ws", nil)
	if err != nil {
		return err
	}
	fmt.Printf("webhook -> websocket event, %d msg/s for %s (%d messages, %d received, %d sends late by >5 ms)\n", rate, duration, n, hubLat.n, late)
	fmt.Printf("  hub:       p50 %-10s p99 %-10s max %s\n", ms(hubLat.p50), ms(hubLat.p99), ms(hubLat.max))
	fmt.Printf("  of which:  the core's durable ingest (webhook answered 200) p50 %s p99 %s; event stamped in the core's transaction -> websocket p50 %s p99 %s\n",
		ms(hubAck.p50), ms(hubAck.p99), ms(hubShare.p50), ms(hubShare.p99))
	fmt.Printf("  baseline:  p50 %-10s p99 %-10s max %s   (per-client writer goroutines pushing the same frames, no hub; %d sends late)\n", ms(baseLat.p50), ms(baseLat.p99), ms(baseLat.max), baseLate)
	fmt.Printf("  ratio:     p50 %s, p99 %s    goal p99 < 25 ms: %s\n\n", ratio(hubLat.p50, baseLat.p50), ratio(hubLat.p99, baseLat.p99), verdict(hubLat.n == n && hubLat.p99 < 25*time.Millisecond))

	fbs := bodies(h.sb, fanN)
	fanLat, _, fanShare, fanLate, err := measureAck(h.url+"/webhooks/whatsapp", h.url, h.admin, clients, fbs, fanRate, "", rec)
	if err != nil {
		return err
	}
	h.close = func() {} // connections are closed; let defer tear down below
	fanBase, fanBaseLate, err := measure(base.url+"/hook", base.url, "", clients, fbs, fanRate, "/ws", nil)
	if err != nil {
		return err
	}
	want := fanN * clients
	fmt.Printf("fan-out to %d websocket clients, %d msg/s for %s (%d messages, %d of %d message.created deliveries, %d sends late)\n", clients, fanRate, fanDur, fanN, fanLat.n, want, fanLate)
	fmt.Printf("  hub:       p50 %-10s p99 %-10s max %s\n", ms(fanLat.p50), ms(fanLat.p99), ms(fanLat.max))
	fmt.Printf("  of which:  event stamped in the core's transaction -> websocket p50 %s p99 %s\n", ms(fanShare.p50), ms(fanShare.p99))
	fmt.Printf("  baseline:  p50 %-10s p99 %-10s max %s   (per-client writer goroutines pushing the same frames to %d websockets, no hub; %d sends late)\n", ms(fanBase.p50), ms(fanBase.p99), ms(fanBase.max), clients, fanBaseLate)
	fmt.Printf("  ratio:     p50 %s, p99 %s    goal p99 < 100 ms: %s\n", ratio(fanLat.p50, fanBase.p50), ratio(fanLat.p99, fanBase.p99), verdict(fanLat.n == want && fanLat.p99 < 100*time.Millisecond))
	return nil
}
