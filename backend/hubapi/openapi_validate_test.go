package hubapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// openapiCheck validates every answer the test server gives against the
// OpenAPI document the server serves, with kin-openapi's validator (JSON
// Schema 2020-12 for this OpenAPI 3.1 document): the status must be
// declared for the operation, the content type must be one it declares,
// and a JSON body must match the schema. The harness puts it in front of
// the handler, so every request of every test that goes through it checks
// the document against the server and the two cannot drift apart.
//
// Requests are not validated: tests send malformed ones on purpose. Paths
// the document does not have (the 404 and 405 fallbacks) and websocket
// upgrades, whose answer is the protocol switch, are left out.
type openapiCheck struct {
	router routers.Router
	// report is told of every answer the document does not allow
	// (t.Errorf).
	report func(format string, args ...any)

	mu      sync.Mutex
	checked int
}

// newOpenAPICheck loads the document srv serves at /openapi.json and
// checks it is a valid OpenAPI document.
func newOpenAPICheck(t *testing.T, h http.Handler) *openapiCheck {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("the served OpenAPI document does not load: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the served OpenAPI document is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing the OpenAPI document: %v", err)
	}
	return &openapiCheck{router: router, report: t.Errorf}
}

// wrap validates the answers of next.
func (c *openapiCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := c.router.FindRoute(r)
		if err != nil {
			next.ServeHTTP(w, r) // not in the document: the fallbacks
			return
		}
		rec := &answerRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.hijacked {
			return
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
			Status:                 status,
			Header:                 rec.header,
			Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if rec.header == nil {
			in.Header = w.Header()
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			body := rec.body.Bytes()
			if len(body) > 300 {
				body = append(body[:300:300], "…"...)
			}
			c.report("OpenAPI: %s %s answered %d (%s) against the document: %v\nbody: %s",
				r.Method, r.URL.Path, status, in.Header.Get("Content-Type"), err, body)
		}
		c.mu.Lock()
		c.checked++
		c.mu.Unlock()
	})
}

// count is how many answers were validated.
func (c *openapiCheck) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checked
}

// answerRecorder passes an answer through while keeping a copy of its
// status, headers and body. It lets the websocket upgrade hijack the
// connection and http.ResponseController reach the connection beneath.
type answerRecorder struct {
	http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	hijacked bool
}

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
		a.header = a.ResponseWriter.Header().Clone()
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.WriteHeader(http.StatusOK)
	}
	a.body.Write(b)
	return a.ResponseWriter.Write(b)
}

func (a *answerRecorder) Flush() {
	if f, ok := a.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *answerRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("cannot hijack")
	}
	a.hijacked = true
	return h.Hijack()
}

func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// TestOpenAPICheckCatchesDrift proves the harness's check bites: answers
// the document does not allow (an undeclared status, content type or
// field type) are reported, the ones it allows are not, and the tests'
// own traffic is being checked.
func TestOpenAPICheckCatchesDrift(t *testing.T) {
	e := newEnv(t)
	check := newOpenAPICheck(t, e.srv.Handler())
	var reports []string
	check.report = func(format string, args ...any) { reports = append(reports, fmt.Sprintf(format, args...)) }
	answer := func(status int, contentType, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		})
	}
	user := `{"data":{"id":1,"email":"a@b.c","name":"A","role":"agent","teams":[],"disabled":false,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}`
	cases := []struct {
		name, method, path string
		h                  http.Handler
		bad                bool
	}{
		{"a created user", "PUT", "/v1/users", answer(201, "application/json", user), false},
		{"a replaced user", "PUT", "/v1/users", answer(200, "application/json", user), false},
		{"an error envelope", "PUT", "/v1/users", answer(422, "application/json", `{"error":{"code":"VALIDATION_FAILED","message":"m","doc_url":"/docs/errors#VALIDATION_FAILED"}}`), false},
		{"an image", "GET", "/v1/media/123", answer(200, "image/jpeg", "\xff\xd8"), false},
		{"an undeclared status", "PUT", "/v1/users", answer(418, "application/json", `{"error":{"code":"X","message":"m","doc_url":"u"}}`), true},
		{"an undeclared content type", "GET", "/v1/me", answer(200, "text/plain", "hello"), true},
		{"a field of the wrong type", "PUT", "/v1/users", answer(200, "application/json", strings.Replace(user, `"id":1`, `"id":"1"`, 1)), true},
		{"a missing required field", "GET", "/v1/accounts", answer(200, "application/json", `{"data":[]}`), true},
		{"an error that is not the envelope", "GET", "/v1/me", answer(401, "application/json", `{"message":"no"}`), true},
	}
	for _, c := range cases {
		reports = nil
		check.wrap(c.h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
		if got := len(reports) > 0; got != c.bad {
			t.Errorf("%s: reported %v, want %v %v", c.name, got, c.bad, reports)
		}
	}
	if n := check.count(); n != len(cases) {
		t.Errorf("the check validated %d answers, want %d", n, len(cases))
	}
	before := e.openapi.count()
	e.do("GET", "/v1/me", e.admin, nil)
	if e.openapi.count() != before+1 {
		t.Error("the harness does not validate the tests' answers")
	}
}
