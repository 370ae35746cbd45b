package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sendRequest is the body of POST /{phone-number-id}/messages, covering
// every outbound type and the mark-as-read form.
type sendRequest struct {
	MessagingProduct      string           `json:"messaging_product"`
	RecipientType         string           `json:"recipient_type"`
	To                    string           `json:"to"`
	Type                  string           `json:"type"`
	Status                string           `json:"status"`
	MessageID             string           `json:"message_id"`
	TypingIndicator       *typingIndicator `json:"typing_indicator"`
	Context               *sendContext     `json:"context"`
	BizOpaqueCallbackData string           `json:"biz_opaque_callback_data"`
	Text                  *sendText        `json:"text"`
	Image                 *sendMedia       `json:"image"`
	Video                 *sendMedia       `json:"video"`
	Audio                 *sendMedia       `json:"audio"`
	Document              *sendMedia       `json:"document"`
	Sticker               *sendMedia       `json:"sticker"`
	Template              *templateSend    `json:"template"`
	Interactive           *interactive     `json:"interactive"`
	Location              *sendLocation    `json:"location"`
	Contacts              []sharedCard     `json:"contacts"`
	Reaction              *sendReaction    `json:"reaction"`
}

type typingIndicator struct {
	Type string `json:"type"`
}

type sendContext struct {
	MessageID string `json:"message_id"`
}

type sendText struct {
	Body       *string `json:"body"`
	PreviewURL bool    `json:"preview_url"`
}

type sendMedia struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type sendLocation struct {
	Latitude  *graphFloat `json:"latitude"`
	Longitude *graphFloat `json:"longitude"`
	Name      string      `json:"name"`
	Address   string      `json:"address"`
}

// graphFloat is a number parameter. Meta's own examples quote coordinates
// ("latitude": "<LOCATION_LATITUDE>") and Graph reads a numeric string as
// the number, so both forms are accepted.
type graphFloat float64

// UnmarshalJSON accepts a JSON number or a string holding one.
func (f *graphFloat) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*f = graphFloat(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = graphFloat(v)
	return nil
}

type sharedCard struct {
	Name *struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
		Type  string `json:"type"`
	} `json:"phones"`
}

