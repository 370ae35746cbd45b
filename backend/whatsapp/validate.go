package whatsapp

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	"switchboard/backend/apierr"
)

// invalid returns the VALIDATION_FAILED error for one field.
func invalid(field, format string, args ...any) *apierr.Error {
	return apierr.Field(apierr.ValidationFailed, field, format, args...)
}

// checkText enforces min..max characters on a field.
func checkText(field, s string, min, max int) error {
	n := chars(s)
	if min > 0 && strings.TrimSpace(s) == "" {
		return invalid(field, "%s is required", field)
	}
	if n > max {
		return invalid(field, "%s is %d characters; at most %d are allowed", field, n, max)
	}
	return nil
}

// Validate checks m against Meta's rules before it goes on the wire, so the
// agent gets a precise error instead of a failed round trip. The error is an
// *apierr.Error with code VALIDATION_FAILED whose Field is the JSON path of
// the offending value (e.g. "interactive.action.buttons[2].reply.title").
func Validate(m *OutboundMessage) error {
	if m == nil {
		return invalid("", "the message is empty")
	}
	if m.RecipientType != "" && m.RecipientType != RecipientIndividual {
		return invalid("recipient_type", "recipient_type must be %q", RecipientIndividual)
	}
	if err := validateRecipient(m); err != nil {
		return err
	}
	if m.Context != nil && strings.TrimSpace(m.Context.MessageID) == "" {
		return invalid("context.message_id", "context.message_id is required when replying")
	}
	if n := chars(m.BizOpaqueCallbackData); n > MaxBizOpaqueData {
		return invalid("biz_opaque_callback_data", "biz_opaque_callback_data is %d characters; at most %d are allowed", n, MaxBizOpaqueData)
	}
	if err := checkSinglePayload(m); err != nil {
		return err
	}
	switch m.Type {
	case TypeText:
		return checkText("text.body", m.Text.Body, 1, MaxTextBody)
	case TypeImage:
		return validateMedia("image", m.Image, true, false)
	case TypeVideo:
		return validateMedia("video", m.Video, true, false)
	case TypeDocument:
		return validateMedia("document", m.Document, true, true)
	case TypeAudio:
		return validateMedia("audio", m.Audio, false, false)
	case TypeSticker:
		return validateMedia("sticker", m.Sticker, false, false)
	case TypeLocation:
		return validateLocation("location", m.Location)
	case TypeContacts:
		return validateContacts(m.Contacts)
	case TypeReaction:
		return validateReaction(m.Reaction)
	case TypeInteractive:
		return validateInteractive(m.Interactive)
	case TypeTemplate:
		return validateTemplateShape(m.Template)
	}
	return nil
}

func validateRecipient(m *OutboundMessage) error {
	if strings.TrimSpace(m.To) == "" && strings.TrimSpace(m.Recipient) == "" {
		return invalid("to", "to (a phone number) or recipient (a business-scoped user id) is required")
	}
	if m.To != "" {
		digits := 0
		for _, r := range m.To {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			default:
				return invalid("to", "to must be a phone number; %q is not allowed in it", r)
			}
		}
		if digits < 5 || digits > 20 {
			return invalid("to", "to must be a phone number with its country code")
		}
	}
	if n := len(m.Recipient); n > 256 {
		return invalid("recipient", "recipient is too long to be a business-scoped user id")
	}
	return nil
}

// checkSinglePayload makes sure the payload named by Type is present and no
// other is: Meta rejects a body that carries two.
func checkSinglePayload(m *OutboundMessage) error {
	present := map[string]bool{
		TypeText:        m.Text != nil,
		TypeImage:       m.Image != nil,
		TypeAudio:       m.Audio != nil,
		TypeVideo:       m.Video != nil,
		TypeDocument:    m.Document != nil,
		TypeSticker:     m.Sticker != nil,
		TypeLocation:    m.Location != nil,
		TypeContacts:    m.Contacts != nil,
		TypeInteractive: m.Interactive != nil,
		TypeTemplate:    m.Template != nil,
		TypeReaction:    m.Reaction != nil,
	}
	if m.Type == "" {
		return invalid("type", "type is required")
	}
	has, known := present[m.Type]
	if !known {
		return invalid("type", "type %q is not a message type that can be sent", truncate(m.Type, 40))
	}
	if !has {
		return invalid(m.Type, "type is %q but the %s payload is missing", m.Type, m.Type)
	}
	for t, p := range present {
		if p && t != m.Type {
			return invalid(t, "type is %q, so %s must not be set", m.Type, t)
		}
	}
	return nil
}

