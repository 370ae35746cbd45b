package hubapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/phone"
)

// maxJSONBody bounds request bodies of ordinary JSON routes. Routes that
// take uploads (CSV deliveries) set their own, larger limit.
const maxJSONBody = 1 << 20

// readBody reads at most limit bytes of the body. A body that declares its
// length is read into one buffer of that size (a 3 MB webhook would
// otherwise pass through a dozen ever larger copies), and one declaring more
// than the limit is refused unread; otherwise it reads one byte more than
// the limit so an over-size body is told apart from one exactly at it.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, apierr.New(apierr.PayloadTooLarge, "the body is larger than %d bytes", limit)
	}
	var b []byte
	var err error
	if r.ContentLength >= 0 {
		b = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, b)
	} else {
		b, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	var coded *apierr.Error
	if errors.As(err, &coded) {
		return nil, coded // REQUEST_TIMEOUT
	}
	if err != nil {
		return nil, apierr.Wrap(err, apierr.InvalidRequest, "the request body could not be read")
	}
	if int64(len(b)) > limit {
		return nil, apierr.New(apierr.PayloadTooLarge, "the body is larger than %d bytes", limit)
	}
	return b, nil
}

// mediaType is the request's content type without parameters, lower-cased
// ("" when absent or unparsable).
func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// requireJSON refuses a body that does not say it is JSON. Accepting
// form-encoded or text bodies would let a browser form post to the API
// without a CORS preflight.
func requireJSON(r *http.Request) error {
	switch mt := mediaType(r); mt {
	case "application/json":
		return nil
	case "":
		return apierr.New(apierr.UnsupportedMediaType, "set Content-Type: application/json")
	default:
		return apierr.New(apierr.UnsupportedMediaType, "content type %q is not accepted here; send application/json", mt)
	}
}

// decodeJSON reads a JSON body into v: the content type must be JSON, the
// body valid UTF-8, a single JSON value with no trailing data and no
// fields v does not know. Nothing has been changed when it fails, because
// handlers decode before acting.
func decodeJSON(r *http.Request, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	b, err := readBody(r, maxJSONBody)
	if err != nil {
		return err
	}
	return unmarshalStrict(b, v)
}

// unmarshalStrict is decodeJSON's parsing half, also used for JSON that
// arrives by other means (a multipart field, a websocket message).
func unmarshalStrict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return apierr.New(apierr.InvalidJSON, "the body is empty; a JSON object is expected")
	}
	if !utf8.Valid(b) {
		// encoding/json would silently replace invalid bytes with U+FFFD and
		// we would store text the sender never wrote.
		return apierr.New(apierr.InvalidJSON, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apierr.New(apierr.InvalidJSON, "unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns encoding/json's errors into coded ones naming the field.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return apierr.Field(apierr.InvalidRequest, field, "%s must be %s, not %s", fieldName(field), jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return apierr.New(apierr.InvalidJSON, "invalid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apierr.New(apierr.InvalidJSON, "the JSON value is truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apierr.Field(apierr.InvalidRequest, field, "unknown field %q", field)
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		// A custom UnmarshalJSON (phone numbers, enums) said precisely what
		// is wrong.
		return ae
	}
	return apierr.New(apierr.InvalidJSON, "invalid JSON: %s", err.Error())
}

func fieldName(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "ptr":
		return "a value"
	}
	return "a " + k
}

// pageParams are a list route's ?limit= and ?cursor=.
type pageParams struct {
	Limit  int
	Cursor string
}

// Page size bounds shared by every list.
const (
	defaultLimit = 25
	maxLimit     = 100
)

// parsePage reads limit (1–100, default 25) and the opaque cursor.
func parsePage(r *http.Request) (pageParams, error) {
	q := r.URL.Query()
	p := pageParams{Limit: defaultLimit, Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, apierr.Field(apierr.InvalidRequest, "limit", "limit must be an integer from 1 to %d", maxLimit)
		}
		p.Limit = n
	}
	if len(p.Cursor) > 512 {
		return p, apierr.Field(apierr.InvalidRequest, "cursor", "the cursor is not one this API issued")
	}
	return p, nil
}

// pathID parses a numeric {name} path value.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apierr.New(apierr.NotFound, "no %s %q", strings.TrimSuffix(name, "_id"), s)
	}
	return n, nil
}

// queryInt64 parses an optional integer query parameter.
func queryInt64(r *http.Request, name string) (*int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, apierr.Field(apierr.InvalidRequest, name, "%s must be an integer", name)
	}
	return &n, nil
}

// queryBool parses an optional boolean query parameter.
func queryBool(r *http.Request, name string) (*bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, apierr.Field(apierr.InvalidRequest, name, "%s must be true or false", name)
	}
	return &b, nil
}

// queryTime parses an optional RFC 3339 timestamp (or a date, read as
// midnight UTC) query parameter.
func queryTime(r *http.Request, name string) (*time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, apierr.Field(apierr.InvalidRequest, name, "%s must be an RFC 3339 time (2006-01-02T15:04:05Z) or a date (2006-01-02)", name)
}

// queryEnum checks an optional parameter against its allowed values.
func queryEnum(r *http.Request, name string, allowed ...string) (string, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return "", nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", apierr.Field(apierr.InvalidRequest, name, "%s must be one of %s", name, strings.Join(allowed, ", "))
}

// normalizePhone reads a phone number in any format into E.164, with an
// error naming field when it cannot.
func normalizePhone(field, input string) (string, error) {
	e164, err := phone.Normalize(input)
	if err != nil {
		msg := err.Error()
		var pe *phone.Error
		if errors.As(err, &pe) {
			msg = fmt.Sprintf("%q is not a usable phone number (%s)", truncate(input, 40), pe.Reason)
			if pe.Detail != "" {
				msg += ": " + pe.Detail
			}
		}
		return "", &apierr.Error{Code: apierr.InvalidPhone, Field: field, Message: msg}
	}
	return e164, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
