package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"switchboard/backend/apierr"
)

// Cloud API error codes the hub reacts to. The full list is at
// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes.
const (
	CodeAPIUnknown            = 1
	CodeAPIService            = 2
	CodeAPITooManyCalls       = 4
	CodeAPIPermission         = 10
	CodeInvalidParameter      = 100
	CodeAccessTokenExpired    = 190
	CodePermissionDenied      = 200
	CodeTemporarilyBlocked    = 368
	CodeWABARateLimit         = 80007
	CodeThroughputRateLimit   = 130429
	CodeGenericError          = 131000
	CodeMissingParameter      = 131008
	CodeInvalidParameterValue = 131009
	CodeServiceUnavailable    = 131016
	CodeRecipientIsSender     = 131021
	CodeUndeliverable         = 131026
	CodeAccountLocked         = 131031
	CodeReengagement          = 131047
	CodeSpamRateLimit         = 131048
	CodeEcosystemEngagement   = 131049
	CodeUserStoppedMarketing  = 131050
	CodeUnsupportedType       = 131051
	CodeMediaDownloadError    = 131052
	CodeMediaUploadError      = 131053
	CodePairRateLimit         = 131056
	CodeAccountMaintenance    = 131057
	CodeTemplateParamCount    = 132000
	CodeTemplateMissing       = 132001
	CodeTemplateTextTooLong   = 132005
	CodeTemplatePolicy        = 132007
	CodeTemplateParamFormat   = 132012
	CodeTemplatePaused        = 132015
	CodeTemplateDisabled      = 132016
	CodeNumberNotRegistered   = 133010
)

// GraphError is the Graph API error envelope, typed:
//
//	{"error":{"message","type","code","error_subcode","error_data":{"messaging_product","details"},"fbtrace_id"}}
//
// HTTPStatus is the status it came with and RetryAfter the Retry-After
// header, when Meta sent one.
type GraphError struct {
	HTTPStatus     int            `json:"-"`
	RetryAfter     time.Duration  `json:"-"`
	Message        string         `json:"message"`
	Type           string         `json:"type,omitempty"`
	Code           int            `json:"code"`
	Subcode        int            `json:"error_subcode,omitempty"`
	ErrorUserTitle string         `json:"error_user_title,omitempty"`
	ErrorUserMsg   string         `json:"error_user_msg,omitempty"`
	IsTransient    bool           `json:"is_transient,omitempty"`
	ErrorData      GraphErrorData `json:"error_data,omitzero"`
	FBTraceID      string         `json:"fbtrace_id,omitempty"`
}

// GraphErrorData is error.error_data. Graph sometimes sends it as a string
// rather than an object; the string is kept in Details.
type GraphErrorData struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	Details          string `json:"details,omitempty"`
}

// UnmarshalJSON accepts the object form and the bare-string form.
func (d *GraphErrorData) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = GraphErrorData{Details: s}
		return nil
	}
	type plain GraphErrorData
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return err
		}
	}
	*d = GraphErrorData(p)
	return nil
}

// GraphErrorEnvelope is the body of a failed Graph call.
type GraphErrorEnvelope struct {
	Error *GraphError `json:"error"`
}

// Error renders the error the way Meta's docs cite them: "(#131047) Message".
func (e *GraphError) Error() string {
	var b strings.Builder
	b.WriteString("whatsapp: graph error")
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	fmt.Fprintf(&b, ": (#%d", e.Code)
	if e.Subcode != 0 {
		fmt.Fprintf(&b, "/%d", e.Subcode)
	}
	b.WriteString(") ")
	b.WriteString(e.Message)
	if d := e.ErrorData.Details; d != "" && d != e.Message {
		b.WriteString(": ")
		b.WriteString(d)
	}
	if e.FBTraceID != "" {
		b.WriteString(" [fbtrace_id ")
		b.WriteString(e.FBTraceID)
		b.WriteString("]")
	}
	return b.String()
}

// DecodeGraphError builds a *GraphError from a failed response's status and
// body. A body that is not the Graph envelope (a proxy's HTML page, say)
// still yields a GraphError, with the status and a short excerpt, so callers
// handle one type.
func DecodeGraphError(status int, header http.Header, body []byte) *GraphError {
	var env GraphErrorEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
		msg := strings.TrimSpace(string(body))
		if msg == "" {
			msg = http.StatusText(status)
		}
		env.Error = &GraphError{Message: truncate(msg, 200)}
	}
	env.Error.HTTPStatus = status
	env.Error.RetryAfter = parseRetryAfter(header.Get("Retry-After"))
	return env.Error
}

// parseRetryAfter reads Retry-After in seconds or as an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// Class is what a caller should do about a failed call.
type Class int

// The classes. ClassNone is the class of a nil error.
const (
	ClassNone Class = iota
	// ClassRetryable: the same request may succeed later (throughput
	// limits, Meta's transient failures, 5xx, network and timeouts).
	ClassRetryable
	// ClassNeedsTemplate: the customer service window is closed (131047);
	// only an approved template can reach the user now.
	ClassNeedsTemplate
	// ClassPermanent: the request will fail again as sent; fix it or give
	// up (bad parameters, unknown or paused templates, undeliverable
	// recipients, expired tokens, policy blocks).
	ClassPermanent
)

