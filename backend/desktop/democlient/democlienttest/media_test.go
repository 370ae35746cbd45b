package democlienttest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/demo"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
)

// graphCounter counts the hub's requests to the sandbox's Cloud API by
// method and last path segment ("POST media", "POST messages").
type graphCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	calls map[string]int
}

func (g *graphCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.calls[r.Method+" "+r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]++
	g.mu.Unlock()
	return g.next.RoundTrip(r)
}

func (g *graphCounter) count(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[key]
}

// startCountedHub is startHub with the hub's Cloud API calls counted.
func startCountedHub(t *testing.T) (*demo.Hub, *graphCounter) {
	t.Helper()
	g := &graphCounter{calls: map[string]int{}}
	cfg := testConfig(t.TempDir())
	cfg.WrapGraph = func(next http.RoundTripper) http.RoundTripper { g.next = next; return g }
	h, err := demo.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, g
}

// customerConversation makes a simulated customer write and waits until
// the console has the conversation with its window open.
func customerConversation(t *testing.T, h *demo.Hub, con *desktop.Console, phone, name string) domain.Conversation {
	t.Helper()
	ctx := context.Background()
	if err := controls(t, h).CustomerSays(phone, name, "can you send it?"); err != nil {
		t.Fatal(err)
	}
	var conv domain.Conversation
	testkit.Eventually(t, "the customer's conversation", func() bool {
		res, _ := con.Search(ctx, phone[len(phone)-7:], 5)
		if len(res.Conversations) == 1 {
			conv = res.Conversations[0]
			return conv.WindowExpiresAt != nil
		}
		return false
	})
	return conv
}

// sandboxMedia lists the outbound media messages the sandbox (the
// customer's phone) received, by the media id each carried.
func sandboxMedia(h *demo.Hub, waID, kind string) []string {
	var ids []string
	for _, m := range h.Raw().Messages(waID, 50) {
		if m.Direction != "outbound" || m.Type != kind {
			continue
		}
		var p map[string]json.RawMessage
		_ = json.Unmarshal(m.Payload, &p)
		var obj struct{ ID string }
		_ = json.Unmarshal(p[kind], &obj)
		ids = append(ids, obj.ID)
	}
	return ids
}

// waitRead waits until the console's copy of the conversation's last
// outbound message of kind is read, and returns it.
func waitRead(t *testing.T, con *desktop.Console, convID int64, kind string) domain.Message {
	t.Helper()
	var last domain.Message
	testkit.Eventually(t, "the "+kind+" read", func() bool {
		view, err := con.OpenConversation(context.Background(), convID)
		if err != nil {
			return false
		}
		for _, m := range view.Messages {
			if m.Direction == domain.Outbound && m.Type == kind {
				last = m
			}
		}
		return last.Status == domain.MsgRead
	})
	return last
}

func TestFilePickedOfflineReachesTheCustomerOnce(t *testing.T) {
	h, graph := startCountedHub(t)
	p := startProxy(t, h)
	ctx := context.Background()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	con := openConsole(t, t.TempDir(), desktop.Options{})
	defer con.Close()
	if _, err := con.SignInWithToken(ctx, p.URL(), token); err != nil {
		t.Fatal(err)
	}
	conv := customerConversation(t, h, con, "+447911000111", "Ada")

	photo := []byte("\xff\xd8\xff\xe0 a photo of the parcel")
	p.SetDown(true)
	it, err := con.SendMedia(ctx, conv.ID, desktop.MediaUpload{Filename: "parcel.jpg", MimeType: "image/jpeg",
		Data: base64.StdEncoding.EncodeToString(photo), Caption: "on its way"})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "a failed attempt while offline", func() bool {
		items, _ := con.Outbox(ctx)
		return len(items) == 1 && items[0].Key == it.Key && items[0].State == cache.OutboxPending && items[0].Error != nil
	})
	if n := graph.count("POST media"); n != 0 {
		t.Fatalf("%d uploads while offline", n)
	}

	p.SetDown(false)
	con.Reconnect(ctx)
	testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
	m := waitRead(t, con, conv.ID, "image")
	if n := graph.count("POST media"); n != 1 {
		t.Fatalf("%d uploads reached the Cloud API, want 1", n)
	}
	ids := sandboxMedia(h, "447911000111", "image")
	if len(ids) != 1 || ids[0] == "" || !strings.Contains(string(m.Content), ids[0]) {
		t.Fatalf("the customer got images %v; the console shows %s", ids, m.Content)
	}
	// The agent's own photo shows from the local copy, even offline.
	p.SetDown(true)
	var f desktop.MediaFile
	testkit.Eventually(t, "the local copy", func() bool { f, err = con.Media(ctx, ids[0]); return err == nil })
	if f.URL != "data:image/jpeg;base64,"+base64.StdEncoding.EncodeToString(photo) {
		t.Fatalf("media: %+v", f)
	}
}

