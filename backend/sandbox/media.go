package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// mediaKind is one of Meta's media categories with its size limit and
// accepted MIME types (Cloud API "Supported media types").
type mediaKind struct {
	name  string
	max   int64
	mimes []string
}

var mediaKinds = []mediaKind{
	{"audio", 16 << 20, []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}},
	{"document", 100 << 20, []string{
		"text/plain", "application/pdf", "application/vnd.ms-powerpoint", "application/msword", "application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	}},
	{"image", 5 << 20, []string{"image/jpeg", "image/png"}},
	{"sticker", 500 << 10, []string{"image/webp"}},
	{"video", 16 << 20, []string{"video/3gpp", "video/mp4"}},
}

// kindForMIME finds the media kind of a MIME type (parameters ignored).
func kindForMIME(m string) (mediaKind, bool) {
	base, _, err := mime.ParseMediaType(m)
	if err != nil {
		base = strings.TrimSpace(strings.ToLower(m))
	}
	for _, k := range mediaKinds {
		for _, x := range k.mimes {
			if x == base {
				return k, true
			}
		}
	}
	return mediaKind{}, false
}

func allMIMEs() string {
	var all []string
	for _, k := range mediaKinds {
		all = append(all, k.mimes...)
	}
	sort.Strings(all)
	return strings.Join(all, ", ")
}

// mediaItem is one stored media file.
type mediaItem struct {
	id       string
	mimeType string
	data     []byte
	sha256   []byte
	phoneID  string
	created  time.Time
	// pinned items (the built-in samples) are never evicted; they and the
	// shared items reusing their bytes do not count against MaxMediaBytes.
	pinned bool
	shared bool
}

// mediaStore keeps media in memory up to a byte budget and an item count,
// evicting the oldest first. Pinned items are never queued for eviction. It
// is guarded by Sandbox.mu.
type mediaStore struct {
	items    map[string]*mediaItem
	order    []string // unpinned ids, oldest first, from head on
	head     int
	bytes    int64
	maxBytes int64
	maxItems int
}

func newMediaStore(maxBytes int64, maxItems int) *mediaStore {
	return &mediaStore{items: map[string]*mediaItem{}, maxBytes: maxBytes, maxItems: maxItems}
}

func (m *mediaStore) add(it *mediaItem) {
	m.items[it.id] = it
	if it.pinned {
		return
	}
	if !it.shared {
		m.bytes += int64(len(it.data))
	}
	m.order = append(m.order, it.id)
	for (m.bytes > m.maxBytes || len(m.items) > m.maxItems) && m.evictOne() {
	}
	if m.head > 1024 && m.head*2 > len(m.order) {
		m.order = append([]string(nil), m.order[m.head:]...)
		m.head = 0
	}
}

// evictOne forgets the oldest unpinned item still stored.
func (m *mediaStore) evictOne() bool {
	for m.head < len(m.order) {
		id := m.order[m.head]
		m.order[m.head] = ""
		m.head++
		if m.remove(id) {
			return true
		}
	}
	return false
}

func (m *mediaStore) remove(id string) bool {
	it, ok := m.items[id]
	if !ok {
		return false
	}
	delete(m.items, id)
	if !it.shared && !it.pinned {
		m.bytes -= int64(len(it.data))
	}
	return true
}

// sampleMedia are the tiny but valid files simulated customers send.
type sampleMedia struct {
	jpeg, ogg, pdf, webp *mediaItem
}

func (s *Sandbox) initSamples() {
	mk := func(mimeType string, data []byte) *mediaItem {
		sum := sha256.Sum256(data)
		it := &mediaItem{id: s.ids.numericID(), mimeType: mimeType, data: data, sha256: sum[:], pinned: true, created: s.clock.Now()}
		s.media.add(it)
		return it
	}
	s.samples = sampleMedia{
		jpeg: mk("image/jpeg", sampleJPEG()),
		ogg:  mk("audio/ogg", sampleOggOpus()),
		pdf:  mk("application/pdf", samplePDF()),
		webp: mk("image/webp", sampleWebP),
	}
}

// shareSample registers a new media id backed by a sample's bytes, the way
// every customer upload gets its own id on the real platform.
func (s *Sandbox) shareSample(sample *mediaItem, phoneID string) *mediaItem {
	it := &mediaItem{id: s.ids.numericID(), mimeType: sample.mimeType, data: sample.data, sha256: sample.sha256,
		phoneID: phoneID, created: s.clock.Now(), shared: true}
	s.media.add(it)
	return it
}

// sampleJPEG draws a small gradient and encodes it as a baseline JPEG.
func sampleJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 8), 160, 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

