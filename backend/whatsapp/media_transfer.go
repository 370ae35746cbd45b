package whatsapp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"switchboard/backend/apierr"
)

// MinMediaRate is the slowest link, in bytes per second, a media upload or
// download is given time for: 512 kbit/s, a poor mobile or shared office
// uplink. Slower transfers fail rather than hold a connection for hours.
const MinMediaRate = 64 << 10

// MediaTransferTimeout is how long moving size bytes of media may take:
// DefaultTimeout for the request and Meta's processing, plus size at
// MinMediaRate. A 100 MB document gets about 27 minutes, a 5 MB image
// about two; a fixed bound sized for JSON calls would fail large files on
// any slow link, and one sized for large files would let a small one hang.
func MediaTransferTimeout(size int64) time.Duration {
	if size < 0 {
		size = 0
	}
	return DefaultTimeout + time.Duration(size)*time.Second/MinMediaRate
}

// errTransferTimeout is the cause a media transfer's context is cancelled
// with when its time is up.
var errTransferTimeout = errors.New("whatsapp: media transfer took too long")

// mediaTimeout is the Client's bound for a transfer of size bytes.
func (c *Client) mediaTimeout(size int64) time.Duration {
	if c.MediaTimeout != nil {
		return c.MediaTimeout(size)
	}
	return MediaTransferTimeout(size)
}

// mediaHTTP is the Client's *http.Client without its Timeout: the same
// transport and connection pool, but a transfer is bounded by its
// transferTimer instead, which knows the file's size.
func (c *Client) mediaHTTP() *http.Client {
	hc := *c.httpClient()
	hc.Timeout = 0
	return &hc
}

// transferTimer bounds one media transfer. Unlike a context deadline it
// can be moved once the size is known (a download's Content-Length).
type transferTimer struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	limit  time.Duration
}

func newTransferTimer(parent context.Context, d time.Duration) *transferTimer {
	ctx, cancel := context.WithCancelCause(parent)
	return &transferTimer{ctx: ctx, cancel: cancel, limit: d,
		timer: time.AfterFunc(d, func() { cancel(errTransferTimeout) })}
}

// reset gives the transfer d from now.
func (t *transferTimer) reset(d time.Duration) {
	t.limit = d
	t.timer.Reset(d)
}

// stop releases the timer and the context.
func (t *transferTimer) stop() {
	t.timer.Stop()
	t.cancel(nil)
}

// wrap turns a failure caused by the timer into a clear timeout error and
// leaves any other error (including io.EOF) as it is.
func (t *transferTimer) wrap(err error) error {
	if err == nil || !errors.Is(context.Cause(t.ctx), errTransferTimeout) {
		return err
	}
	return apierr.Wrap(err, apierr.UpstreamUnavailable,
		"the media transfer with the WhatsApp Cloud API did not finish within %s", t.limit.Round(time.Second))
}

// transferBody is a download's body that stops its timer when closed and
// reports the timer running out as a timeout.
type transferBody struct {
	io.ReadCloser
	t *transferTimer
}

// Read reads from the response body.
func (b *transferBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	return n, b.t.wrap(err)
}

// Close closes the response body and releases the timer.
func (b *transferBody) Close() error {
	err := b.ReadCloser.Close()
	b.t.stop()
	return err
}
