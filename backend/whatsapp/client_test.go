package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"switchboard/backend/apierr"
)

const (
	testToken = "EAAtest-token"
	testPNID  = "106540352242922"
	testWABA  = "102290129340398"
)

// recorded is one request as the fake Graph server saw it.
type recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// fakeGraph is a real HTTP server on 127.0.0.1 that records every request
// and answers with handle (or a canned send response).
type fakeGraph struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newFakeGraph(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) (*fakeGraph, *Client) {
	t.Helper()
	f := &fakeGraph{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		if f.handle != nil {
			f.handle(w, r, body)
			return
		}
		writeJSON(w, 200, `{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.SENT1"}]}`)
	}))
	t.Cleanup(f.srv.Close)
	c := NewClient(f.srv.URL, testToken)
	c.HTTP = f.srv.Client()
	return f, c
}

func (f *fakeGraph) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("no request reached the server")
	}
	return f.reqs[len(f.reqs)-1]
}

func (f *fakeGraph) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// sameJSON compares two JSON documents by value.
func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("wire JSON differs\n got: %s\nwant: %s", got, compact(want))
	}
}

func compact(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}

// TestSendWire asserts the exact JSON the client puts on the wire for every
// outbound type, written after the request examples in Meta's docs.
func TestSendWire(t *testing.T) {
	to := "+16505551234"
	tests := []struct {
		name string
		msg  *OutboundMessage
		want string
	}{
		{"text", NewText(to, "Hello"), `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text","text":{"body":"Hello"}}`},
		{"text with preview", &OutboundMessage{To: to, Type: TypeText, Text: &Text{Body: "See https://example.com", PreviewURL: true}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text","text":{"preview_url":true,"body":"See https://example.com"}}`},
		{"reply", NewText(to, "Yes").ReplyTo("wamid.IN1"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","context":{"message_id":"wamid.IN1"},"type":"text","text":{"body":"Yes"}}`},
		{"bsuid recipient", &OutboundMessage{Recipient: "US.13491208655302741918", Type: TypeText, Text: &Text{Body: "Hi"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.13491208655302741918","type":"text","text":{"body":"Hi"}}`},
		{"image by id", NewMedia(to, TypeImage, MediaObject{ID: "1003383421387256", Caption: "Taj Mahal"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"image","image":{"id":"1003383421387256","caption":"Taj Mahal"}}`},
		{"image by link", NewMedia(to, TypeImage, MediaObject{Link: "https://example.com/a.jpg"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"image","image":{"link":"https://example.com/a.jpg"}}`},
		{"video", NewMedia(to, TypeVideo, MediaObject{Link: "https://example.com/v.mp4", Caption: "Demo"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"video","video":{"link":"https://example.com/v.mp4","caption":"Demo"}}`},
		{"audio", NewMedia(to, TypeAudio, MediaObject{ID: "1013859600285441"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"audio","audio":{"id":"1013859600285441"}}`},
		{"document", NewMedia(to, TypeDocument, MediaObject{Link: "https://example.com/inv.pdf", Caption: "Invoice", Filename: "Fatura março.pdf"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"document","document":{"link":"https://example.com/inv.pdf","caption":"Invoice","filename":"Fatura março.pdf"}}`},
		{"sticker", NewMedia(to, TypeSticker, MediaObject{ID: "798882015472548"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"sticker","sticker":{"id":"798882015472548"}}`},
		{"location", NewLocation(to, Location{Latitude: 37.44216251868683, Longitude: -122.16153582049394, Name: "Philz Coffee", Address: "101 Forest Ave, Palo Alto, CA 94301"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"location","location":{"latitude":37.44216251868683,"longitude":-122.16153582049394,"name":"Philz Coffee","address":"101 Forest Ave, Palo Alto, CA 94301"}}`},
		{"contacts", NewContacts(to, Contact{Name: ContactName{FormattedName: "Barbara J. Johnson", FirstName: "Barbara"}, Phones: []ContactPhone{{Phone: "+16505559999", Type: "HOME"}}}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"contacts","contacts":[{"name":{"formatted_name":"Barbara J. Johnson","first_name":"Barbara"},"phones":[{"phone":"+16505559999","type":"HOME"}]}]}`},
		{"reaction", NewReaction(to, "wamid.IN1", "😀"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"reaction","reaction":{"message_id":"wamid.IN1","emoji":"😀"}}`},
		{"reaction removal", NewReaction(to, "wamid.IN1", ""),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"reaction","reaction":{"message_id":"wamid.IN1","emoji":""}}`},
		{"reply buttons", func() *OutboundMessage {
			m := NewReplyButtons(to, "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow.",
				ReplyValue{ID: "change-button", Title: "Change"}, ReplyValue{ID: "cancel-button", Title: "Cancel"})
			m.Interactive.Header = &InteractiveHeader{Type: "image", Image: &MediaObject{ID: "2762702990552401"}}
			m.Interactive.Footer = &InteractiveText{Text: "Lucky Shrub"}
			return m
		}(),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"interactive","interactive":{"type":"button","header":{"type":"image","image":{"id":"2762702990552401"}},"body":{"text":"Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."},"footer":{"text":"Lucky Shrub"},"action":{"buttons":[{"type":"reply","reply":{"id":"change-button","title":"Change"}},{"type":"reply","reply":{"id":"cancel-button","title":"Cancel"}}]}}}`},
		{"list", func() *OutboundMessage {
			m := NewList(to, "Which shipping option do you prefer?", "Shipping Options",
				ListSection{Title: "I want it ASAP!", Rows: []ListRow{{ID: "priority_express", Title: "Priority Mail Express", Description: "Next Day to 2 Days"}}},
				ListSection{Title: "I can wait a bit", Rows: []ListRow{{ID: "media_mail", Title: "Media Mail"}}})
			m.Interactive.Header = &InteractiveHeader{Type: "text", Text: "Choose Shipping Option"}
			return m
		}(),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"interactive","interactive":{"type":"list","header":{"type":"text","text":"Choose Shipping Option"},"body":{"text":"Which shipping option do you prefer?"},"action":{"button":"Shipping Options","sections":[{"title":"I want it ASAP!","rows":[{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}]},{"title":"I can wait a bit","rows":[{"id":"media_mail","title":"Media Mail"}]}]}}}`},
		{"location request", NewLocationRequest(to, "Let's start with your pickup. You can either manually *enter an address* or *share your current location*."),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"interactive","interactive":{"type":"location_request_message","body":{"text":"Let's start with your pickup. You can either manually *enter an address* or *share your current location*."},"action":{"name":"send_location"}}}`},
		{"cta url", NewCTAURL(to, "Tap the button below to see available dates.", "See Dates", "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"interactive","interactive":{"type":"cta_url","body":{"text":"Tap the button below to see available dates."},"action":{"name":"cta_url","parameters":{"display_text":"See Dates","url":"https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4"}}}}`},
		{"template positional", NewTemplate(to, "order_update", "en_US",
			TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{{Type: ParamText, Text: "#4521"}}},
			TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamText, Text: "Pablo"}, {Type: ParamText, Text: "Friday"}}},
			TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeURL, Index: ButtonIndex(0), Parameters: []TemplateParameter{{Type: ParamText, Text: "4521"}}},
			TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeQuickReply, Index: ButtonIndex(1), Parameters: []TemplateParameter{{Type: ParamPayload, Payload: "STOP_UPDATES"}}}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"header","parameters":[{"type":"text","text":"#4521"}]},{"type":"body","parameters":[{"type":"text","text":"Pablo"},{"type":"text","text":"Friday"}]},{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"4521"}]},{"type":"button","sub_type":"quick_reply","index":1,"parameters":[{"type":"payload","payload":"STOP_UPDATES"}]}]}}`},
		{"template named", NewTemplate(to, "order_confirmation", "en_US",
			TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamText, ParameterName: "first_name", Text: "Jessica"}, {Type: ParamText, ParameterName: "order_number", Text: "SKBUP2-4CPIG9"}}}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template","template":{"name":"order_confirmation","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Jessica"},{"type":"text","parameter_name":"order_number","text":"SKBUP2-4CPIG9"}]}]}}`},
		{"template media header and coupon", NewTemplate(to, "summer_sale", "pt_BR",
			TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{{Type: ParamImage, Image: &MediaObject{Link: "https://example.com/sale.png"}}}},
			TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeCopyCode, Index: ButtonIndex(0), Parameters: []TemplateParameter{{Type: ParamCouponCode, CouponCode: "VERAO25"}}}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template","template":{"name":"summer_sale","language":{"code":"pt_BR"},"components":[{"type":"header","parameters":[{"type":"image","image":{"link":"https://example.com/sale.png"}}]},{"type":"button","sub_type":"copy_code","index":0,"parameters":[{"type":"coupon_code","coupon_code":"VERAO25"}]}]}}`},
		{"template location header", NewTemplate(to, "pickup_point", "en_US",
			TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{{Type: ParamLocation, Location: &Location{Latitude: 37.48, Longitude: -122.14, Name: "Store", Address: "1 Main St"}}}}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template","template":{"name":"pickup_point","language":{"code":"en_US"},"components":[{"type":"header","parameters":[{"type":"location","location":{"latitude":37.48,"longitude":-122.14,"name":"Store","address":"1 Main St"}}]}]}}`},
		{"template no params with opaque data", func() *OutboundMessage {
			m := NewTemplate(to, "hello_world", "en_US")
			m.BizOpaqueCallbackData = "campaign-42"
			return m
		}(),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","biz_opaque_callback_data":"campaign-42","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFakeGraph(t, nil)
			before, _ := json.Marshal(tc.msg)
			res, err := c.Send(context.Background(), testPNID, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "message id", res.MessageID(), "wamid.SENT1")
			r := f.last(t)
			eq(t, "method", r.Method, http.MethodPost)
			eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testPNID+"/messages")
			eq(t, "authorization", r.Header.Get("Authorization"), "Bearer "+testToken)
			eq(t, "content type", r.Header.Get("Content-Type"), "application/json")
			sameJSON(t, r.Body, tc.want)
			after, _ := json.Marshal(tc.msg)
			if !bytes.Equal(before, after) {
				t.Error("Send modified the caller's message")
			}
		})
	}
}