// sampleWebP is a valid 1x1 lossless WebP (a sticker).
var sampleWebP, _ = base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")

// samplePDF builds a one-page PDF with a correct cross-reference table.
func samplePDF() []byte {
	content := "BT /F1 16 Tf 24 70 Td (Switchboard sandbox receipt) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// sampleOggOpus builds a one-second Ogg Opus voice note of silence: the
// OpusHead and OpusTags header pages and one page of 50 20-ms silent frames,
// each page with its Ogg CRC.
func sampleOggOpus() []byte {
	const serial = 0x5357424f // "SWBO"
	head := []byte("OpusHead")
	head = append(head, 1, 1)                          // version, mono
	head = binary.LittleEndian.AppendUint16(head, 312) // pre-skip
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = append(head, 0, 0, 0) // gain, mapping family
	vendor := "switchboard-sandbox"
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)
	var frames [][]byte
	for i := 0; i < 50; i++ {
		frames = append(frames, []byte{0xF8, 0xFF, 0xFE}) // 20 ms of silence
	}
	var out []byte
	out = append(out, oggPage(0x02, 0, serial, 0, [][]byte{head})...)
	out = append(out, oggPage(0x00, 0, serial, 1, [][]byte{tags})...)
	out = append(out, oggPage(0x04, 50*960, serial, 2, frames)...)
	return out
}

func oggPage(headerType byte, granule uint64, serial, seq uint32, packets [][]byte) []byte {
	var segs []byte
	var data []byte
	for _, p := range packets {
		n := len(p)
		for n >= 255 {
			segs = append(segs, 255)
			n -= 255
		}
		segs = append(segs, byte(n))
		data = append(data, p...)
	}
	page := []byte("OggS")
	page = append(page, 0, headerType)
	page = binary.LittleEndian.AppendUint64(page, granule)
	page = binary.LittleEndian.AppendUint32(page, serial)
	page = binary.LittleEndian.AppendUint32(page, seq)
	page = binary.LittleEndian.AppendUint32(page, 0) // CRC placeholder
	page = append(page, byte(len(segs)))
	page = append(page, segs...)
	page = append(page, data...)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(page))
	return page
}

