package hubapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
)

// formPart is one part of a multipart upload: a field when filename and
// contentType are empty and name is not "file", else a file.
type formPart struct {
	name, filename, contentType string
	data                        []byte
	// size, when data is nil, streams that many bytes of zeros.
	size int64
}

// uploadMedia POSTs parts to /v1/media as multipart/form-data, streamed through
// a pipe (no Content-Length), as a client sending a large file would.
func (e *testEnv) uploadMedia(token string, parts []formPart, headers ...string) response {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, p := range parts {
			if p.filename == "" && p.contentType == "" && p.name != "file" {
				_ = mw.WriteField(p.name, string(p.data))
				continue
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.filename+`"`)
			if p.contentType != "" {
				h.Set("Content-Type", p.contentType)
			}
			w, err := mw.CreatePart(h)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			var r io.Reader = bytes.NewReader(p.data)
			if p.data == nil {
				r = io.LimitReader(zeros{}, p.size)
			}
			if _, err := io.Copy(w, r); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequest("POST", e.url+"/v1/media", pr)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	pr.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// field is the error's field ("" for none).
func (r response) field() string {
	var env struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &env)
	return env.Error.Field
}

func file(filename, contentType string, data []byte) []formPart {
	return []formPart{{name: "file", filename: filename, contentType: contentType, data: data}}
}

func TestMediaUploadScenarios(t *testing.T) {
	e := newEnv(t)
	jpeg := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0}, 256)
	readOnly := e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "reader", "scopes": []Scope{ScopeRead}})
	readToken := dataOf[NewToken](t, readOnly).Token
	account := e.sb.PhoneNumbers()[0].ID

	cases := []struct {
		name    string
		token   string
		parts   []formPart
		headers []string
		status  int
		code    string
		field   string
		// mime is the answered type of an accepted file.
		mime string
	}{
		// Every kind WhatsApp takes, at its usual types.
		{name: "image jpeg", token: e.agent.token, parts: file("photo.jpg", "image/jpeg", jpeg), status: 201, mime: "image/jpeg"},
		{name: "image png", token: e.agent.token, parts: file("shot.png", "image/png", []byte("\x89PNG\r\n\x1a\n....")), status: 201, mime: "image/png"},
		{name: "video mp4", token: e.agent.token, parts: file("clip.mp4", "video/mp4", []byte("....ftypmp42")), status: 201, mime: "video/mp4"},
		{name: "audio ogg with codecs", token: e.agent.token, parts: file("voice.ogg", "audio/ogg; codecs=opus", []byte("OggS....")), status: 201, mime: "audio/ogg"},
		{name: "document pdf", token: e.agent.token, parts: file("invoice.pdf", "application/pdf", []byte("%PDF-1.4 ...")), status: 201, mime: "application/pdf"},
		{name: "sticker webp", token: e.agent.token, parts: file("sticker.webp", "image/webp", []byte("RIFF....WEBPVP8L")), status: 201, mime: "image/webp"},
		{name: "type field before the file", token: e.admin,
			parts:  append([]formPart{{name: "messaging_product", data: []byte("whatsapp")}, {name: "type", data: []byte("image/png")}}, file("x", "application/octet-stream", jpeg)...),
			status: 201, mime: "image/png"},
		{name: "octet-stream typed by its extension", token: e.admin, parts: file("report.PDF", "application/octet-stream", []byte("%PDF")), status: 201, mime: "application/pdf"},
		{name: "explicit account", token: e.supervisor.token,
			parts:  append([]formPart{{name: "account_id", data: []byte(account)}}, file("a.jpg", "image/jpeg", jpeg)...),
			status: 201, mime: "image/jpeg"},

		// Sizes: refused at the kind's limit, before anything goes upstream.
		{name: "image over 5 MB", token: e.agent.token, parts: []formPart{{name: "file", filename: "big.jpg", contentType: "image/jpeg", size: 5<<20 + 1}}, status: 413, code: "PAYLOAD_TOO_LARGE", field: "file"},
		{name: "image exactly 5 MB", token: e.agent.token, parts: []formPart{{name: "file", filename: "max.jpg", contentType: "image/jpeg", size: 5 << 20}}, status: 201, mime: "image/jpeg"},
		{name: "sticker over 500 KB", token: e.agent.token, parts: []formPart{{name: "file", filename: "s.webp", contentType: "image/webp", size: 500<<10 + 1}}, status: 413, code: "PAYLOAD_TOO_LARGE", field: "file"},
		{name: "audio over 16 MB", token: e.agent.token, parts: []formPart{{name: "file", filename: "a.mp3", contentType: "audio/mpeg", size: 16<<20 + 1}}, status: 413, code: "PAYLOAD_TOO_LARGE", field: "file"},
		{name: "document over 100 MB", token: e.agent.token, parts: []formPart{{name: "file", filename: "huge.pdf", contentType: "application/pdf", size: 100<<20 + 1}}, status: 413, code: "PAYLOAD_TOO_LARGE", field: "file"},
		{name: "empty file", token: e.agent.token, parts: file("empty.pdf", "application/pdf", []byte{}), status: 422, code: "VALIDATION_FAILED", field: "file"},

		// Types WhatsApp does not take.
		{name: "gif", token: e.agent.token, parts: file("cat.gif", "image/gif", []byte("GIF89a")), status: 415, code: "UNSUPPORTED_MEDIA_TYPE", field: "type"},
		{name: "zip", token: e.agent.token, parts: file("files.zip", "application/zip", []byte("PK")), status: 415, code: "UNSUPPORTED_MEDIA_TYPE", field: "type"},
		{name: "html", token: e.agent.token, parts: file("page.html", "text/html", []byte("<script>")), status: 415, code: "UNSUPPORTED_MEDIA_TYPE", field: "type"},
		{name: "unknown type and extension", token: e.agent.token, parts: file("blob", "application/octet-stream", []byte("?")), status: 415, code: "UNSUPPORTED_MEDIA_TYPE", field: "type"},

		// Malformed forms.
		{name: "missing file", token: e.agent.token, parts: []formPart{{name: "account_id", data: []byte(account)}}, status: 422, code: "VALIDATION_FAILED", field: "file"},
		{name: "no parts at all", token: e.agent.token, parts: nil, status: 422, code: "VALIDATION_FAILED", field: "file"},
		{name: "two files", token: e.agent.token, parts: append(file("a.jpg", "image/jpeg", jpeg), file("b.jpg", "image/jpeg", jpeg)...), status: 400, code: "INVALID_REQUEST", field: "file"},
		{name: "type after the file", token: e.agent.token, parts: append(file("a.jpg", "image/jpeg", jpeg), formPart{name: "type", data: []byte("image/png")}), status: 400, code: "INVALID_REQUEST", field: "type"},
		{name: "unknown field", token: e.agent.token, parts: append([]formPart{{name: "caption", data: []byte("hi")}}, file("a.jpg", "image/jpeg", jpeg)...), status: 400, code: "INVALID_REQUEST", field: "caption"},
		{name: "unknown account", token: e.agent.token, parts: append([]formPart{{name: "account_id", data: []byte("999")}}, file("a.jpg", "image/jpeg", jpeg)...), status: 422, code: "VALIDATION_FAILED", field: "account_id"},

		// Authentication and scope.
		{name: "no token", token: "", parts: file("a.jpg", "image/jpeg", jpeg), status: 401, code: "UNAUTHORIZED"},
		{name: "read-only token", token: readToken, parts: file("a.jpg", "image/jpeg", jpeg), status: 403, code: "FORBIDDEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.graph.count("POST media")
			res := e.uploadMedia(c.token, c.parts, c.headers...)
			if res.status != c.status || res.code() != c.code || res.field() != c.field {
				t.Fatalf("%d %s; want %d %s (field %q)", res.status, res.body, c.status, c.code, c.field)
			}
			uploads := e.graph.count("POST media") - before
			if c.status != 201 {
				if uploads != 0 {
					t.Fatalf("a refused file reached the Cloud API (%d uploads)", uploads)
				}
				return
			}
			if uploads != 1 {
				t.Fatalf("%d uploads reached the Cloud API, want 1", uploads)
			}
			m := dataOf[UploadedMedia](t, res)
			var data []byte
			for _, p := range c.parts {
				if p.name == "file" {
					data = p.data
					if data == nil {
						data = make([]byte, p.size)
					}
				}
			}
			sum := sha256.Sum256(data)
			if m.ID == "" || m.MimeType != c.mime || m.FileSize != int64(len(data)) || m.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("answer %+v", m)
			}
			// The hub kept a copy: the media proxy serves it without
			// asking Meta.
			graphBefore := e.graph.total()
			got := e.do("GET", "/v1/media/"+url.PathEscape(m.ID), c.token, nil)
			if got.status != 200 || !bytes.Equal(got.body, data) {
				t.Fatalf("GET the upload: %d, %d bytes", got.status, len(got.body))
			}
			if n := e.graph.total() - graphBefore; n != 0 {
				t.Fatalf("serving the upload made %d Cloud API calls", n)
			}
		})
	}
}