func TestSendRejectsBeforeTheWire(t *testing.T) {
	f, c := newFakeGraph(t, nil)
	_, err := c.Send(context.Background(), testPNID, NewText("+16505551234", strings.Repeat("a", MaxTextBody+1)))
	eq(t, "code", apierr.CodeOf(err), apierr.ValidationFailed)
	eq(t, "field", apierr.As(err).Field, "text.body")
	_, err = c.Send(context.Background(), "", NewText("+16505551234", "hi"))
	eq(t, "no pnid", apierr.CodeOf(err), apierr.ValidationFailed)
	eq(t, "requests", f.count(), 0)
}

func TestSendGraphErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   apierr.Code
		class  Class
	}{
		{"re-engagement", 400, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"A"}}`, apierr.SessionExpired, ClassNeedsTemplate},
		{"throughput", 400, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"B"}}`, apierr.UpstreamUnavailable, ClassRetryable},
		{"template missing", 404, `{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp","details":"template name (nope) does not exist in en_US"},"fbtrace_id":"C"}}`, apierr.TemplateNotFound, ClassPermanent},
		{"token expired", 401, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"D"}}`, apierr.UpstreamError, ClassPermanent},
		{"server error", 500, `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"E"}}`, apierr.UpstreamUnavailable, ClassRetryable},
		{"error in a 200", 200, `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"fbtrace_id":"F"}}`, apierr.UpstreamError, ClassPermanent},
		{"no message id", 200, `{"messaging_product":"whatsapp","messages":[]}`, apierr.UpstreamError, ClassPermanent},
		{"not json", 200, `ok`, apierr.UpstreamError, ClassPermanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				writeJSON(w, tc.status, tc.body)
			})
			_, err := c.Send(context.Background(), testPNID, NewText("+16505551234", "hi"))
			if err == nil {
				t.Fatal("no error")
			}
			eq(t, "code", apierr.CodeOf(err), tc.code)
			eq(t, "class", Classify(err), tc.class)
			var ge *GraphError
			if tc.status != 200 && !errors.As(err, &ge) {
				t.Errorf("no *GraphError in %v", err)
			}
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	c := NewClient(addr, testToken)
	_, err := c.Send(context.Background(), testPNID, NewText("+16505551234", "hi"))
	eq(t, "code", apierr.CodeOf(err), apierr.UpstreamUnavailable)
	eq(t, "class", Classify(err), ClassRetryable)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, c2 := newFakeGraph(t, nil)
	_, err = c2.Send(ctx, testPNID, NewText("+16505551234", "hi"))
	eq(t, "cancelled class", Classify(err), ClassRetryable)
}

func TestMarkRead(t *testing.T) {
	tests := []struct {
		name   string
		typing bool
		want   string
	}{
		{"read", false, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1"}`},
		{"read with typing", true, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1","typing_indicator":{"type":"text"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				writeJSON(w, 200, `{"success":true}`)
			})
			if err := c.MarkRead(context.Background(), testPNID, "wamid.IN1", tc.typing); err != nil {
				t.Fatal(err)
			}
			r := f.last(t)
			eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testPNID+"/messages")
			sameJSON(t, r.Body, tc.want)
		})
	}
}