// answerDropper is a reverse proxy in front of the hub that loses the
// hub's answer to the first few requests of a route after the hub acted on
// them: the request goes through, the client sees its connection close.
type answerDropper struct {
	target *url.URL
	rp     *httputil.ReverseProxy
	mu     sync.Mutex
	drops  map[string]int
	seen   map[string]int
	// dropped hears the route of each lost answer.
	dropped chan string
}

func newAnswerDropper(t *testing.T, hubURL string, drops map[string]int) (*answerDropper, string) {
	t.Helper()
	u, err := url.Parse(hubURL)
	if err != nil {
		t.Fatal(err)
	}
	d := &answerDropper{target: u, rp: httputil.NewSingleHostReverseProxy(u), drops: drops, seen: map[string]int{},
		dropped: make(chan string, 16)}
	ts := httptest.NewServer(d)
	t.Cleanup(func() { ts.CloseClientConnections(); ts.Close() })
	return d, ts.URL
}

func (d *answerDropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	d.mu.Lock()
	d.seen[route]++
	drop := d.drops[route] > 0
	if drop {
		d.drops[route]--
	}
	d.mu.Unlock()
	if !drop {
		d.rp.ServeHTTP(w, r)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI, out.Host = "", ""
	out.URL.Scheme, out.URL.Host = d.target.Scheme, d.target.Host
	if res, err := http.DefaultTransport.RoundTrip(out); err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
	d.dropped <- route
}

func (d *answerDropper) count(route string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen[route]
}

func TestLostAnswersAroundAFileSendOnce(t *testing.T) {
	h, graph := startCountedHub(t)
	// The upload's answer is lost once; the send's twice, and the console
	// is closed and reopened after the first.
	d, hubURL := newAnswerDropper(t, h.URL(), map[string]int{"POST /v1/media": 1, "POST /v1/messages": 2})
	ctx := context.Background()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	con := openConsole(t, dir, desktop.Options{})
	defer func() { con.Close() }()
	if _, err := con.SignInWithToken(ctx, hubURL, token); err != nil {
		t.Fatal(err)
	}
	conv := customerConversation(t, h, con, "+447911000222", "Bea")

	pdf := []byte("%PDF-1.4 the contract")
	if _, err := con.SendMedia(ctx, conv.ID, desktop.MediaUpload{Filename: "contract.pdf", MimeType: "application/pdf",
		Data: base64.StdEncoding.EncodeToString(pdf), Caption: "to sign"}); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	for route := ""; route != "POST /v1/messages"; {
		select {
		case route = <-d.dropped:
		case <-timeout:
			t.Fatal("no send reached the hub")
		}
	}
	con.Close()
	con = openConsole(t, dir, desktop.Options{})
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
	m := waitRead(t, con, conv.ID, "document")

	if n := graph.count("POST media"); n != 1 {
		t.Fatalf("%d uploads reached the Cloud API, want 1", n)
	}
	// The lost upload and its retry, answered from its key; none after
	// the media id was recorded, restart included.
	if n := d.count("POST /v1/media"); n != 2 {
		t.Fatalf("the hub saw %d uploads, want 2", n)
	}
	if n := d.count("POST /v1/messages"); n != 3 {
		t.Fatalf("the hub saw %d sends, want 3", n)
	}
	ids := sandboxMedia(h, "447911000222", "document")
	if len(ids) != 1 || !strings.Contains(string(m.Content), ids[0]) || !strings.Contains(string(m.Content), "contract.pdf") {
		t.Fatalf("the customer got documents %v; the console shows %s", ids, m.Content)
	}
}
