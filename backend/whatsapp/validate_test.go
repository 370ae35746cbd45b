package whatsapp

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

// runes returns a string of n characters, each a multi-byte rune, so the
// limits are checked in characters rather than bytes.
func runes(n int) string { return strings.Repeat("é", n) }

func buttons(n int) []ReplyValue {
	out := make([]ReplyValue, n)
	for i := range out {
		out[i] = ReplyValue{ID: fmt.Sprintf("b%d", i), Title: fmt.Sprintf("Option %d", i)}
	}
	return out
}

func listWithRows(perSection ...int) *OutboundMessage {
	var sections []ListSection
	k := 0
	for i, n := range perSection {
		s := ListSection{Title: fmt.Sprintf("Section %d", i)}
		for j := 0; j < n; j++ {
			s.Rows = append(s.Rows, ListRow{ID: fmt.Sprintf("r%d", k), Title: fmt.Sprintf("Row %d", k)})
			k++
		}
		sections = append(sections, s)
	}
	return NewList("15551234567", "Pick one", "Options", sections...)
}

func TestValidate(t *testing.T) {
	to := "15551234567"
	with := func(m *OutboundMessage, f func(*OutboundMessage)) *OutboundMessage { f(m); return m }
	tests := []struct {
		name  string
		msg   *OutboundMessage
		field string // "" means valid
	}{
		{"nil", nil, ""},
		{"text 1 char", NewText(to, "a"), "ok"},
		{"text at limit", NewText(to, runes(MaxTextBody)), "ok"},
		{"text over limit", NewText(to, runes(MaxTextBody+1)), "text.body"},
		{"text empty", NewText(to, ""), "text.body"},
		{"text blank", NewText(to, "  \n"), "text.body"},
		{"no recipient", NewText("", "hi"), "to"},
		{"bsuid recipient", &OutboundMessage{Recipient: "US.1349", Type: TypeText, Text: &Text{Body: "hi"}}, "ok"},
		{"letters in to", NewText("call-me-maybe", "hi"), "to"},
		{"formatted number", NewText("+1 (650) 555-1234", "hi"), "ok"},
		{"group recipient type", with(NewText(to, "hi"), func(m *OutboundMessage) { m.RecipientType = "group" }), "recipient_type"},
		{"empty context", with(NewText(to, "hi"), func(m *OutboundMessage) { m.Context = &ReplyContext{} }), "context.message_id"},
		{"opaque data at limit", with(NewText(to, "hi"), func(m *OutboundMessage) { m.BizOpaqueCallbackData = runes(MaxBizOpaqueData) }), "ok"},
		{"opaque data over", with(NewText(to, "hi"), func(m *OutboundMessage) { m.BizOpaqueCallbackData = runes(MaxBizOpaqueData + 1) }), "biz_opaque_callback_data"},
		{"no type", &OutboundMessage{To: to, Text: &Text{Body: "hi"}}, "type"},
		{"unknown type", &OutboundMessage{To: to, Type: "poll"}, "type"},
		{"payload missing", &OutboundMessage{To: to, Type: TypeText}, "text"},
		{"two payloads", with(NewText(to, "hi"), func(m *OutboundMessage) { m.Image = &MediaObject{ID: "1"} }), "image"},

		{"image caption at limit", NewMedia(to, TypeImage, MediaObject{ID: "1", Caption: runes(MaxCaption)}), "ok"},
		{"image caption over", NewMedia(to, TypeImage, MediaObject{ID: "1", Caption: runes(MaxCaption + 1)}), "image.caption"},
		{"video caption over", NewMedia(to, TypeVideo, MediaObject{ID: "1", Caption: runes(MaxCaption + 1)}), "video.caption"},
		{"document caption over", NewMedia(to, TypeDocument, MediaObject{ID: "1", Caption: runes(MaxCaption + 1)}), "document.caption"},
		{"audio caption", NewMedia(to, TypeAudio, MediaObject{ID: "1", Caption: "no"}), "audio.caption"},
		{"sticker caption", NewMedia(to, TypeSticker, MediaObject{ID: "1", Caption: "no"}), "sticker.caption"},
		{"image filename", NewMedia(to, TypeImage, MediaObject{ID: "1", Filename: "a.jpg"}), "image.filename"},
		{"document filename", NewMedia(to, TypeDocument, MediaObject{ID: "1", Filename: "a.pdf"}), "ok"},
		{"media id and link", NewMedia(to, TypeImage, MediaObject{ID: "1", Link: "https://x.example/a.jpg"}), "image"},
		{"media neither", NewMedia(to, TypeImage, MediaObject{}), "image"},
		{"media bad link", NewMedia(to, TypeImage, MediaObject{Link: "ftp://x.example/a.jpg"}), "image.link"},
		{"media relative link", NewMedia(to, TypeImage, MediaObject{Link: "/a.jpg"}), "image.link"},

		{"location ok", NewLocation(to, Location{Latitude: -33.86, Longitude: 151.2}), "ok"},
		{"latitude out of range", NewLocation(to, Location{Latitude: 91}), "location.latitude"},
		{"longitude out of range", NewLocation(to, Location{Longitude: -181}), "location.longitude"},
		{"latitude NaN", NewLocation(to, Location{Latitude: math.NaN()}), "location.latitude"},
		{"contacts none", NewContacts(to), "contacts"},
		{"contact without name", NewContacts(to, Contact{Name: ContactName{FormattedName: "A"}}, Contact{}), "contacts[1].name.formatted_name"},
		{"reaction removal", NewReaction(to, "wamid.1", ""), "ok"},
		{"reaction without message", NewReaction(to, "", "👍"), "reaction.message_id"},
		{"reaction zwj emoji", NewReaction(to, "wamid.1", "👩‍👩‍👧‍👦"), "ok"},
		{"reaction sentence", NewReaction(to, "wamid.1", "this is not an emoji at all"), "reaction.emoji"},

		{"buttons 1", NewReplyButtons(to, "Pick", buttons(1)...), "ok"},
		{"buttons 3", NewReplyButtons(to, "Pick", buttons(3)...), "ok"},
		{"buttons 0", NewReplyButtons(to, "Pick"), "interactive.action.buttons"},
		{"buttons 4", NewReplyButtons(to, "Pick", buttons(4)...), "interactive.action.buttons"},
		{"button title at limit", NewReplyButtons(to, "Pick", ReplyValue{ID: "a", Title: runes(MaxReplyButtonTitle)}), "ok"},
		{"button title over", NewReplyButtons(to, "Pick", ReplyValue{ID: "a", Title: runes(MaxReplyButtonTitle + 1)}), "interactive.action.buttons[0].reply.title"},
		{"button id at limit", NewReplyButtons(to, "Pick", ReplyValue{ID: runes(MaxReplyButtonID), Title: "A"}), "ok"},
		{"button id over", NewReplyButtons(to, "Pick", ReplyValue{ID: runes(MaxReplyButtonID + 1), Title: "A"}), "interactive.action.buttons[0].reply.id"},
		{"button id padded", NewReplyButtons(to, "Pick", ReplyValue{ID: " a", Title: "A"}), "interactive.action.buttons[0].reply.id"},
		{"button ids repeat", NewReplyButtons(to, "Pick", ReplyValue{ID: "a", Title: "A"}, ReplyValue{ID: "a", Title: "B"}), "interactive.action.buttons[1].reply.id"},
		{"button titles repeat", NewReplyButtons(to, "Pick", ReplyValue{ID: "a", Title: "A"}, ReplyValue{ID: "b", Title: "A"}), "interactive.action.buttons[1].reply.title"},
		{"button body at limit", NewReplyButtons(to, runes(MaxButtonBody), buttons(1)...), "ok"},
		{"button body over", NewReplyButtons(to, runes(MaxButtonBody+1), buttons(1)...), "interactive.body.text"},
		{"button no body", with(NewReplyButtons(to, "x", buttons(1)...), func(m *OutboundMessage) { m.Interactive.Body = nil }), "interactive.body.text"},
		{"button header text over", with(NewReplyButtons(to, "x", buttons(1)...), func(m *OutboundMessage) {
			m.Interactive.Header = &InteractiveHeader{Type: "text", Text: runes(MaxHeaderText + 1)}
		}), "interactive.header.text"},
		{"button header video", with(NewReplyButtons(to, "x", buttons(1)...), func(m *OutboundMessage) {
			m.Interactive.Header = &InteractiveHeader{Type: "video", Video: &MediaObject{Link: "https://x.example/v.mp4"}}
		}), "ok"},
		{"button footer over", with(NewReplyButtons(to, "x", buttons(1)...), func(m *OutboundMessage) {
			m.Interactive.Footer = &InteractiveText{Text: runes(MaxFooterText + 1)}
		}), "interactive.footer.text"},
		{"button wrong type", with(NewReplyButtons(to, "x", buttons(1)...), func(m *OutboundMessage) { m.Interactive.Action.Buttons[0].Type = "url" }), "interactive.action.buttons[0].type"},

		{"list 10 rows", listWithRows(4, 6), "ok"},
		{"list 11 rows", listWithRows(5, 6), "interactive.action.sections[1].rows[5]"},
		{"list 10 sections", listWithRows(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), "ok"},
		{"list 11 sections", listWithRows(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), "interactive.action.sections"},
		{"list no sections", listWithRows(), "interactive.action.sections"},
		{"list empty section", listWithRows(1, 0), "interactive.action.sections[1].rows"},
		{"list body at limit", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Body.Text = runes(MaxListBody) }), "ok"},
		{"list body over", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Body.Text = runes(MaxListBody + 1) }), "interactive.body.text"},
		{"list button at limit", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Button = runes(MaxListButtonText) }), "ok"},
		{"list button over", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Button = runes(MaxListButtonText + 1) }), "interactive.action.button"},
		{"list button empty", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Button = "" }), "interactive.action.button"},
		{"row title at limit", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Rows[0].Title = runes(MaxListRowTitle) }), "ok"},
		{"row title over", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Rows[0].Title = runes(MaxListRowTitle + 1) }), "interactive.action.sections[0].rows[0].title"},
		{"row description at limit", with(listWithRows(1), func(m *OutboundMessage) {
			m.Interactive.Action.Sections[0].Rows[0].Description = runes(MaxListRowDescription)
		}), "ok"},
		{"row description over", with(listWithRows(1), func(m *OutboundMessage) {
			m.Interactive.Action.Sections[0].Rows[0].Description = runes(MaxListRowDescription + 1)
		}), "interactive.action.sections[0].rows[0].description"},
		{"row id at limit", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Rows[0].ID = runes(MaxListRowID) }), "ok"},
		{"row id over", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Rows[0].ID = runes(MaxListRowID + 1) }), "interactive.action.sections[0].rows[0].id"},
		{"row ids repeat across sections", with(listWithRows(1, 1), func(m *OutboundMessage) { m.Interactive.Action.Sections[1].Rows[0].ID = "r0" }), "interactive.action.sections[1].rows[0].id"},
		{"section title at limit", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Title = runes(MaxListSectionTitle) }), "ok"},
		{"section title over", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Title = runes(MaxListSectionTitle + 1) }), "interactive.action.sections[0].title"},
		{"single section untitled", with(listWithRows(1), func(m *OutboundMessage) { m.Interactive.Action.Sections[0].Title = "" }), "ok"},
		{"two sections one untitled", with(listWithRows(1, 1), func(m *OutboundMessage) { m.Interactive.Action.Sections[1].Title = "" }), "interactive.action.sections[1].title"},
		{"list media header", with(listWithRows(1), func(m *OutboundMessage) {
			m.Interactive.Header = &InteractiveHeader{Type: "image", Image: &MediaObject{ID: "1"}}
		}), "interactive.header.type"},
		{"list header text over", with(listWithRows(1), func(m *OutboundMessage) {
			m.Interactive.Header = &InteractiveHeader{Type: "text", Text: runes(MaxHeaderText + 1)}
		}), "interactive.header.text"},

		{"location request", NewLocationRequest(to, "Where are you?"), "ok"},
		{"location request no action", with(NewLocationRequest(to, "Where?"), func(m *OutboundMessage) { m.Interactive.Action.Name = "" }), "interactive.action.name"},
		{"location request body over", NewLocationRequest(to, runes(MaxButtonBody+1)), "interactive.body.text"},
		{"cta ok", NewCTAURL(to, "See", "Open", "https://example.com"), "ok"},
		{"cta text over", NewCTAURL(to, "See", runes(MaxCTADisplayText+1), "https://example.com"), "interactive.action.parameters.display_text"},
		{"cta bad url", NewCTAURL(to, "See", "Open", "javascript:alert(1)"), "interactive.action.parameters.url"},
		{"interactive unknown", &OutboundMessage{To: to, Type: TypeInteractive, Interactive: &Interactive{Type: "carousel"}}, "interactive.type"},

		{"template ok", NewTemplate(to, "hello_world", "en_US"), "ok"},
		{"template no name", NewTemplate(to, "", "en_US"), "template.name"},
		{"template no language", NewTemplate(to, "hello_world", ""), "template.language.code"},
		{"template bad component", NewTemplate(to, "t", "en", TemplateComponent{Type: "footer"}), "template.components[0].type"},
		{"template button no index", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeURL}), "template.components[0].index"},
		{"template button index 10", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeURL, Index: ButtonIndex(10)}), "template.components[0].index"},
		{"template button no sub_type", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentButton, Index: ButtonIndex(0)}), "template.components[0].sub_type"},
		{"template button twice", NewTemplate(to, "t", "en",
			TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeQuickReply, Index: ButtonIndex(0)},
			TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeQuickReply, Index: ButtonIndex(0)}), "template.components[1].index"},
		{"template empty text param", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamText}}}), "template.components[0].parameters[0].text"},
		{"template mixed params", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamText, Text: "a", ParameterName: "x"}, {Type: ParamText, Text: "b"}}}), "template.components[0].parameters"},
		{"template bad param name", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamText, Text: "a", ParameterName: "First Name"}}}), "template.components[0].parameters[0].parameter_name"},
		{"template unknown param type", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: "emoji"}}}), "template.components[0].parameters[0].type"},
		{"template coupon too long", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentButton, SubType: ButtonSubTypeCopyCode, Index: ButtonIndex(0), Parameters: []TemplateParameter{{Type: ParamCouponCode, CouponCode: strings.Repeat("X", 16)}}}), "template.components[0].parameters[0].coupon_code"},
		{"template media param without file", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{{Type: ParamImage}}}), "template.components[0].parameters[0].image"},
		{"template currency", NewTemplate(to, "t", "en", TemplateComponent{Type: ComponentBody, Parameters: []TemplateParameter{{Type: ParamCurrency, Currency: &Currency{FallbackValue: "$100.99", Code: "USD", Amount1000: 100990}}}}), "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.msg)
			if tc.field == "ok" {
				if err != nil {
					t.Fatalf("rejected a valid message: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted an invalid message")
			}
			ae := apierr.As(err)
			eq(t, "code", ae.Code, apierr.ValidationFailed)
			eq(t, "field", ae.Field, tc.field)
			if ae.Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestValidateMediaUpload(t *testing.T) {
	tests := []struct {
		mime string
		size int64
		code apierr.Code
	}{
		{"image/jpeg", MaxImageBytes, ""},
		{"image/jpeg", MaxImageBytes + 1, apierr.PayloadTooLarge},
		{"image/png", -1, ""},
		{"video/mp4", MaxVideoBytes, ""},
		{"video/3gpp", MaxVideoBytes + 1, apierr.PayloadTooLarge},
		{"audio/ogg; codecs=opus", MaxAudioBytes, ""},
		{"audio/mpeg", MaxAudioBytes + 1, apierr.PayloadTooLarge},
		{"application/pdf", MaxDocumentBytes, ""},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", MaxDocumentBytes + 1, apierr.PayloadTooLarge},
		{"image/webp", MaxAnimatedStickerBytes, ""},
		{"image/webp", MaxAnimatedStickerBytes + 1, apierr.PayloadTooLarge},
		{"image/gif", 10, apierr.UnsupportedMediaType},
		{"", 10, apierr.UnsupportedMediaType},
		{"not a mime", 10, apierr.UnsupportedMediaType},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.mime, tc.size), func(t *testing.T) {
			eq(t, "code", apierr.CodeOf(ValidateMediaUpload(tc.mime, tc.size)), tc.code)
		})
	}
	eq(t, "static sticker", MaxMediaBytes(TypeSticker, false), int64(MaxStickerBytes))
	eq(t, "unknown kind", MaxMediaBytes("poll", false), int64(0))
}