type sendReaction struct {
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

type interactive struct {
	Type   string             `json:"type"`
	Header *interactiveHeader `json:"header"`
	Body   *struct {
		Text string `json:"text"`
	} `json:"body"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Action *interactiveAction `json:"action"`
}

type interactiveHeader struct {
	Type     string     `json:"type"`
	Text     string     `json:"text"`
	Image    *sendMedia `json:"image"`
	Video    *sendMedia `json:"video"`
	Document *sendMedia `json:"document"`
}

type interactiveAction struct {
	Name    string `json:"name"`
	Button  string `json:"button"`
	Buttons []struct {
		Type  string `json:"type"`
		Reply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"reply"`
	} `json:"buttons"`
	Sections []struct {
		Title string `json:"title"`
		Rows  []struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"rows"`
	} `json:"sections"`
	Parameters *struct {
		DisplayText string `json:"display_text"`
		URL         string `json:"url"`
	} `json:"parameters"`
}

// validTypes is the list Graph prints when the type is wrong.
const validTypes = "{AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}"

func runes(s string) int { return utf8.RuneCountInString(s) }

// validated is what validation learned about an outbound message.
type validated struct {
	summary       string
	replies       []replyOption
	wantsLocation bool
	template      *Template
	mediaID       string
}

// validateSend checks a send request the way the Cloud API does before it
// accepts a message. Template messages are checked separately, against the
// account's templates (validateTemplateSend).
func (s *Sandbox) validateSend(req *sendRequest) (*validated, *GraphError) {
	v := &validated{}
	if req.Context != nil && req.Context.MessageID == "" {
		return nil, errParamRequired("context['message_id']")
	}
	if len(req.BizOpaqueCallbackData) > 512 {
		return nil, errValue("Param biz_opaque_callback_data must be at most 512 characters long.")
	}
	switch req.Type {
	case "text":
		if req.Text == nil || req.Text.Body == nil {
			return nil, errParamRequired("text['body']")
		}
		body := *req.Text.Body
		if strings.TrimSpace(body) == "" {
			return nil, errParamRequired("text['body']")
		}
		if runes(body) > 4096 {
			return nil, errInvalidParam("Param text['body'] must be at most 4096 characters long.")
		}
		v.summary = body
	case "image", "video", "audio", "document", "sticker":
		m := map[string]*sendMedia{"image": req.Image, "video": req.Video, "audio": req.Audio, "document": req.Document, "sticker": req.Sticker}[req.Type]
		if gerr := s.validateMedia(req.Type, m); gerr != nil {
			return nil, gerr
		}
		v.summary = m.Caption
		if req.Type == "document" && m.Caption == "" {
			v.summary = m.Filename
		}
		v.mediaID = m.ID
	case "location":
		l := req.Location
		if l == nil {
			return nil, errParamRequired("location")
		}
		if l.Latitude == nil {
			return nil, errParamRequired("location['latitude']")
		}
		if l.Longitude == nil {
			return nil, errParamRequired("location['longitude']")
		}
		if *l.Latitude < -90 || *l.Latitude > 90 || *l.Longitude < -180 || *l.Longitude > 180 {
			return nil, errValue("Param location['latitude'] must be between -90 and 90 and location['longitude'] between -180 and 180.")
		}
		v.summary = l.Name
	case "contacts":
		if len(req.Contacts) == 0 {
			return nil, errParamRequired("contacts")
		}
		for i, c := range req.Contacts {
			if c.Name == nil || c.Name.FormattedName == "" {
				return nil, errMissing("Parameter 'contacts[%d]['name']['formatted_name']' is required.", i)
			}
		}
		v.summary = req.Contacts[0].Name.FormattedName
	case "reaction":
		r := req.Reaction
		if r == nil {
			return nil, errParamRequired("reaction")
		}
		if r.MessageID == "" {
			return nil, errParamRequired("reaction['message_id']")
		}
		if r.Emoji == nil {
			return nil, errParamRequired("reaction['emoji']")
		}
		if runes(*r.Emoji) > 10 {
			return nil, errValue("Param reaction['emoji'] must be a single emoji.")
		}
		v.summary = *r.Emoji
	case "interactive":
		if gerr := validateInteractive(req.Interactive, v); gerr != nil {
			return nil, gerr
		}
	case "template":
		// checked against the account in validateTemplateSend
	default:
		return nil, errInvalidParam("Param type must be one of %s - got \"%s\".", validTypes, req.Type)
	}
	return v, nil
}

// validateMedia checks a media object: exactly one of id and link, a known
// id, an http(s) link, and captions and filenames only where Meta allows.
func (s *Sandbox) validateMedia(kind string, m *sendMedia) *GraphError {
	if m == nil {
		return errParamRequired(kind)
	}
	if m.ID == "" && m.Link == "" {
		return errParamRequired(fmt.Sprintf("%s['id'] or %s['link']", kind, kind))
	}
	if m.ID != "" && m.Link != "" {
		return errInvalidParam("Param %s must have either 'id' or 'link', not both.", kind)
	}
	if m.ID != "" {
		s.mu.Lock()
		it := s.media.items[m.ID]
		s.mu.Unlock()
		if it == nil {
			return errInvalidParam("Param %s['id'] is not a valid whatsapp business account media attachment ID", kind)
		}
		if k, ok := kindForMIME(it.mimeType); !ok || (k.name != kind && !(kind == "image" && k.name == "sticker")) {
			return codeError(400, CodeMediaUpload, fmt.Sprintf("Media id %s has type %s, which cannot be sent as %s.", m.ID, it.mimeType, kind))
		}
	} else {
		u, err := url.Parse(m.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errInvalidParam("Param %s['link'] must be a valid http or https URL.", kind)
		}
	}
	if m.Caption != "" {
		if kind == "audio" || kind == "sticker" {
			return errInvalidParam("Param %s['caption'] is not supported for %s messages.", kind, kind)
		}
		if runes(m.Caption) > 1024 {
			return errInvalidParam("Param %s['caption'] must be at most 1024 characters long.", kind)
		}
	}
	if m.Filename != "" && kind != "document" {
		return errInvalidParam("Param %s['filename'] is only supported for document messages.", kind)
	}
	return nil
}

// validateInteractive checks reply buttons, lists, location requests and CTA
// URL buttons against Meta's limits.
func validateInteractive(in *interactive, v *validated) *GraphError {
	if in == nil {
		return errParamRequired("interactive")
	}
	if in.Type == "" {
		return errParamRequired("interactive['type']")
	}
	if in.Body == nil || in.Body.Text == "" {
		return errParamRequired("interactive['body']['text']")
	}
	if in.Footer != nil && runes(in.Footer.Text) > 60 {
		return errValue("Footer text is too long. Max length is 60.")
	}
	if in.Header != nil {
		switch in.Header.Type {
		case "text":
			if in.Header.Text == "" {
				return errParamRequired("interactive['header']['text']")
			}
			if runes(in.Header.Text) > 60 {
				return errValue("Header text is too long. Max length is 60.")
			}
		case "image", "video", "document":
			if in.Type == "list" {
				return errValue("List messages only support text headers.")
			}
		default:
			return errInvalidParam("Param interactive['header']['type'] must be one of {DOCUMENT, IMAGE, TEXT, VIDEO} - got \"%s\".", in.Header.Type)
		}
	}
	v.summary = in.Body.Text
	a := in.Action
	switch in.Type {
	case "button":
		if runes(in.Body.Text) > 1024 {
			return errValue("Body text is too long. Max length is 1024.")
		}
		if a == nil || len(a.Buttons) == 0 {
			return errParamRequired("interactive['action']['buttons']")
		}
		if len(a.Buttons) > 3 {
			return errValue("Too many buttons. Max allowed is 3, got %d.", len(a.Buttons))
		}
		ids := map[string]bool{}
		for i, b := range a.Buttons {
			if b.Reply == nil || b.Reply.ID == "" || b.Reply.Title == "" {
				return errMissing("Parameter 'action.buttons[%d].reply' needs an id and a title.", i)
			}
			if runes(b.Reply.Title) > 20 {
				return errValue("Button title length invalid. Min length: 1, Max length: 20.")
			}
			if runes(b.Reply.ID) > 256 {
				return errValue("Button id length invalid. Max length: 256.")
			}
			if ids[b.Reply.ID] || ids["title:"+b.Reply.Title] {
				return errValue("Buttons must have unique ids and titles.")
			}
			ids[b.Reply.ID], ids["title:"+b.Reply.Title] = true, true
			v.replies = append(v.replies, replyOption{kind: "button_reply", id: b.Reply.ID, title: b.Reply.Title})
		}
	case "list":
		if runes(in.Body.Text) > 4096 {
			return errValue("Body text is too long. Max length is 4096.")
		}
		if a == nil || a.Button == "" {
			return errParamRequired("interactive['action']['button']")
		}
		if runes(a.Button) > 20 {
			return errValue("Button label is too long. Max length is 20.")
		}
		if len(a.Sections) == 0 {
			return errParamRequired("interactive['action']['sections']")
		}
		if len(a.Sections) > 10 {
			return errValue("Too many sections. Max allowed is 10.")
		}
		rows := 0
		ids := map[string]bool{}
		for i, sec := range a.Sections {
			if len(a.Sections) > 1 && sec.Title == "" {
				return errMissing("Parameter 'sections[%d].title' is required when there is more than one section.", i)
			}
			if runes(sec.Title) > 24 {
				return errValue("Section title is too long. Max length is 24.")
			}
			if len(sec.Rows) == 0 {
				return errMissing("Parameter 'sections[%d].rows' is required.", i)
			}
			for _, row := range sec.Rows {
				rows++
				if row.ID == "" || row.Title == "" {
					return errMissing("Every row needs an id and a title.")
				}
				if runes(row.ID) > 200 {
					return errValue("Row id is too long. Max length is 200.")
				}
				if runes(row.Title) > 24 {
					return errValue("Row title is too long. Max length is 24.")
				}
				if runes(row.Description) > 72 {
					return errValue("Row description is too long. Max length is 72.")
				}
				if ids[row.ID] {
					return errValue("Row ids must be unique.")
				}
				ids[row.ID] = true
				v.replies = append(v.replies, replyOption{kind: "list_reply", id: row.ID, title: row.Title, description: row.Description})
			}
		}
		if rows > 10 {
			return errValue("Too many rows. Max allowed is 10 rows across all sections, got %d.", rows)
		}
	case "location_request_message":
		if a == nil || a.Name != "send_location" {
			return errValue("Param interactive['action']['name'] must be send_location.")
		}
		if runes(in.Body.Text) > 1024 {
			return errValue("Body text is too long. Max length is 1024.")
		}
		v.wantsLocation = true
	case "cta_url":
		if a == nil || a.Name != "cta_url" || a.Parameters == nil {
			return errParamRequired("interactive['action']['parameters']")
		}
		if a.Parameters.DisplayText == "" || runes(a.Parameters.DisplayText) > 20 {
			return errValue("Param display_text is required, max length 20.")
		}
		u, err := url.Parse(a.Parameters.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errValue("Param url must be a valid http or https URL.")
		}
	default:
		return errInvalidParam("Param interactive['type'] must be one of {BUTTON, CTA_URL, LIST, LOCATION_REQUEST_MESSAGE} - got \"%s\".", in.Type)
	}
	return nil
}

// objectParams are the send parameters whose value is an object or an
// array. Graph coerces parameters to their declared type, so each may also
// be given as a string holding its JSON: client libraries that serialise
// nested values (a widely used one sends contacts that way) and every
// form-encoded request depend on it.
var objectParams = []string{"context", "text", "image", "video", "audio", "document", "sticker",
	"template", "interactive", "location", "contacts", "reaction", "typing_indicator"}

// decodeSend parses the request body: JSON, or a form (urlencoded or
// multipart) whose fields are the parameters, objects as JSON strings, as
// Graph accepts on every POST edge. It returns the request and its
// normalised JSON (string-encoded objects decoded), which is what the
// sandbox records as the message's payload. Graph answers unparseable
// bodies with code 100.
func decodeSend(b []byte, contentType string) (*sendRequest, []byte, *GraphError) {
	params, form, gerr := sendParams(b, contentType)
	if gerr != nil {
		return nil, nil, gerr
	}
	norm := b
	changed := form
	for _, name := range objectParams {
		v, ok := params[name]
		if !ok || len(v) == 0 || v[0] != '"' {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue
		}
		inner := json.RawMessage(strings.TrimSpace(s))
		if len(inner) == 0 || (inner[0] != '{' && inner[0] != '[') || !json.Valid(inner) {
			return nil, nil, errInvalidParam("Param %s must be a JSON object or array; the string given is not one.", name)
		}
		params[name], changed = inner, true
	}
	if changed {
		var err error
		if norm, err = json.Marshal(params); err != nil {
			return nil, nil, errInvalidParam("Unable to parse the request body as JSON: %v", err)
		}
	}
	var req sendRequest
	if err := json.Unmarshal(norm, &req); err != nil {
		return nil, nil, errInvalidParam("Unable to parse the request body as JSON: %v", err)
	}
	return &req, norm, nil
}

// sendParams splits a send body into its top-level parameters, reporting
// whether it was a form.
func sendParams(b []byte, contentType string) (params map[string]json.RawMessage, form bool, gerr *GraphError) {
	mt, mp, _ := mime.ParseMediaType(contentType)
	var fields url.Values
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		fields, err = url.ParseQuery(string(b))
	case "multipart/form-data":
		fields, err = multipartFields(b, mp["boundary"])
	default:
		if err := json.Unmarshal(b, &params); err != nil {
			return nil, false, errInvalidParam("Unable to parse the request body as JSON: %v", err)
		}
		if params == nil {
			params = map[string]json.RawMessage{}
		}
		return params, false, nil
	}
	if err != nil {
		return nil, false, errInvalidParam("Unable to parse the form body: %v", err)
	}
	params = make(map[string]json.RawMessage, len(fields))
	for k, vs := range fields {
		// A form value is always a string; Graph takes the last one.
		params[k], _ = json.Marshal(vs[len(vs)-1])
	}
	return params, true, nil
}

// multipartFields reads the text fields of a multipart form (a send has no
// files; a part with a file name is refused).
func multipartFields(b []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(b), boundary)
	form := url.Values{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return form, nil
		}
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" {
			return nil, fmt.Errorf("unexpected file part %q", p.FormName())
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		form.Add(p.FormName(), string(v))
	}
}