// String names the class.
func (c Class) String() string {
	switch c {
	case ClassNone:
		return "none"
	case ClassRetryable:
		return "retryable"
	case ClassNeedsTemplate:
		return "needs_template"
	case ClassPermanent:
		return "permanent"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// retryableCodes are Graph codes where waiting and resending is right.
var retryableCodes = map[int]bool{
	CodeAPIUnknown:          true,
	CodeAPIService:          true,
	CodeAPITooManyCalls:     true,
	17:                      true, // user request limit reached
	32:                      true, // page request limit reached
	613:                     true, // calls to this API exceeded the rate limit
	CodeWABARateLimit:       true,
	CodeThroughputRateLimit: true,
	CodeGenericError:        true,
	CodeServiceUnavailable:  true,
	CodeSpamRateLimit:       true,
	CodePairRateLimit:       true,
	CodeAccountMaintenance:  true,
}

// permanentCodes are Graph codes that resending cannot fix, listed so they
// stay permanent even when Meta answers them with a 5xx.
var permanentCodes = map[int]bool{
	CodeAPIPermission:         true,
	CodeInvalidParameter:      true,
	CodeAccessTokenExpired:    true,
	CodePermissionDenied:      true,
	CodeTemporarilyBlocked:    true,
	CodeMissingParameter:      true,
	CodeInvalidParameterValue: true,
	CodeRecipientIsSender:     true,
	CodeUndeliverable:         true,
	CodeAccountLocked:         true,
	CodeEcosystemEngagement:   true,
	CodeUserStoppedMarketing:  true,
	CodeUnsupportedType:       true,
	CodeMediaDownloadError:    true,
	CodeMediaUploadError:      true,
	CodeTemplateParamCount:    true,
	CodeTemplateMissing:       true,
	CodeTemplateTextTooLong:   true,
	CodeTemplatePolicy:        true,
	CodeTemplateParamFormat:   true,
	CodeTemplatePaused:        true,
	CodeTemplateDisabled:      true,
	CodeNumberNotRegistered:   true,
}

// ClassifyCode classifies a Cloud API error code alone, for codes that
// arrive in a failed status webhook rather than an HTTP response.
func ClassifyCode(code int) Class {
	switch {
	case code == CodeReengagement:
		return ClassNeedsTemplate
	case retryableCodes[code]:
		return ClassRetryable
	default:
		return ClassPermanent
	}
}

// Classify says what to do about err, looking through wrapping:
//
//   - a *GraphError by its code first (131047 needs a template; throughput,
//     pair-rate and transient codes are retryable; the listed permanent codes
//     are permanent whatever the status), then by HTTP status (429 and 5xx
//     retryable, other 4xx permanent) and Meta's is_transient flag;
//   - an *apierr.Error by its code (a validation failure is permanent, an
//     unreachable upstream retryable);
//   - network errors, timeouts, cancellations and truncated responses are
//     retryable: the message was not (known to be) accepted, so it may be
//     sent again;
//   - anything else is permanent, so an unexpected bug is not retried
//     forever.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.class()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return ClassRetryable
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return ClassRetryable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ClassRetryable
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ClassRetryable
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case apierr.UpstreamUnavailable, apierr.Unavailable, apierr.RateLimited:
			return ClassRetryable
		case apierr.SessionExpired:
			return ClassNeedsTemplate
		}
		return ClassPermanent
	}
	return ClassPermanent
}

func (e *GraphError) class() Class {
	switch {
	case e.Code == CodeReengagement:
		return ClassNeedsTemplate
	case retryableCodes[e.Code]:
		return ClassRetryable
	case permanentCodes[e.Code]:
		return ClassPermanent
	case e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500:
		return ClassRetryable
	case e.IsTransient:
		return ClassRetryable
	default:
		return ClassPermanent
	}
}

// IsRetryable reports whether err is worth retrying later.
func IsRetryable(err error) bool { return Classify(err) == ClassRetryable }

// NeedsTemplate reports whether err means the 24-hour window is closed.
func NeedsTemplate(err error) bool { return Classify(err) == ClassNeedsTemplate }

// IsPermanent reports whether err will recur if the request is resent.
func IsPermanent(err error) bool { return Classify(err) == ClassPermanent }

// RetryAfter is how long Meta asked the caller to wait, when it said so.
func RetryAfter(err error) time.Duration {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.RetryAfter
	}
	return 0
}

// GraphCode is the Graph error code in err's chain (0 when there is none).
func GraphCode(err error) int {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// upstreamError wraps a Graph error in the *apierr.Error the hub answers
// with, choosing the code that tells an agent what happened.
func upstreamError(ge *GraphError) *apierr.Error {
	code := apierr.UpstreamError
	switch {
	case ge.Code == CodeReengagement:
		code = apierr.SessionExpired
	case ge.Code == CodeTemplateMissing:
		code = apierr.TemplateNotFound
	case ge.Code == CodeTemplateParamCount || ge.Code == CodeTemplateParamFormat:
		code = apierr.TemplateParamsMismatch
	case ge.Code == CodeUserStoppedMarketing:
		code = apierr.OptedOut
	case ge.class() == ClassRetryable:
		code = apierr.UpstreamUnavailable
	}
	msg := ge.Message
	if d := ge.ErrorData.Details; d != "" && d != msg {
		msg += ": " + d
	}
	e := apierr.Wrap(ge, code, "WhatsApp refused the request: (#%d) %s", ge.Code, truncate(msg, 300))
	if ge.RetryAfter > 0 {
		e.RetryAfter = int((ge.RetryAfter + time.Second - 1) / time.Second)
	}
	return e
}