// validateMedia checks a media payload: exactly one of id and link, and the
// caption and filename only where Meta allows them.
func validateMedia(field string, o *MediaObject, caption, filename bool) error {
	if err := validateMediaRef(field, o); err != nil {
		return err
	}
	if o.Caption != "" {
		if !caption {
			return invalid(field+".caption", "%s messages cannot have a caption", field)
		}
		if err := checkText(field+".caption", o.Caption, 0, MaxCaption); err != nil {
			return err
		}
	}
	if o.Filename != "" && !filename {
		return invalid(field+".filename", "only documents have a filename")
	}
	if n := chars(o.Filename); n > MaxFilename {
		return invalid(field+".filename", "filename is %d characters; at most %d are allowed", n, MaxFilename)
	}
	return nil
}

// validateMediaRef checks that exactly one of id and link names the file.
func validateMediaRef(field string, o *MediaObject) error {
	if o == nil {
		return invalid(field, "%s is required", field)
	}
	hasID, hasLink := strings.TrimSpace(o.ID) != "", strings.TrimSpace(o.Link) != ""
	switch {
	case hasID && hasLink:
		return invalid(field, "%s must have either id or link, not both", field)
	case !hasID && !hasLink:
		return invalid(field, "%s needs an id (an uploaded media id) or a link", field)
	case hasLink:
		u, err := url.Parse(o.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid(field+".link", "link must be an absolute http(s) URL")
		}
	}
	return nil
}

func validateLocation(field string, l *Location) error {
	if l == nil {
		return invalid(field, "%s is required", field)
	}
	if math.IsNaN(l.Latitude) || l.Latitude < -90 || l.Latitude > 90 {
		return invalid(field+".latitude", "latitude must be between -90 and 90")
	}
	if math.IsNaN(l.Longitude) || l.Longitude < -180 || l.Longitude > 180 {
		return invalid(field+".longitude", "longitude must be between -180 and 180")
	}
	return nil
}

func validateContacts(cs []Contact) error {
	if len(cs) == 0 {
		return invalid("contacts", "at least one contact is required")
	}
	for i, c := range cs {
		if strings.TrimSpace(c.Name.FormattedName) == "" {
			return invalid(fmt.Sprintf("contacts[%d].name.formatted_name", i), "every contact needs name.formatted_name")
		}
	}
	return nil
}

func validateReaction(r *Reaction) error {
	if strings.TrimSpace(r.MessageID) == "" {
		return invalid("reaction.message_id", "reaction.message_id is required")
	}
	// An emoji may be a long ZWJ sequence, but not a sentence.
	if n := chars(r.Emoji); n > MaxReactionEmoji {
		return invalid("reaction.emoji", "reaction.emoji must be one emoji (or empty to remove the reaction)")
	}
	return nil
}

func validateInteractive(in *Interactive) error {
	switch in.Type {
	case InteractiveButton:
		return validateButtons(in)
	case InteractiveList:
		return validateList(in)
	case InteractiveLocationRequest:
		if err := validateBody(in, MaxButtonBody); err != nil {
			return err
		}
		if in.Action.Name != "send_location" {
			return invalid("interactive.action.name", `a location request's action.name must be "send_location"`)
		}
		if in.Header != nil {
			return invalid("interactive.header", "a location request has no header")
		}
		return validateFooter(in)
	case InteractiveCTAURL:
		if err := validateBody(in, MaxButtonBody); err != nil {
			return err
		}
		if err := validateHeader(in, false); err != nil {
			return err
		}
		if err := validateFooter(in); err != nil {
			return err
		}
		p := in.Action.Parameters
		if in.Action.Name != "cta_url" || p == nil {
			return invalid("interactive.action", `a URL button needs action.name "cta_url" and action.parameters`)
		}
		if err := checkText("interactive.action.parameters.display_text", p.DisplayText, 1, MaxCTADisplayText); err != nil {
			return err
		}
		u, err := url.Parse(p.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid("interactive.action.parameters.url", "url must be an absolute http(s) URL")
		}
		return nil
	case "":
		return invalid("interactive.type", "interactive.type is required")
	}
	return invalid("interactive.type", "interactive type %q cannot be sent from the console", truncate(in.Type, 40))
}

