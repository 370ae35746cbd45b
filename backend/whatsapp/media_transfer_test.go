package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
)

func TestMediaTransferTimeout(t *testing.T) {
	tests := []struct {
		size int64
		want time.Duration
	}{
		{-1, DefaultTimeout},
		{0, DefaultTimeout},
		{MinMediaRate, DefaultTimeout + time.Second},
		{MaxImageBytes, DefaultTimeout + 80*time.Second},
		{MaxDocumentBytes, DefaultTimeout + 1600*time.Second},
	}
	for _, tc := range tests {
		t.Run(strconv.FormatInt(tc.size, 10), func(t *testing.T) {
			eq(t, "timeout", MediaTransferTimeout(tc.size), tc.want)
		})
	}
}

// slowGraph is a Graph stand-in on a real listener whose answers take
// longer than the JSON timeout the tests give the client.
type slowGraph struct {
	srv   *httptest.Server
	delay time.Duration
	stall chan struct{} // closed to release stalled handlers
}

func newSlowGraph(t *testing.T, delay time.Duration) *slowGraph {
	t.Helper()
	g := &slowGraph{delay: delay, stall: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/" + DefaultVersion + "/" + testPNID + "/media":
			g.wait(r)
			writeJSON(w, 200, `{"id":"555"}`)
		case "/stalled":
			select {
			case <-r.Context().Done():
			case <-g.stall:
			}
		case "/file", "/file-stalls":
			// Headers and half the file at once, the rest later, as a
			// large file arrives over a slow link.
			w.Header().Set("Content-Length", "8")
			io.WriteString(w, "OggS")
			w.(http.Flusher).Flush()
			if r.URL.Path == "/file-stalls" {
				select {
				case <-r.Context().Done():
				case <-g.stall:
				}
				return
			}
			g.wait(r)
			io.WriteString(w, "data")
		default:
			g.wait(r)
			writeJSON(w, 200, `{"id":"`+testPNID+`"}`)
		}
	}))
	t.Cleanup(func() {
		close(g.stall)
		g.srv.Close()
	})
	return g
}

func (g *slowGraph) wait(r *http.Request) {
	select {
	case <-time.After(g.delay):
	case <-r.Context().Done():
	}
}

// client has a JSON timeout well under the server's delay.
func (g *slowGraph) client() *Client {
	c := NewClient(g.srv.URL, testToken)
	c.HTTP = &http.Client{Timeout: g.delay / 4}
	return c
}

// TestMediaTransfersOutlastTheJSONTimeout: an upload and a download that
// take longer than the client's JSON timeout still finish, while a JSON
// call to the same server fails on it.
func TestMediaTransfersOutlastTheJSONTimeout(t *testing.T) {
	g := newSlowGraph(t, 400*time.Millisecond)
	c := g.client()
	ctx := context.Background()

	_, err := c.GetPhoneNumber(ctx, testPNID)
	eq(t, "JSON call code", apierr.CodeOf(err), apierr.UpstreamUnavailable)

	id, err := c.UploadMedia(ctx, testPNID, MediaUpload{Filename: "a.pdf", MIMEType: "application/pdf", Size: 4, Body: strings.NewReader("%PDF")})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	eq(t, "media id", id, "555")

	dl, err := c.DownloadMedia(ctx, g.srv.URL+"/file", 1<<20)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	data, err := io.ReadAll(dl.Body)
	dl.Body.Close()
	if err != nil {
		t.Fatalf("reading the download: %v", err)
	}
	eq(t, "downloaded", string(data), "OggSdata")
}

// timeouts records the sizes a Client asks MediaTimeout about and gives
// each transfer a short bound, so a stalled one fails quickly.
type timeouts struct {
	mu    sync.Mutex
	sizes []int64
}

func (tm *timeouts) install(c *Client, d time.Duration) {
	c.MediaTimeout = func(size int64) time.Duration {
		tm.mu.Lock()
		tm.sizes = append(tm.sizes, size)
		tm.mu.Unlock()
		return d
	}
}

func (tm *timeouts) got() []int64 {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return append([]int64(nil), tm.sizes...)
}

func TestMediaTransferBoundedBySize(t *testing.T) {
	g := newSlowGraph(t, time.Minute)
	t.Run("upload of known size", func(t *testing.T) {
		c := g.client()
		var tm timeouts
		tm.install(c, 100*time.Millisecond)
		content := bytes.Repeat([]byte("x"), 3000)
		_, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{MIMEType: "text/plain", Size: int64(len(content)), Body: bytes.NewReader(content)})
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
		if err == nil || !strings.Contains(err.Error(), "did not finish") {
			t.Errorf("error %v does not say the transfer timed out", err)
		}
		eq(t, "sizes asked", fmt.Sprint(tm.got()), fmt.Sprint([]int64{3000}))
	})
	t.Run("upload of unknown size gets its kind's limit", func(t *testing.T) {
		c := g.client()
		var tm timeouts
		tm.install(c, 100*time.Millisecond)
		_, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{MIMEType: "image/png", Size: -1, Body: strings.NewReader("png")})
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
		eq(t, "sizes asked", fmt.Sprint(tm.got()), fmt.Sprint([]int64{MaxImageBytes}))
	})
	t.Run("download: the response, then the body by its length", func(t *testing.T) {
		c := g.client()
		c.HTTP.Timeout = time.Hour // only the media bound can end it
		var tm timeouts
		tm.install(c, 100*time.Millisecond)
		dl, err := c.DownloadMedia(context.Background(), g.srv.URL+"/file-stalls", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(dl.Body)
		dl.Body.Close()
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
		eq(t, "sizes asked", fmt.Sprint(tm.got()), fmt.Sprint([]int64{0, 8}))
	})
	t.Run("download that never answers", func(t *testing.T) {
		c := g.client()
		var tm timeouts
		tm.install(c, 100*time.Millisecond)
		_, err := c.DownloadMedia(context.Background(), g.srv.URL+"/stalled", 0)
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
		if err == nil || !strings.Contains(err.Error(), "did not finish") {
			t.Errorf("error %v does not say the transfer timed out", err)
		}
	})
	t.Run("the caller's deadline still applies", func(t *testing.T) {
		c := g.client()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.UploadMedia(ctx, testPNID, MediaUpload{MIMEType: "text/plain", Size: 1, Body: strings.NewReader("x")})
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
	})
}