func TestUploadMedia(t *testing.T) {
	type got struct {
		product, typ, filename, partType string
		data                             []byte
	}
	var seen got
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			writeJSON(w, 400, `{"error":{"message":"bad form","code":100}}`)
			return
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			switch p.FormName() {
			case "messaging_product":
				seen.product = string(data)
			case "type":
				seen.typ = string(data)
			case "file":
				seen.filename, seen.partType, seen.data = p.FileName(), p.Header.Get("Content-Type"), data
			}
		}
		writeJSON(w, 200, `{"id":"1037543291543636"}`)
	})
	content := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 1000)
	id, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{Filename: "photo.jpg", MIMEType: "image/jpeg", Size: int64(len(content)), Body: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "id", id, "1037543291543636")
	r := f.last(t)
	eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testPNID+"/media")
	eq(t, "auth", r.Header.Get("Authorization"), "Bearer "+testToken)
	eq(t, "messaging_product", seen.product, "whatsapp")
	eq(t, "type", seen.typ, "image/jpeg")
	eq(t, "filename", seen.filename, "photo.jpg")
	eq(t, "part type", seen.partType, "image/jpeg")
	if !bytes.Equal(seen.data, content) {
		t.Error("file content differs")
	}

	t.Run("unsupported type never leaves", func(t *testing.T) {
		n := f.count()
		_, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{Filename: "x.exe", MIMEType: "application/x-msdownload", Size: 3, Body: strings.NewReader("MZ!")})
		eq(t, "code", apierr.CodeOf(err), apierr.UnsupportedMediaType)
		eq(t, "requests", f.count(), n)
	})
	t.Run("declared size over the limit", func(t *testing.T) {
		_, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{MIMEType: "image/png", Size: MaxImageBytes + 1, Body: strings.NewReader("x")})
		eq(t, "code", apierr.CodeOf(err), apierr.PayloadTooLarge)
	})
	t.Run("stream over the limit", func(t *testing.T) {
		big := bytes.Repeat([]byte("w"), MaxAnimatedStickerBytes+10)
		_, err := c.UploadMedia(context.Background(), testPNID, MediaUpload{Filename: "s.webp", MIMEType: "image/webp", Size: -1, Body: bytes.NewReader(big)})
		eq(t, "code", apierr.CodeOf(err), apierr.PayloadTooLarge)
	})
}