func validateBody(in *Interactive, max int) error {
	if in.Body == nil {
		return invalid("interactive.body.text", "interactive.body.text is required")
	}
	return checkText("interactive.body.text", in.Body.Text, 1, max)
}

func validateFooter(in *Interactive) error {
	if in.Footer == nil {
		return nil
	}
	return checkText("interactive.footer.text", in.Footer.Text, 1, MaxFooterText)
}

func validateHeader(in *Interactive, textOnly bool) error {
	h := in.Header
	if h == nil {
		return nil
	}
	switch h.Type {
	case "text":
		return checkText("interactive.header.text", h.Text, 1, MaxHeaderText)
	case "image", "video", "document":
		if textOnly {
			return invalid("interactive.header.type", "this message accepts a text header only")
		}
		o := map[string]*MediaObject{"image": h.Image, "video": h.Video, "document": h.Document}[h.Type]
		return validateMediaRef("interactive.header."+h.Type, o)
	}
	return invalid("interactive.header.type", "interactive.header.type must be text, image, video or document")
}

func validateButtons(in *Interactive) error {
	if err := validateBody(in, MaxButtonBody); err != nil {
		return err
	}
	if err := validateHeader(in, false); err != nil {
		return err
	}
	if err := validateFooter(in); err != nil {
		return err
	}
	bs := in.Action.Buttons
	if len(bs) == 0 || len(bs) > MaxReplyButtons {
		return invalid("interactive.action.buttons", "reply buttons: %d given, 1 to %d allowed", len(bs), MaxReplyButtons)
	}
	ids := make(map[string]bool, len(bs))
	titles := make(map[string]bool, len(bs))
	for i, b := range bs {
		f := fmt.Sprintf("interactive.action.buttons[%d]", i)
		if b.Type != "reply" {
			return invalid(f+".type", `a reply button's type must be "reply"`)
		}
		if err := checkText(f+".reply.id", b.Reply.ID, 1, MaxReplyButtonID); err != nil {
			return err
		}
		if strings.TrimSpace(b.Reply.ID) != b.Reply.ID {
			return invalid(f+".reply.id", "a button id cannot start or end with spaces")
		}
		if err := checkText(f+".reply.title", b.Reply.Title, 1, MaxReplyButtonTitle); err != nil {
			return err
		}
		if ids[b.Reply.ID] {
			return invalid(f+".reply.id", "button ids must be unique; %q repeats", b.Reply.ID)
		}
		if titles[b.Reply.Title] {
			return invalid(f+".reply.title", "button titles must be unique; %q repeats", b.Reply.Title)
		}
		ids[b.Reply.ID], titles[b.Reply.Title] = true, true
	}
	return nil
}

