package hubapi

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"testing"
	"time"
)

// slowRequest writes a request's head and then its body a few bytes at a
// time over a real loopback connection, until the server answers or closes
// the connection. It returns the answer's status and error code, or 0 when
// the server closed the connection without one.
func slowRequest(t *testing.T, e *testEnv, head string, body []byte, chunk int, pause time.Duration) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Not an assertion on time: it only keeps a broken server from hanging
	// the test binary.
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for off := 0; off < len(body); off += chunk {
			select {
			case <-stop:
				return
			case <-time.After(pause):
			}
			if _, err := conn.Write(body[off:min(off+chunk, len(body))]); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the server never cut the slow client off")
		}
		return 0, "" // closed without an answer
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, response{body: b}.code()
}

// A client trickling a webhook body is cut off at the webhook's body
// deadline, however steadily it trickles: the deadline is fixed, as Meta
// sends its (at most 3 MB) bodies at data-centre speed.
func TestSlowWebhookBodyIsCutOff(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) { c.WebhookBodyTimeout = 300 * time.Millisecond }))
	body := bytes.Repeat([]byte(" "), 64<<10)
	head := fmt.Sprintf("POST /webhooks/whatsapp HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"+
		"X-Hub-Signature-256: sha256=00\r\nContent-Length: %d\r\n\r\n", len(body))
	// 50 bytes every 20 ms: 2.5 KB/s, so the body would take 26 s.
	status, code := slowRequest(t, e, head, body, 50, 20*time.Millisecond)
	if status != 0 && (status != http.StatusRequestTimeout || code != "REQUEST_TIMEOUT") {
		t.Fatalf("answer %d %s, want 408 REQUEST_TIMEOUT or a closed connection", status, code)
	}
	// The hub still takes webhooks.
	e.customerWrites(e.sb.Customers()[0].WaID, "still here")
}

// An upload body must keep arriving at the minimum rate: a stalled or
// trickling upload is cut off once it falls behind, while one that keeps
// pace may take far longer than the grace period.
func TestUploadBodyMinimumRate(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) {
		c.BodyMinRate = 4 << 10
		c.BodyGrace = 300 * time.Millisecond
	}))
	form := func(size int) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="notes.pdf"`)
		h.Set("Content-Type", "application/pdf")
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), size)...))
		_ = mw.Close()
		head := fmt.Sprintf("POST /v1/media HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			e.admin, mw.FormDataContentType(), buf.Len())
		return head, buf.Bytes()
	}

	t.Run("a trickle below the rate is cut off", func(t *testing.T) {
		head, body := form(256 << 10)
		// 20 bytes every 20 ms: 1 KB/s against a minimum of 4 KB/s.
		status, code := slowRequest(t, e, head, body, 20, 20*time.Millisecond)
		if status != 0 && (status != http.StatusRequestTimeout || code != "REQUEST_TIMEOUT") {
			t.Fatalf("answer %d %s, want 408 REQUEST_TIMEOUT or a closed connection", status, code)
		}
		if n := e.graph.count("POST media"); n != 0 {
			t.Errorf("%d uploads reached the Cloud API", n)
		}
	})
	t.Run("an upload that keeps pace outlasts the grace period", func(t *testing.T) {
		head, body := form(96 << 10)
		// 16 KB every 100 ms: 160 KB/s, forty times the minimum; the
		// seven chunks take longer than the 300 ms grace.
		status, code := slowRequest(t, e, head, body, 16<<10, 100*time.Millisecond)
		if status != http.StatusCreated {
			t.Fatalf("answer %d %s, want 201", status, code)
		}
	})
}