func TestMediaDownload(t *testing.T) {
	payload := []byte("OggS-voice-note-bytes")
	var srvURL string
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/"+DefaultVersion+"/1003383421387256":
			writeJSON(w, 200, fmt.Sprintf(`{"messaging_product":"whatsapp","url":"%s/whatsapp_business/attachments/?mid=1003383421387256","mime_type":"audio/ogg","sha256":"abc","file_size":%d,"id":"1003383421387256"}`, srvURL, len(payload)))
		case r.URL.Path == "/whatsapp_business/attachments/":
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				w.WriteHeader(401)
				return
			}
			w.Header().Set("Content-Type", "audio/ogg")
			w.Write(payload)
		case r.Method == http.MethodDelete:
			writeJSON(w, 200, `{"success":true}`)
		default:
			writeJSON(w, 404, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}`)
		}
	})
	srvURL = f.srv.URL
	ctx := context.Background()
	info, dl, err := c.FetchMedia(ctx, "1003383421387256", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Body.Close()
	data, err := io.ReadAll(dl.Body)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "content", string(data), string(payload))
	eq(t, "mime", info.MimeType, "audio/ogg")
	eq(t, "size", int(info.FileSize), len(payload))
	eq(t, "content type", dl.ContentType, "audio/ogg")

	t.Run("limit", func(t *testing.T) {
		dl, err := c.DownloadMedia(ctx, info.URL, 5)
		if err != nil {
			// A declared Content-Length over the limit fails up front.
			eq(t, "code", apierr.CodeOf(err), apierr.PayloadTooLarge)
			return
		}
		defer dl.Body.Close()
		_, err = io.ReadAll(dl.Body)
		eq(t, "code", apierr.CodeOf(err), apierr.PayloadTooLarge)
	})
	t.Run("unknown media", func(t *testing.T) {
		_, err := c.GetMedia(ctx, "999")
		eq(t, "code", apierr.CodeOf(err), apierr.UpstreamError)
		eq(t, "graph code", GraphCode(err), 100)
	})
	t.Run("bad url", func(t *testing.T) {
		_, err := c.DownloadMedia(ctx, "file:///etc/passwd", 0)
		eq(t, "code", apierr.CodeOf(err), apierr.ValidationFailed)
	})
	t.Run("delete", func(t *testing.T) {
		if err := c.DeleteMedia(ctx, "1003383421387256"); err != nil {
			t.Fatal(err)
		}
		r := f.last(t)
		eq(t, "method", r.Method, http.MethodDelete)
		eq(t, "path", r.Path, "/"+DefaultVersion+"/1003383421387256")
	})
}

func TestListTemplatesPaging(t *testing.T) {
	pages := map[string]string{
		"":   `{"data":[{"name":"hello_world","language":"en_US","status":"APPROVED","category":"UTILITY","id":"1","components":[{"type":"BODY","text":"Hello World"}]}],"paging":{"cursors":{"before":"b0","after":"c1"},"next":"https://graph.facebook.com/v24.0/102290129340398/message_templates?limit=1&after=c1"}}`,
		"c1": `{"data":[{"name":"order_update","language":"pt_BR","status":"PENDING","category":"UTILITY","id":"2","parameter_format":"POSITIONAL","components":[{"type":"BODY","text":"Olá {{1}}"}]}],"paging":{"cursors":{"before":"c1","after":"c2"},"next":"https://elsewhere.example/next?after=c2"}}`,
		"c2": `{"data":[{"name":"promo","language":"es","status":"REJECTED","category":"MARKETING","id":"3","components":[{"type":"BODY","text":"Hola"}]}],"paging":{"cursors":{"before":"c2","after":"c3"}}}`,
	}
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		p, ok := pages[r.URL.Query().Get("after")]
		if !ok {
			writeJSON(w, 400, `{"error":{"message":"bad cursor","code":100}}`)
			return
		}
		writeJSON(w, 200, p)
	})
	ts, err := c.ListTemplates(context.Background(), testWABA, TemplateFilter{PageSize: 1, Status: TemplateApproved})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("got %d templates", len(ts))
	}
	eq(t, "third", ts[2].Name, "promo")
	eq(t, "requests", f.count(), 3)
	for _, r := range f.reqs {
		eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testWABA+"/message_templates")
		if !strings.Contains(r.Query, "limit=1") || !strings.Contains(r.Query, "status=APPROVED") {
			t.Errorf("query %q lost the filter", r.Query)
		}
		eq(t, "host", r.Header.Get("Authorization"), "Bearer "+testToken)
	}
}

func TestListTemplatesStopsOnRepeatedCursor(t *testing.T) {
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		writeJSON(w, 200, `{"data":[{"name":"a","language":"en","components":[]}],"paging":{"cursors":{"after":"same"},"next":"https://graph.facebook.com/x?after=same"}}`)
	})
	ts, err := c.ListTemplates(context.Background(), testWABA, TemplateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "templates", len(ts), 2)
	eq(t, "requests", f.count(), 2)
}

func TestCreateAndDeleteTemplate(t *testing.T) {
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method == http.MethodDelete {
			writeJSON(w, 200, `{"success":true}`)
			return
		}
		writeJSON(w, 200, `{"id":"572279198452421","status":"PENDING","category":"MARKETING"}`)
	})
	tpl := Template{
		Name: "seasonal_promotion", Language: "en_US", Category: CategoryMarketing, ParameterFormat: ParameterFormatNamed,
		Components: []TemplateComponentDef{
			{Type: TemplateHeader, Format: FormatText, Text: "Our {{sale_name}} is on!", Example: &TemplateExample{HeaderTextNamedParams: []NamedParamExample{{ParamName: "sale_name", Example: "Summer Sale"}}}},
			{Type: TemplateBody, Text: "Shop now through {{end_date}} and use code {{code}} to get {{pct}} off.", Example: &TemplateExample{BodyTextNamedParams: []NamedParamExample{{ParamName: "end_date", Example: "the end of August"}, {ParamName: "code", Example: "25OFF"}, {ParamName: "pct", Example: "25%"}}}},
			{Type: TemplateFooter, Text: "Use the buttons below to manage your marketing subscriptions"},
			{Type: TemplateButtons, Buttons: []TemplateButton{{Type: ButtonQuickReply, Text: "Unsubscribe from Promos"}, {Type: ButtonURL, Text: "Shop", URL: "https://example.com/shop/{{1}}", Example: json.RawMessage(`["https://example.com/shop/summer"]`)}}},
		},
	}
	res, err := c.CreateTemplate(context.Background(), testWABA, tpl)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "id", res.ID, "572279198452421")
	eq(t, "status", res.Status, TemplatePending)
	r := f.last(t)
	eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testWABA+"/message_templates")
	sameJSON(t, r.Body, `{"name":"seasonal_promotion","language":"en_US","category":"MARKETING","parameter_format":"NAMED","components":[
		{"type":"HEADER","format":"TEXT","text":"Our {{sale_name}} is on!","example":{"header_text_named_params":[{"param_name":"sale_name","example":"Summer Sale"}]}},
		{"type":"BODY","text":"Shop now through {{end_date}} and use code {{code}} to get {{pct}} off.","example":{"body_text_named_params":[{"param_name":"end_date","example":"the end of August"},{"param_name":"code","example":"25OFF"},{"param_name":"pct","example":"25%"}]}},
		{"type":"FOOTER","text":"Use the buttons below to manage your marketing subscriptions"},
		{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Unsubscribe from Promos"},{"type":"URL","text":"Shop","url":"https://example.com/shop/{{1}}","example":["https://example.com/shop/summer"]}]}]}`)

	if err := c.DeleteTemplate(context.Background(), testWABA, "seasonal_promotion", "572279198452421"); err != nil {
		t.Fatal(err)
	}
	r = f.last(t)
	eq(t, "method", r.Method, http.MethodDelete)
	eq(t, "query", r.Query, "hsm_id=572279198452421&name=seasonal_promotion")

	bad := tpl
	bad.Name = "Seasonal Promotion"
	_, err = c.CreateTemplate(context.Background(), testWABA, bad)
	eq(t, "bad name", apierr.CodeOf(err), apierr.ValidationFailed)
}

func TestGetPhoneNumber(t *testing.T) {
	f, c := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		writeJSON(w, 200, `{"verified_name":"Lucky Shrub","code_verification_status":"VERIFIED","display_phone_number":"+1 555-078-3881","quality_rating":"GREEN","platform_type":"CLOUD_API","throughput":{"level":"STANDARD"},"id":"106540352242922"}`)
	})
	info, err := c.GetPhoneNumber(context.Background(), testPNID)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "name", info.VerifiedName, "Lucky Shrub")
	eq(t, "quality", info.QualityRating, "GREEN")
	eq(t, "throughput", info.Throughput.Level, "STANDARD")
	r := f.last(t)
	eq(t, "path", r.Path, "/"+DefaultVersion+"/"+testPNID)
	if !strings.Contains(r.Query, "fields=") {
		t.Errorf("query = %q", r.Query)
	}
}

func TestEndpointEscapesIDs(t *testing.T) {
	c := NewClient("https://graph.example/", "t")
	eq(t, "url", c.endpoint(nil, "12/../34", "messages"), "https://graph.example/"+DefaultVersion+"/12%2F..%2F34/messages")
	c.Version = "v23.0"
	eq(t, "version", c.endpoint(nil, "1"), "https://graph.example/v23.0/1")
}