func validateList(in *Interactive) error {
	if err := validateBody(in, MaxListBody); err != nil {
		return err
	}
	if err := validateHeader(in, true); err != nil {
		return err
	}
	if err := validateFooter(in); err != nil {
		return err
	}
	a := in.Action
	if err := checkText("interactive.action.button", a.Button, 1, MaxListButtonText); err != nil {
		return err
	}
	if len(a.Sections) == 0 || len(a.Sections) > MaxListSections {
		return invalid("interactive.action.sections", "list sections: %d given, 1 to %d allowed", len(a.Sections), MaxListSections)
	}
	rows := 0
	ids := make(map[string]bool)
	for i, s := range a.Sections {
		f := fmt.Sprintf("interactive.action.sections[%d]", i)
		// Meta requires a title when there is more than one section.
		min := 0
		if len(a.Sections) > 1 {
			min = 1
		}
		if err := checkText(f+".title", s.Title, min, MaxListSectionTitle); err != nil {
			return err
		}
		if len(s.Rows) == 0 {
			return invalid(f+".rows", "every section needs at least one row")
		}
		for j, r := range s.Rows {
			rows++
			rf := fmt.Sprintf("%s.rows[%d]", f, j)
			if rows > MaxListRows {
				return invalid(rf, "a list has at most %d rows across all sections", MaxListRows)
			}
			if err := checkText(rf+".id", r.ID, 1, MaxListRowID); err != nil {
				return err
			}
			if ids[r.ID] {
				return invalid(rf+".id", "row ids must be unique; %q repeats", r.ID)
			}
			ids[r.ID] = true
			if err := checkText(rf+".title", r.Title, 1, MaxListRowTitle); err != nil {
				return err
			}
			if err := checkText(rf+".description", r.Description, 0, MaxListRowDescription); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateTemplateShape checks a template payload on its own: name,
// language, and well-formed components and parameters. Whether the values
// fit the template's definition is ValidateTemplateSend's job.
func validateTemplateShape(t *TemplateSend) error {
	if strings.TrimSpace(t.Name) == "" {
		return invalid("template.name", "template.name is required")
	}
	if strings.TrimSpace(t.Language.Code) == "" {
		return invalid("template.language.code", "template.language.code is required")
	}
	buttons := make(map[int64]bool)
	for i, c := range t.Components {
		f := fmt.Sprintf("template.components[%d]", i)
		switch c.Type {
		case ComponentHeader, ComponentBody:
			if c.SubType != "" || c.Index != nil {
				return invalid(f, "only button components have sub_type and index")
			}
		case ComponentButton:
			if c.SubType == "" {
				return invalid(f+".sub_type", "a button component needs sub_type (quick_reply, url, copy_code)")
			}
			if c.Index == nil || *c.Index < 0 || *c.Index > MaxTemplateButtonIndex {
				return invalid(f+".index", "a button component needs an index from 0 to %d", MaxTemplateButtonIndex)
			}
			if buttons[int64(*c.Index)] {
				return invalid(f+".index", "button index %d is given twice", *c.Index)
			}
			buttons[int64(*c.Index)] = true
		default:
			return invalid(f+".type", "component type must be header, body or button")
		}
		named := 0
		for j, p := range c.Parameters {
			if err := validateTemplateParam(fmt.Sprintf("%s.parameters[%d]", f, j), c, p); err != nil {
				return err
			}
			if p.ParameterName != "" {
				named++
			}
		}
		if named != 0 && named != len(c.Parameters) {
			return invalid(f+".parameters", "parameters must be all named (parameter_name) or all positional")
		}
	}
	return nil
}

func validateTemplateParam(f string, c TemplateComponent, p TemplateParameter) error {
	if p.ParameterName != "" && !isParamName(p.ParameterName) {
		return invalid(f+".parameter_name", "parameter_name must be lowercase letters, digits and underscores")
	}
	switch p.Type {
	case ParamText:
		if strings.TrimSpace(p.Text) == "" {
			return invalid(f+".text", "a text parameter cannot be empty")
		}
	case ParamPayload:
		if c.Type != ComponentButton {
			return invalid(f+".type", "payload parameters belong to quick-reply buttons")
		}
	case ParamCouponCode:
		if strings.TrimSpace(p.CouponCode) == "" {
			return invalid(f+".coupon_code", "coupon_code cannot be empty")
		}
		if n := chars(p.CouponCode); n > MaxCouponCode {
			return invalid(f+".coupon_code", "coupon_code is %d characters; at most %d are allowed", n, MaxCouponCode)
		}
	case ParamCurrency:
		if p.Currency == nil || p.Currency.Code == "" || p.Currency.FallbackValue == "" {
			return invalid(f+".currency", "a currency parameter needs code, amount_1000 and fallback_value")
		}
	case ParamDateTime:
		if p.DateTime == nil || p.DateTime.FallbackValue == "" {
			return invalid(f+".date_time", "a date_time parameter needs fallback_value")
		}
	case ParamImage:
		return validateMediaRef(f+".image", p.Image)
	case ParamVideo:
		return validateMediaRef(f+".video", p.Video)
	case ParamDocument:
		return validateMediaRef(f+".document", p.Document)
	case ParamLocation:
		return validateLocation(f+".location", p.Location)
	default:
		return invalid(f+".type", "parameter type %q is not one a template takes", truncate(p.Type, 40))
	}
	return nil
}

// isParamName reports whether s is a valid named-parameter name.
func isParamName(s string) bool { return s != "" && len(s) <= 64 && isLowerWord(s) }

// isLowerWord reports whether s is lowercase letters, digits and
// underscores only (template and parameter names).
func isLowerWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