// oggCRC is the Ogg page checksum: CRC-32 with polynomial 0x04c11db7, no
// reflection, initial value 0.
func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for i := 0; i < 8; i++ {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// handleMediaUpload serves POST /{phone-number-id}/media: a multipart form
// with messaging_product, type and file. It answers {"id": "<MEDIA_ID>"}.
func (s *Sandbox) handleMediaUpload(w http.ResponseWriter, r *http.Request, phoneID string) {
	r.Body = http.MaxBytesReader(w, r.Body, 100<<20+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.writeGraphError(w, errInvalidParam("Unable to parse the multipart form: %v", err))
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if mp := r.FormValue("messaging_product"); mp == "" {
		s.writeGraphError(w, errParamRequired("messaging_product"))
		return
	} else if mp != "whatsapp" {
		s.writeGraphError(w, errInvalidParam("Param messaging_product must be one of {WHATSAPP} - got \"%s\".", mp))
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		s.writeGraphError(w, errParamRequired("file"))
		return
	}
	defer f.Close()
	mimeType := r.FormValue("type")
	if mimeType == "" {
		mimeType = fh.Header.Get("Content-Type")
	}
	if mimeType == "" {
		s.writeGraphError(w, errParamRequired("type"))
		return
	}
	kind, ok := kindForMIME(mimeType)
	if !ok {
		s.writeGraphError(w, errInvalidParam("Param file must be a file with one of the following types: %s. Received file of type '%s'.", allMIMEs(), mimeType))
		return
	}
	data, err := io.ReadAll(f)
	if err != nil {
		s.writeGraphError(w, codeError(http.StatusBadRequest, CodeMediaUpload, "Unable to read the uploaded file."))
		return
	}
	if int64(len(data)) > kind.max {
		s.writeGraphError(w, codeError(http.StatusBadRequest, CodeMediaUpload,
			fmt.Sprintf("File size %d bytes exceeds the %d bytes limit for %s media.", len(data), kind.max, kind.name)))
		return
	}
	if len(data) == 0 {
		s.writeGraphError(w, codeError(http.StatusBadRequest, CodeMediaUpload, "The uploaded file is empty."))
		return
	}
	base, _, _ := mime.ParseMediaType(mimeType)
	sum := sha256.Sum256(data)
	s.mu.Lock()
	it := &mediaItem{id: s.ids.numericID(), mimeType: base, data: data, sha256: sum[:], phoneID: phoneID, created: s.clock.Now()}
	s.media.add(it)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": it.id})
}

// mediaInfo is the answer of GET /{media-id}.
type mediaInfo struct {
	MessagingProduct string `json:"messaging_product"`
	URL              string `json:"url"`
	MimeType         string `json:"mime_type"`
	SHA256           string `json:"sha256"`
	FileSize         int    `json:"file_size"`
	ID               string `json:"id"`
}

// handleMediaGet answers GET /{media-id} with a short-lived download URL that
// points back at this sandbox and needs the bearer token, like Meta's.
func (s *Sandbox) handleMediaGet(w http.ResponseWriter, r *http.Request, it *mediaItem) {
	exp := s.clock.Now().Add(s.cfg.MediaURLTTL).Unix()
	u := fmt.Sprintf("%s/whatsapp_business/attachments/?mid=%s&ext=%d&hash=%s", s.baseURL(r), it.id, exp, s.mediaHash(it.id, exp))
	writeJSON(w, http.StatusOK, mediaInfo{
		MessagingProduct: "whatsapp", URL: u, MimeType: it.mimeType, SHA256: hex.EncodeToString(it.sha256),
		FileSize: len(it.data), ID: it.id,
	})
}

func (s *Sandbox) mediaHash(id string, exp int64) string {
	mac := hmac.New(sha256.New, []byte(s.cfg.AppSecret))
	fmt.Fprintf(mac, "%s|%d", id, exp)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// handleMediaDownload serves the bytes behind a media URL. It needs the
// bearer token and an unexpired, untampered URL.
func (s *Sandbox) handleMediaDownload(w http.ResponseWriter, r *http.Request) {
	if gerr := s.authenticate(r); gerr != nil {
		s.writeGraphError(w, gerr)
		return
	}
	q := r.URL.Query()
	id := q.Get("mid")
	exp, err := strconv.ParseInt(q.Get("ext"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("hash")), []byte(s.mediaHash(id, exp))) {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if s.clock.Now().Unix() > exp {
		// Meta answers expired URLs with 404 too; the client must ask
		// GET /{media-id} for a fresh one.
		http.Error(w, "URL signature expired", http.StatusNotFound)
		return
	}
	s.mu.Lock()
	it := s.media.items[id]
	s.mu.Unlock()
	if it == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", it.mimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(it.data)))
	w.Header().Set("Content-Disposition", "attachment")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(it.data)
	}
}

// handleMediaDelete serves DELETE /{media-id}.
func (s *Sandbox) handleMediaDelete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	it := s.media.items[id]
	if it != nil && !it.pinned {
		s.media.remove(id)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// UploadMedia stores data as if it had been uploaded through the API and
// returns its media id. Tests use it to prepare media ids quickly.
func (s *Sandbox) UploadMedia(phoneNumberID, mimeType string, data []byte) (string, error) {
	kind, ok := kindForMIME(mimeType)
	if !ok {
		return "", fmt.Errorf("sandbox: unsupported media type %q", mimeType)
	}
	if int64(len(data)) > kind.max {
		return "", fmt.Errorf("sandbox: %d bytes exceed the %s limit", len(data), kind.name)
	}
	base, _, _ := mime.ParseMediaType(mimeType)
	sum := sha256.Sum256(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &mediaItem{id: s.ids.numericID(), mimeType: base, data: bytes.Clone(data), sha256: sum[:], phoneID: phoneNumberID, created: s.clock.Now()}
	s.media.add(it)
	return it.id, nil
}