func TestMediaUploadLeavesNoTemporaryFiles(t *testing.T) {
	e := newEnv(t)
	jpeg := []byte{0xff, 0xd8, 0xff}
	for _, parts := range [][]formPart{
		file("a.jpg", "image/jpeg", jpeg),
		{{name: "file", filename: "big.jpg", contentType: "image/jpeg", size: 5<<20 + 1}},
		append(file("a.jpg", "image/jpeg", jpeg), formPart{name: "nope", data: []byte("x")}),
	} {
		e.uploadMedia(e.agent.token, parts)
	}
	// Meta cannot be reached: the received file is still cleaned up.
	e.sb.Close()
	if r := e.uploadMedia(e.agent.token, file("a.jpg", "image/jpeg", jpeg)); r.status < 500 {
		t.Fatalf("upload with Meta away: %d %s", r.status, r.body)
	}
	entries, err := os.ReadDir(e.srv.media.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), ".upload-") {
			t.Errorf("temporary file left behind: %s", en.Name())
		}
	}
}

func TestMediaUploadIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	jpeg := bytes.Repeat([]byte{0xff, 0xd8}, 100)
	first := e.uploadMedia(e.agent.token, file("a.jpg", "image/jpeg", jpeg), "Idempotency-Key", "up-1")
	if first.status != 201 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	// A retry (its answer was lost, say) gets the same id; Meta saw one upload.
	again := e.uploadMedia(e.agent.token, file("a.jpg", "image/jpeg", jpeg), "Idempotency-Key", "up-1")
	if again.status != 201 || dataOf[UploadedMedia](t, again).ID != dataOf[UploadedMedia](t, first).ID {
		t.Fatalf("retry: %d %s", again.status, again.body)
	}
	if n := e.graph.count("POST media"); n != 1 {
		t.Fatalf("%d uploads, want 1", n)
	}
	// Another file under the same key is a conflict; another caller's key is theirs.
	if r := e.uploadMedia(e.agent.token, file("b.jpg", "image/jpeg", append(jpeg, 1)), "Idempotency-Key", "up-1"); r.code() != "IDEMPOTENCY_CONFLICT" {
		t.Fatalf("conflict: %d %s", r.status, r.body)
	}
	other := e.uploadMedia(e.agent2.token, file("a.jpg", "image/jpeg", jpeg), "Idempotency-Key", "up-1")
	if other.status != 201 || dataOf[UploadedMedia](t, other).ID == dataOf[UploadedMedia](t, first).ID {
		t.Fatalf("another caller: %d %s", other.status, other.body)
	}
	if r := e.uploadMedia(e.agent.token, file("a.jpg", "image/jpeg", jpeg), "Idempotency-Key", "bad key"); r.code() != "INVALID_REQUEST" {
		t.Fatalf("bad key: %d %s", r.status, r.body)
	}
}

