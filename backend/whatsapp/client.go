package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"switchboard/backend/apierr"
)

// Defaults for a Client.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	// DefaultVersion is the Graph API version requests are pinned to; Meta
	// supports each version for about two years.
	DefaultVersion = "v24.0"
	// DefaultTimeout bounds one call when the Client has no *http.Client of
	// its own.
	DefaultTimeout = 30 * time.Second
)

// maxResponseBytes bounds a JSON response read into memory; Graph answers
// are a few kilobytes, template pages a few hundred.
const maxResponseBytes = 8 << 20

// Client calls the Cloud API. The zero value is not usable; build one with
// NewClient. Fields may be changed before first use (tests point BaseURL at
// the sandbox). A Client is safe for concurrent use.
type Client struct {
	// BaseURL is the scheme and host (and optional path prefix) of the
	// Graph API, without the version: https://graph.facebook.com.
	BaseURL string
	// Version is the Graph API version path segment, e.g. "v24.0".
	Version string
	// Token is the system-user access token sent as a bearer token.
	Token string
	// HTTP does the requests; its timeout bounds each JSON call. Media
	// uploads and downloads use its transport but not its timeout: they
	// are bounded by MediaTimeout instead.
	HTTP *http.Client
	// MediaTimeout bounds one media upload or download of size bytes (the
	// file's, or the most its kind allows when unknown). Nil means
	// MediaTransferTimeout. A download's size is taken from its response;
	// until the response starts it is given MediaTimeout(0).
	MediaTimeout func(size int64) time.Duration
	// UserAgent, when set, is sent on every request.
	UserAgent string
}

// NewClient returns a Client for token with the default base URL, version
// and an *http.Client with DefaultTimeout. An empty baseURL means
// DefaultBaseURL.
func NewClient(baseURL, token string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		Version: DefaultVersion,
		Token:   token,
		HTTP:    &http.Client{Timeout: DefaultTimeout},
	}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// endpoint builds BaseURL/Version/path segments, escaping each segment so an
// id can never add a path component.
func (c *Client) endpoint(query url.Values, segments ...string) string {
	var b strings.Builder
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	b.WriteString(strings.TrimRight(base, "/"))
	version := c.Version
	if version == "" {
		version = DefaultVersion
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(version))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if len(query) > 0 {
		b.WriteByte('?')
		b.WriteString(query.Encode())
	}
	return b.String()
}

// requireID rejects an empty id before a request is built.
func requireID(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return apierr.Field(apierr.ValidationFailed, field, "%s is required", field)
	}
	return nil
}

// requireGraphID admits only a Graph object id (ValidGraphID: digits) as a
// path segment, before a request is built: an empty segment, "..", "me"
// or anything with a slash would address another Graph node than the one
// meant, with the business's token. endpoint escapes every segment too.
func requireGraphID(field, v string) error {
	if err := requireID(field, v); err != nil {
		return err
	}
	if !ValidGraphID(v) {
		shown := v
		if len(shown) > 40 {
			shown = truncate(shown, 40)
		}
		return apierr.Field(apierr.ValidationFailed, field, "%q is not a %s: Meta's ids are numbers of up to %d digits", shown, field, MaxGraphIDDigits)
	}
	return nil
}

// doJSON sends a request with an optional JSON body and decodes a JSON
// response into out (when non-nil). Failures are *apierr.Error values
// wrapping a *GraphError (Meta answered with an error) or the transport
// error (Meta could not be reached).
func (c *Client) doJSON(ctx context.Context, method, endpoint string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return apierr.Wrap(err, apierr.Internal, "encoding the request failed")
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, body)
	if err != nil {
		return apierr.Wrap(err, apierr.Internal, "building the request failed")
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req, out)
}

// do sends req with the bearer token and decodes the answer.
func (c *Client) do(req *http.Request, out any) error {
	return c.doWith(c.httpClient(), req, out)
}

// doWith is do over a given *http.Client (media transfers use one
// without the overall timeout).
func (c *Client) doWith(hc *http.Client, req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return transportError(err)
	}
	if len(data) > maxResponseBytes {
		return apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API answered with more than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return upstreamError(DecodeGraphError(resp.StatusCode, resp.Header, data))
	}
	// Graph occasionally answers 200 with an error envelope.
	if bytes.Contains(data, []byte(`"error"`)) {
		var env GraphErrorEnvelope
		if json.Unmarshal(data, &env) == nil && env.Error != nil && (env.Error.Code != 0 || env.Error.Message != "") {
			env.Error.HTTPStatus = resp.StatusCode
			return upstreamError(env.Error)
		}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apierr.Wrap(err, apierr.UpstreamError, "the WhatsApp Cloud API answered with unexpected JSON")
	}
	return nil
}

// transportError wraps a failure to reach Meta (or to read its answer).
func transportError(err error) error {
	if errors.Is(err, context.Canceled) {
		return apierr.Wrap(err, apierr.UpstreamUnavailable, "the request to the WhatsApp Cloud API was cancelled")
	}
	return apierr.Wrap(err, apierr.UpstreamUnavailable, "the WhatsApp Cloud API could not be reached")
}

// SuccessResponse is Graph's {"success": true} answer.
type SuccessResponse struct {
	Success bool `json:"success"`
}

// PhoneNumberInfo is a business phone number's profile and standing.
type PhoneNumberInfo struct {
	ID                     string      `json:"id"`
	DisplayPhoneNumber     string      `json:"display_phone_number,omitempty"`
	VerifiedName           string      `json:"verified_name,omitempty"`
	QualityRating          string      `json:"quality_rating,omitempty"`
	CodeVerificationStatus string      `json:"code_verification_status,omitempty"`
	PlatformType           string      `json:"platform_type,omitempty"`
	NameStatus             string      `json:"name_status,omitempty"`
	MessagingLimitTier     string      `json:"messaging_limit_tier,omitempty"`
	Throughput             *Throughput `json:"throughput,omitempty"`
}

// Throughput is a number's messages-per-second level (STANDARD, HIGH, ...).
type Throughput struct {
	Level string `json:"level"`
}

// phoneNumberFields are the fields GetPhoneNumber asks for.
const phoneNumberFields = "id,display_phone_number,verified_name,quality_rating,code_verification_status,platform_type,name_status,messaging_limit_tier,throughput"

// GetPhoneNumber reads GET /{phone-number-id}: display number, verified
// name, quality rating and throughput level.
func (c *Client) GetPhoneNumber(ctx context.Context, phoneNumberID string) (*PhoneNumberInfo, error) {
	if err := requireGraphID("phone_number_id", phoneNumberID); err != nil {
		return nil, err
	}
	var info PhoneNumberInfo
	q := url.Values{"fields": {phoneNumberFields}}
	if err := c.doJSON(ctx, http.MethodGet, c.endpoint(q, phoneNumberID), nil, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// String describes the client for logs, leaving the token out.
func (c *Client) String() string {
	return fmt.Sprintf("whatsapp.Client{%s/%s}", c.BaseURL, c.Version)
}
