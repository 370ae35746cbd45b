package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchboard/backend/apierr"
)

func TestDecodeGraphError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		check  func(t *testing.T, e *GraphError)
	}{
		{"documented envelope", 400, nil, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"error_subcode":2494010,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`,
			func(t *testing.T, e *GraphError) {
				eq(t, "status", e.HTTPStatus, 400)
				eq(t, "code", e.Code, 131047)
				eq(t, "subcode", e.Subcode, 2494010)
				eq(t, "type", e.Type, "OAuthException")
				eq(t, "product", e.ErrorData.MessagingProduct, "whatsapp")
				eq(t, "trace", e.FBTraceID, "Az8or2yhqkZfEZ-_4Qn_Bam")
				if !strings.Contains(e.ErrorData.Details, "24 hours") {
					t.Errorf("details = %q", e.ErrorData.Details)
				}
				if !strings.Contains(e.Error(), "#131047") {
					t.Errorf("Error() = %q", e.Error())
				}
			}},
		{"error_data as string", 400, nil, `{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_data":"{\"blame_field_specs\":[[\"to\"]]}","fbtrace_id":"x"}}`,
			func(t *testing.T, e *GraphError) {
				eq(t, "code", e.Code, 100)
				if !strings.Contains(e.ErrorData.Details, "blame_field_specs") {
					t.Errorf("details = %q", e.ErrorData.Details)
				}
			}},
		{"throttled with retry-after", 429, http.Header{"Retry-After": {"7"}}, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"y"}}`,
			func(t *testing.T, e *GraphError) {
				eq(t, "retry after", e.RetryAfter, 7*time.Second)
				eq(t, "class", e.class(), ClassRetryable)
			}},
		{"html from a proxy", 502, nil, `<html><body>Bad Gateway</body></html>`,
			func(t *testing.T, e *GraphError) {
				eq(t, "status", e.HTTPStatus, 502)
				eq(t, "code", e.Code, 0)
				eq(t, "class", e.class(), ClassRetryable)
				if !strings.Contains(e.Message, "Bad Gateway") {
					t.Errorf("message = %q", e.Message)
				}
			}},
		{"empty body", 503, nil, ``,
			func(t *testing.T, e *GraphError) {
				eq(t, "message", e.Message, "Service Unavailable")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			tc.check(t, DecodeGraphError(tc.status, h, []byte(tc.body)))
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassify(t *testing.T) {
	graph := func(status, code int) error {
		return upstreamError(&GraphError{HTTPStatus: status, Code: code, Message: "m"})
	}
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, ClassNone},
		{"130429 throughput", graph(400, 130429), ClassRetryable},
		{"131056 pair rate limit", graph(400, 131056), ClassRetryable},
		{"131000 generic", graph(500, 131000), ClassRetryable},
		{"131016 service unavailable", graph(503, 131016), ClassRetryable},
		{"80007 waba rate limit", graph(400, 80007), ClassRetryable},
		{"4 app rate limit", graph(400, 4), ClassRetryable},
		{"131047 re-engagement", graph(400, 131047), ClassNeedsTemplate},
		{"131026 undeliverable", graph(400, 131026), ClassPermanent},
		{"132000 param count", graph(400, 132000), ClassPermanent},
		{"132001 template missing", graph(404, 132001), ClassPermanent},
		{"132015 paused", graph(400, 132015), ClassPermanent},
		{"132016 disabled", graph(400, 132016), ClassPermanent},
		{"131051 unsupported", graph(400, 131051), ClassPermanent},
		{"100 invalid parameter", graph(400, 100), ClassPermanent},
		{"190 token expired", graph(401, 190), ClassPermanent},
		{"368 blocked", graph(403, 368), ClassPermanent},
		{"permanent code on a 5xx", graph(500, 131026), ClassPermanent},
		{"unknown code 5xx", graph(500, 999999), ClassRetryable},
		{"unknown code 429", graph(429, 999999), ClassRetryable},
		{"unknown code 4xx", graph(400, 999999), ClassPermanent},
		{"transient flag", upstreamError(&GraphError{HTTPStatus: 400, Code: 999999, IsTransient: true}), ClassRetryable},
		{"bare graph error", &GraphError{HTTPStatus: 400, Code: 131047}, ClassNeedsTemplate},
		{"wrapped graph error", fmt.Errorf("send: %w", graph(400, 131056)), ClassRetryable},
		{"deadline", context.DeadlineExceeded, ClassRetryable},
		{"cancelled", transportError(context.Canceled), ClassRetryable},
		{"timeout", &url.Error{Op: "Post", URL: "https://graph.facebook.com", Err: timeoutErr{}}, ClassRetryable},
		{"refused", transportError(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), ClassRetryable},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), ClassRetryable},
		{"truncated", io.ErrUnexpectedEOF, ClassRetryable},
		{"validation", invalid("text.body", "too long"), ClassPermanent},
		{"upstream unavailable", apierr.New(apierr.UpstreamUnavailable, "down"), ClassRetryable},
		{"session expired", apierr.New(apierr.SessionExpired, "closed"), ClassNeedsTemplate},
		{"unknown error", errors.New("boom"), ClassPermanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(tc.err)
			if got != tc.want {
				t.Fatalf("Classify(%v) = %s, want %s", tc.err, got, tc.want)
			}
			eq(t, "IsRetryable", IsRetryable(tc.err), tc.want == ClassRetryable)
			eq(t, "NeedsTemplate", NeedsTemplate(tc.err), tc.want == ClassNeedsTemplate)
			eq(t, "IsPermanent", IsPermanent(tc.err), tc.want == ClassPermanent)
		})
	}
}

func TestUpstreamErrorCodes(t *testing.T) {
	tests := []struct {
		code int
		want apierr.Code
	}{
		{131047, apierr.SessionExpired},
		{132001, apierr.TemplateNotFound},
		{132000, apierr.TemplateParamsMismatch},
		{132012, apierr.TemplateParamsMismatch},
		{131050, apierr.OptedOut},
		{130429, apierr.UpstreamUnavailable},
		{131026, apierr.UpstreamError},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			err := upstreamError(&GraphError{HTTPStatus: 400, Code: tc.code, Message: "m", RetryAfter: 1500 * time.Millisecond})
			eq(t, "code", err.Code, tc.want)
			eq(t, "graph code", GraphCode(err), tc.code)
			eq(t, "retry after", err.RetryAfter, 2)
			eq(t, "RetryAfter", RetryAfter(err), 1500*time.Millisecond)
		})
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{ClassNone: "none", ClassRetryable: "retryable", ClassNeedsTemplate: "needs_template", ClassPermanent: "permanent", Class(9): "Class(9)"} {
		eq(t, "String", c.String(), want)
	}
}