func TestMediaUploadNotMultipart(t *testing.T) {
	e := newEnv(t)
	for _, ct := range []string{"application/json", "image/jpeg", ""} {
		res := e.do("POST", "/v1/media", e.agent.token, nil, "Content-Type", ct)
		if res.status != 415 || res.code() != "UNSUPPORTED_MEDIA_TYPE" {
			t.Errorf("%q: %d %s", ct, res.status, res.body)
		}
	}
}

// TestUploadedMediaIsSent uploads an image and a document, sends each by
// its id, and follows them to the customer's phone: the sandbox gets the
// media id it issued, and the statuses come back.
func TestUploadedMediaIsSent(t *testing.T) {
	e := newEnv(t, withSandbox(func(c *sandbox.Config) { c.Customers.ReadProbability = 1 }))
	conv := e.customerWrites("14155550101", "send me the invoice")
	cases := []struct {
		kind, filename, mime string
		object               map[string]any
	}{
		{"image", "photo.jpg", "image/jpeg", map[string]any{"caption": "the parcel"}},
		{"document", "invoice.pdf", "application/pdf", map[string]any{"caption": "your invoice", "filename": "invoice.pdf"}},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			up := e.uploadMedia(e.agent.token, file(c.filename, c.mime, []byte("bytes of "+c.filename)))
			if up.status != 201 {
				t.Fatalf("upload: %d %s", up.status, up.body)
			}
			id := dataOf[UploadedMedia](t, up).ID
			c.object["id"] = id
			res := e.do("POST", "/v1/messages", e.agent.token, map[string]any{"conversation_id": conv.ID, "type": c.kind, c.kind: c.object})
			if res.status != 202 {
				t.Fatalf("send: %d %s", res.status, res.body)
			}
			msgID := dataOf[domain.Message](t, res).ID
			var status domain.MessageStatus
			e.eventually(func() bool {
				m := dataOf[domain.Message](t, e.do("GET", "/v1/messages/"+itoa(int(msgID)), e.agent.token, nil))
				status = m.Status
				return status == domain.MsgDelivered || status == domain.MsgRead
			}, "%s delivered", c.kind)
			found := false
			for _, m := range e.sb.Messages("14155550101", 20) {
				if m.Direction == "outbound" && m.Type == c.kind && strings.Contains(string(m.Payload), `"id":"`+id+`"`) {
					found = true
				}
			}
			if !found {
				t.Fatalf("the sandbox has no %s message with media id %s", c.kind, id)
			}
		})
	}
}
