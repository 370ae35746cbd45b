package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// upload posts a multipart media upload like Meta's documented curl call.
func (e *env) upload(mimeType string, data []byte, withProduct bool) (int, map[string]any) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if withProduct {
		mw.WriteField("messaging_product", "whatsapp")
	}
	if mimeType != "" {
		mw.WriteField("type", mimeType)
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="upload.bin"`)
	h.Set("Content-Type", "application/octet-stream")
	fw, _ := mw.CreatePart(h)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.base+"/v23.0/"+DefaultPhoneNumberID+"/media", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = jsonUnmarshal(raw, &out)
	return resp.StatusCode, out
}

func (e *env) download(u, token string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestMediaRoundTrip(t *testing.T) {
	e := newEnv(t, Config{})
	data := sampleJPEG()
	status, out := e.upload("image/jpeg", data, true)
	if status != 200 {
		t.Fatalf("upload %d %v", status, out)
	}
	id := out["id"].(string)
	if len(id) != 16 {
		t.Errorf("media id %q", id)
	}
	status, info := e.do("GET", "/v23.0/"+id, nil)
	if status != 200 {
		t.Fatal(status, info)
	}
	sum := sha256.Sum256(data)
	if info["messaging_product"] != "whatsapp" || info["mime_type"] != "image/jpeg" || info["sha256"] != hex.EncodeToString(sum[:]) ||
		info["file_size"] != float64(len(data)) || info["id"] != id {
		t.Errorf("info %v", info)
	}
	u := info["url"].(string)
	if !strings.HasPrefix(u, e.base+"/whatsapp_business/attachments/?mid=") {
		t.Errorf("url %s", u)
	}
	status, hdr, got := e.download(u, DefaultAccessToken)
	if status != 200 || !bytes.Equal(got, data) || hdr.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("download %d %s", status, hdr.Get("Content-Type"))
	}
	if status, _, _ := e.download(u, ""); status != 401 {
		t.Errorf("download without token: %d", status)
	}
	if status, _, _ := e.download(u, "wrong"); status != 401 {
		t.Errorf("download with wrong token: %d", status)
	}
	if status, _, _ := e.download(strings.Replace(u, "hash=", "hash=x", 1), DefaultAccessToken); status != 404 {
		t.Errorf("tampered URL: %d", status)
	}
	e.clock.Advance(6 * time.Minute)
	if status, _, _ := e.download(u, DefaultAccessToken); status != 404 {
		t.Errorf("expired URL: %d", status)
	}
	// Sending by id works until the media is deleted.
	to := e.openCustomer()
	e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "image", "image": map[string]any{"id": id}})
	status, out = e.do("DELETE", "/v23.0/"+id, nil)
	if status != 200 || out["success"] != true {
		t.Fatalf("delete %d %v", status, out)
	}
	if status, out := e.do("GET", "/v23.0/"+id, nil); status != 400 {
		t.Errorf("get deleted: %d %v", status, out)
	}
	if status, _ := e.send(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "image", "image": map[string]any{"id": id}}); status != 400 {
		t.Errorf("send deleted media: %d", status)
	}
}

func TestMediaUploadErrors(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name     string
		mime     string
		data     []byte
		product  bool
		wantCode int
	}{
		{"unsupported type", "image/gif", []byte("GIF89a"), true, 100},
		{"image over 5 MB", "image/jpeg", make([]byte, 5<<20+1), true, 131053},
		{"sticker over 500 KB", "image/webp", make([]byte, 500<<10+1), true, 131053},
		{"missing messaging_product", "image/jpeg", []byte{1}, false, 100},
		{"empty file", "application/pdf", nil, true, 131053},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.upload(tt.mime, tt.data, tt.product)
			if status != 400 {
				t.Fatalf("status %d %v", status, out)
			}
			if code, _, _ := graphErr(t, out); code != tt.wantCode {
				t.Errorf("code %d, want %d", code, tt.wantCode)
			}
		})
	}
	t.Run("accepted types", func(t *testing.T) {
		for _, m := range []string{"audio/ogg", "audio/mpeg", "video/mp4", "application/pdf", "text/plain", "image/png", "image/webp",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
			if status, out := e.upload(m, []byte("x"), true); status != 200 {
				t.Errorf("%s: %d %v", m, status, out)
			}
		}
	})
	t.Run("media of the wrong kind", func(t *testing.T) {
		id, _ := e.sb.UploadMedia(DefaultPhoneNumberID, "audio/ogg", []byte("OggS"))
		to := e.openCustomer()
		status, out := e.send(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "image", "image": map[string]any{"id": id}})
		if code, _, _ := graphErr(t, out); status != 400 || code != 131053 {
			t.Errorf("%d %v", status, out)
		}
	})
}

func TestMediaEviction(t *testing.T) {
	e := newEnv(t, Config{MaxMediaBytes: 1000})
	first, _ := e.sb.UploadMedia(DefaultPhoneNumberID, "text/plain", make([]byte, 600))
	second, _ := e.sb.UploadMedia(DefaultPhoneNumberID, "text/plain", make([]byte, 600))
	if status, _ := e.do("GET", "/v23.0/"+first, nil); status != 400 {
		t.Errorf("oldest media kept past the budget")
	}
	if status, _ := e.do("GET", "/v23.0/"+second, nil); status != 200 {
		t.Errorf("newest media evicted")
	}
	// The samples customers send are never evicted.
	if st, _ := e.do("GET", "/v23.0/"+e.sb.samples.jpeg.id, nil); st != 200 {
		t.Errorf("sample evicted")
	}
}

func TestSampleMediaAreValid(t *testing.T) {
	if _, err := jpeg.Decode(bytes.NewReader(sampleJPEG())); err != nil {
		t.Errorf("jpeg: %v", err)
	}
	pdf := samplePDF()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Errorf("pdf framing")
	}
	// The startxref offset must point at the xref table.
	i := bytes.LastIndex(pdf, []byte("startxref\n"))
	var off int
	for _, c := range pdf[i+len("startxref\n"):] {
		if c < '0' || c > '9' {
			break
		}
		off = off*10 + int(c-'0')
	}
	if !bytes.HasPrefix(pdf[off:], []byte("xref")) {
		t.Errorf("pdf startxref %d does not point at xref", off)
	}
	if !bytes.HasPrefix(sampleWebP, []byte("RIFF")) || string(sampleWebP[8:12]) != "WEBP" ||
		int(binary.LittleEndian.Uint32(sampleWebP[4:8])) != len(sampleWebP)-8 {
		t.Errorf("webp framing")
	}
	ogg := sampleOggOpus()
	pages := 0
	for len(ogg) > 0 {
		if !bytes.HasPrefix(ogg, []byte("OggS")) {
			t.Fatalf("page %d does not start with OggS", pages)
		}
		nseg := int(ogg[26])
		size := 27 + nseg
		for _, l := range ogg[27 : 27+nseg] {
			size += int(l)
		}
		page := bytes.Clone(ogg[:size])
		want := binary.LittleEndian.Uint32(page[22:])
		binary.LittleEndian.PutUint32(page[22:], 0)
		if oggCRC(page) != want {
			t.Errorf("page %d CRC mismatch", pages)
		}
		if pages == 0 && !bytes.Contains(page, []byte("OpusHead")) {
			t.Errorf("first page lacks OpusHead")
		}
		ogg = ogg[size:]
		pages++
	}
	if pages != 3 {
		t.Errorf("%d ogg pages", pages)
	}
}
