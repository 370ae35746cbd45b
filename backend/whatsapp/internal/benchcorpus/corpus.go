// Package benchcorpus builds the webhook bodies the parse benchmarks run
// over: compact JSON shaped like Meta's, mostly inbound messages and
// delivery statuses, some with non-ASCII text escaped as \uXXXX the way
// Meta sends it. It is built from the whatsapp structs, so the benchmark
// and the bench command measure the same bytes.
package benchcorpus

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"switchboard/backend/whatsapp"
)

const (
	waba  = "102290129340398"
	pnid  = "106540352242922"
	phone = "15550783881"
)

func envelope(v whatsapp.Value) whatsapp.Notification {
	v.MessagingProduct = whatsapp.MessagingProduct
	v.Metadata = &whatsapp.Metadata{DisplayPhoneNumber: phone, PhoneNumberID: pnid}
	return whatsapp.Notification{Object: whatsapp.ObjectWhatsAppBusinessAccount, Entry: []whatsapp.Entry{{
		ID: waba, Changes: []whatsapp.Change{{Field: whatsapp.FieldMessages, Value: v}},
	}}}
}

func contact(name, waID string) whatsapp.WebhookContact {
	return whatsapp.WebhookContact{Profile: whatsapp.ContactProfile{Name: name}, WaID: waID}
}

func wamid(i int) string {
	return "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAz" + strconv.Itoa(100000+i) + "RgA="
}

func text(i int, from, body string) whatsapp.Message {
	return whatsapp.Message{From: from, ID: wamid(i), Timestamp: whatsapp.Timestamp(1750000000 + i), Type: whatsapp.TypeText, Text: &whatsapp.TextBody{Body: body}}
}

// escapeNonASCII rewrites non-ASCII characters in JSON as \uXXXX escapes
// (surrogate pairs above the BMP), as Meta's encoder does.
func escapeNonASCII(b []byte) []byte {
	out := make([]byte, 0, len(b)*2)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < utf8.RuneSelf {
			out = append(out, b[0])
		} else if r > 0xFFFF {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out
}

// Bodies returns the corpus. Each call builds it afresh.
func Bodies() [][]byte {
	sheena := contact("Sheena Nelson", "16505551234")
	billable := true
	var ns []whatsapp.Notification
	escaped := map[int]bool{}

	ns = append(ns, envelope(whatsapp.Value{Contacts: []whatsapp.WebhookContact{sheena},
		Messages: []whatsapp.Message{text(1, "16505551234", "Hi! Does it come in another color?")}}))
	escaped[len(ns)] = true
	ns = append(ns, envelope(whatsapp.Value{Contacts: []whatsapp.WebhookContact{contact("مريم", "971501234567")},
		Messages: []whatsapp.Message{text(2, "971501234567", "مرحبا، هل الطلب جاهز؟ 🙏📦")}}))
	img := text(3, "16505551234", "")
	img.Type, img.Text = whatsapp.TypeImage, nil
	img.Image = &whatsapp.InboundMedia{ID: "1003383421387256", MimeType: "image/jpeg", SHA256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", Caption: "Receipt from yesterday"}
	ns = append(ns, envelope(whatsapp.Value{Contacts: []whatsapp.WebhookContact{sheena}, Messages: []whatsapp.Message{img}}))
	btn := text(4, "16505551234", "")
	btn.Type, btn.Text = whatsapp.TypeInteractive, nil
	btn.Context = &whatsapp.MessageContext{From: phone, ID: wamid(90)}
	btn.Interactive = &whatsapp.InteractiveReply{Type: whatsapp.InteractiveButtonReply, ButtonReply: &whatsapp.ButtonReplyValue{ID: "confirm-order", Title: "Confirm"}}
	ns = append(ns, envelope(whatsapp.Value{Contacts: []whatsapp.WebhookContact{sheena}, Messages: []whatsapp.Message{btn}}))
	react := text(5, "16505551234", "")
	react.Type, react.Text = whatsapp.TypeReaction, nil
	react.Reaction = &whatsapp.Reaction{MessageID: wamid(91), Emoji: "👍"}
	ns = append(ns, envelope(whatsapp.Value{Contacts: []whatsapp.WebhookContact{sheena}, Messages: []whatsapp.Message{react}}))
	for i, st := range []string{whatsapp.StatusSent, whatsapp.StatusDelivered, whatsapp.StatusRead} {
		s := whatsapp.Status{ID: wamid(200 + i), Status: st, Timestamp: whatsapp.Timestamp(1750000100 + i), RecipientID: "16505551234",
			Pricing: &whatsapp.Pricing{Billable: &billable, PricingModel: whatsapp.PricingModelPMP, Type: "regular", Category: "utility"}}
		if st == whatsapp.StatusSent {
			s.Conversation = &whatsapp.Conversation{ID: "72b14d6bd5407799e66f64d1b338e567", ExpirationTimestamp: 1750086400, Origin: &whatsapp.ConversationOrigin{Type: "utility"}}
		}
		ns = append(ns, envelope(whatsapp.Value{Statuses: []whatsapp.Status{s}}))
	}
	escaped[len(ns)] = true
	ns = append(ns, envelope(whatsapp.Value{
		Contacts: []whatsapp.WebhookContact{contact("Jürgen", "4915198765432"), contact("Ana", "5511987654321"), sheena},
		Messages: []whatsapp.Message{
			text(10, "5511987654321", "Oi, tudo bem? Quero trocar o endereço de entrega."),
			text(11, "4915198765432", "Hallo, wann kommt meine Bestellung?"),
			text(12, "16505551234", "Thanks!"),
			text(13, "5511987654321", "Rua das Flores, 123 — apto 45"),
			text(14, "4915198765432", "Danke schön 😊"),
		}}))
	ns = append(ns, whatsapp.Notification{Object: whatsapp.ObjectWhatsAppBusinessAccount, Entry: []whatsapp.Entry{{
		ID: waba, Time: 1744848019, Changes: []whatsapp.Change{{Field: whatsapp.FieldMessageTemplateStatusUpdate, Value: whatsapp.Value{
			Event: whatsapp.TemplateApproved, MessageTemplateID: "1689556908129832", MessageTemplateName: "order_confirmation",
			MessageTemplateLanguage: "en_US", Reason: "NONE", MessageTemplateCategory: whatsapp.CategoryUtility,
		}}},
	}}})

	bodies := make([][]byte, 0, len(ns))
	for i, n := range ns {
		b, err := json.Marshal(n)
		if err != nil {
			panic(err)
		}
		if escaped[i] {
			b = escapeNonASCII(b)
		}
		bodies = append(bodies, b)
	}
	return bodies
}
