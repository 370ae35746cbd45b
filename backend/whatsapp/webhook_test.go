package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/whatsapp/webhooktest"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t *testing.T, name string) (*Notification, Events) {
	t.Helper()
	n, err := ParseNotification(readFixture(t, name))
	if err != nil {
		t.Fatalf("ParseNotification(%s): %v", name, err)
	}
	return n, n.Events()
}

// oneMessage asserts the events hold exactly one inbound message and returns it.
func oneMessage(t *testing.T, ev Events) InboundMessage {
	t.Helper()
	if len(ev.Messages) != 1 {
		t.Fatalf("got %d messages, want 1", len(ev.Messages))
	}
	return ev.Messages[0]
}

func oneStatus(t *testing.T, ev Events) StatusEvent {
	t.Helper()
	if len(ev.Statuses) != 1 {
		t.Fatalf("got %d statuses, want 1", len(ev.Statuses))
	}
	return ev.Statuses[0]
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestParseNotificationInbound covers every inbound message type Meta
// documents, each fixture written from the example in Meta's webhook
// reference for that type.
func TestParseNotificationInbound(t *testing.T) {
	const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
	sheena := func(t *testing.T, im InboundMessage) {
		t.Helper()
		eq(t, "sender wa_id", im.Sender.WaID, "16505551234")
		eq(t, "sender name", im.Sender.ProfileName, "Sheena Nelson")
		eq(t, "matched", im.Sender.Matched, true)
		eq(t, "phone_number_id", im.PhoneNumberID, "106540352242922")
		eq(t, "display number", im.DisplayPhoneNumber, "15550783881")
		eq(t, "waba", im.WABAID, "102290129340398")
	}
	tests := []struct {
		fixture string
		check   func(t *testing.T, ev Events)
	}{
		{"text", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			sheena(t, im)
			m := im.Message
			eq(t, "id", m.ID, wamid)
			eq(t, "type", m.Type, TypeText)
			eq(t, "body", m.Text.Body, "Does it come in another color?")
			eq(t, "time", m.Timestamp.Time(), time.Unix(1749416383, 0).UTC())
			if m.Context != nil {
				t.Error("context set on a plain text")
			}
		}},
		{"text_reply", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "context.id", m.Context.ID, "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA")
			eq(t, "context.from", m.Context.From, "15550783881")
			eq(t, "forwarded", m.Context.Forwarded, false)
		}},
		{"text_forwarded", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "forwarded", m.Context.Forwarded, true)
			eq(t, "frequently", m.Context.FrequentlyForwarded, false)
		}},
		{"text_frequently_forwarded", func(t *testing.T, ev Events) {
			eq(t, "frequently", oneMessage(t, ev).Message.Context.FrequentlyForwarded, true)
		}},
		{"text_referred_product", func(t *testing.T, ev Events) {
			rp := oneMessage(t, ev).Message.Context.ReferredProduct
			eq(t, "catalog", rp.CatalogID, "194836987003835")
			eq(t, "product", rp.ProductRetailerID, "di9ozbzfi4")
		}},
		{"text_referral_ad", func(t *testing.T, ev Events) {
			r := oneMessage(t, ev).Message.Referral
			eq(t, "source_url", r.SourceURL, "https://fb.me/3cr4Wqqkv")
			eq(t, "source_id", r.SourceID, "120226305854810726")
			eq(t, "source_type", r.SourceType, "ad")
			eq(t, "headline", r.Headline, "Chat with us")
			eq(t, "body", r.Body, "Summer Succulents are here!")
			eq(t, "media_type", r.MediaType, "image")
			eq(t, "image_url", r.ImageURL, "https://scontent.xx.fbcdn.net/v/t45.1-example")
			eq(t, "ctwa_clid", r.CtwaClid, "Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4")
			eq(t, "welcome", r.WelcomeMessage.Text, "Hi there! Let us know how we can help!")
		}},
		{"video_referral_ad", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "video_url", m.Referral.VideoURL, "https://scontent.xx.fbcdn.net/v/t45.2-example")
			eq(t, "thumbnail_url", m.Referral.ThumbnailURL, "https://scontent.xx.fbcdn.net/v/t45.3-example")
			eq(t, "media id", m.Video.ID, "1200000000000001")
		}},
		{"image", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "media", m.Media(), m.Image)
			eq(t, "id", m.Image.ID, "1003383421387256")
			eq(t, "caption", m.Image.Caption, "Taj Mahal")
			eq(t, "mime", m.Image.MimeType, "image/jpeg")
			eq(t, "sha256", m.Image.SHA256, "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=")
			eq(t, "url", m.Image.URL, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256")
		}},
		{"audio_voice", func(t *testing.T, ev Events) {
			a := oneMessage(t, ev).Message.Audio
			eq(t, "voice", a.Voice, true)
			eq(t, "mime", a.MimeType, "audio/ogg; codecs=opus")
		}},
		{"video", func(t *testing.T, ev Events) {
			eq(t, "caption", oneMessage(t, ev).Message.Video.Caption, "Unboxing")
		}},
		{"document", func(t *testing.T, ev Events) {
			d := oneMessage(t, ev).Message.Document
			eq(t, "filename", d.Filename, "Relatório Q3 (final) — v2.pdf")
			eq(t, "caption", d.Caption, "Invoice attached")
		}},
		{"sticker_animated", func(t *testing.T, ev Events) {
			s := oneMessage(t, ev).Message.Sticker
			eq(t, "animated", s.Animated, true)
			eq(t, "mime", s.MimeType, "image/webp")
		}},
		{"location", func(t *testing.T, ev Events) {
			l := oneMessage(t, ev).Message.Location
			eq(t, "lat", l.Latitude, 37.483307)
			eq(t, "long", l.Longitude, -122.148981)
			eq(t, "name", l.Name, "Meta Headquarters")
			eq(t, "address", l.Address, "1 Hacker Way, Menlo Park, CA 94025")
		}},
		{"contacts", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			// The shared card is not the sender.
			eq(t, "sender", im.Sender.ProfileName, "Sheena Nelson")
			cs := im.Message.Contacts
			if len(cs) != 1 {
				t.Fatalf("got %d cards", len(cs))
			}
			c := cs[0]
			eq(t, "formatted", c.Name.FormattedName, "Barbara J. Johnson")
			eq(t, "phones", len(c.Phones), 2)
			eq(t, "wa_id", c.Phones[1].WaID, "19175559999")
			eq(t, "org", c.Org.Company, "Lucky Shrub")
			eq(t, "email", c.Emails[0].Email, "bjohnson@example.com")
			eq(t, "birthday", c.Birthday, "1999-01-23")
		}},
		{"interactive_button_reply", func(t *testing.T, ev Events) {
			in := oneMessage(t, ev).Message.Interactive
			eq(t, "type", in.Type, InteractiveButtonReply)
			eq(t, "id", in.ButtonReply.ID, "change-button")
			eq(t, "title", in.ButtonReply.Title, "Change")
		}},
		{"interactive_list_reply", func(t *testing.T, ev Events) {
			in := oneMessage(t, ev).Message.Interactive
			eq(t, "type", in.Type, InteractiveListReply)
			eq(t, "id", in.ListReply.ID, "priority_express")
			eq(t, "description", in.ListReply.Description, "Next Day to 2 Days")
		}},
		{"interactive_nfm_reply", func(t *testing.T, ev Events) {
			in := oneMessage(t, ev).Message.Interactive
			eq(t, "type", in.Type, InteractiveNFMReply)
			eq(t, "name", in.NFMReply.Name, "flow")
			if !json.Valid([]byte(in.NFMReply.ResponseJSON)) {
				t.Errorf("response_json not kept as JSON text: %q", in.NFMReply.ResponseJSON)
			}
		}},
		{"button", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "payload", m.Button.Payload, "Unsubscribe")
			eq(t, "text", m.Button.Text, "Unsubscribe")
			eq(t, "context", m.Context.ID, "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=")
		}},
		{"reaction", func(t *testing.T, ev Events) {
			r := oneMessage(t, ev).Message.Reaction
			eq(t, "emoji", r.Emoji, "👍")
			eq(t, "removed", r.Removed(), false)
			eq(t, "message_id", r.MessageID, "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=")
		}},
		{"reaction_removed", func(t *testing.T, ev Events) {
			eq(t, "removed", oneMessage(t, ev).Message.Reaction.Removed(), true)
		}},
		{"reaction_removed_empty", func(t *testing.T, ev Events) {
			eq(t, "removed", oneMessage(t, ev).Message.Reaction.Removed(), true)
		}},
		{"order", func(t *testing.T, ev Events) {
			o := oneMessage(t, ev).Message.Order
			eq(t, "catalog", o.CatalogID, "194836987003835")
			eq(t, "text", o.Text, "Love these!")
			eq(t, "items", len(o.ProductItems), 2)
			eq(t, "qty", o.ProductItems[0].Quantity, Decimal("2"))
			eq(t, "price", o.ProductItems[1].ItemPrice.Float(), 7.99)
			eq(t, "currency", o.ProductItems[1].Currency, "USD")
		}},
		{"system_user_changed_number", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			// System messages carry no contacts array.
			eq(t, "matched", im.Sender.Matched, false)
			eq(t, "sender", im.Sender.WaID, "16505551234")
			s := im.Message.System
			eq(t, "type", s.Type, SystemUserChangedNumber)
			eq(t, "new number", s.NewNumber(), "12195555358")
		}},
		{"system_customer_changed_number", func(t *testing.T, ev Events) {
			s := oneMessage(t, ev).Message.System
			eq(t, "type", s.Type, SystemCustomerChangedNumber)
			eq(t, "new number", s.NewNumber(), "12195555358")
		}},
		{"system_customer_identity_changed", func(t *testing.T, ev Events) {
			s := oneMessage(t, ev).Message.System
			eq(t, "type", s.Type, SystemCustomerIdentityChanged)
			eq(t, "identity", s.Identity, "ABCDEFtOGnwA2i8=")
		}},
		{"system_user_changed_user_id", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			eq(t, "key", im.Sender.Key(), "US.13491208655302741919")
			eq(t, "previous", im.Message.System.PreviousUserID, "US.13491208655302741918")
		}},
		{"unsupported", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "type", m.Unsupported.Type, "edit")
			eq(t, "errors", len(m.Errors), 1)
			eq(t, "code", m.Errors[0].Code, 131051)
			eq(t, "details", m.Errors[0].Details(), "Message type is currently not supported.")
		}},
		{"unknown_type", func(t *testing.T, ev Events) {
			m := oneMessage(t, ev).Message
			eq(t, "type", m.Type, "poll_vote")
			if !bytes.Contains(m.Raw, []byte(`"poll_vote":`)) || !bytes.Contains(m.Raw, []byte(`"future_field"`)) {
				t.Errorf("raw lost the unknown content: %s", m.Raw)
			}
		}},
		{"request_welcome", func(t *testing.T, ev Events) {
			eq(t, "type", oneMessage(t, ev).Message.Type, TypeRequestWelcome)
		}},
		{"bsuid_username", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			eq(t, "wa_id", im.Sender.WaID, "")
			eq(t, "user_id", im.Sender.UserID, "US.13491208655302741918")
			eq(t, "key", im.Sender.Key(), "US.13491208655302741918")
			eq(t, "username", im.Sender.Username, "@pablo")
			eq(t, "name", im.Sender.ProfileName, "Pablo Morales")
			eq(t, "matched", im.Sender.Matched, true)
		}},
		{"bsuid_with_phone", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			eq(t, "wa_id", im.Sender.WaID, "919810218674")
			eq(t, "user_id", im.Sender.UserID, "IN.1410018717833190")
			eq(t, "country", im.Sender.CountryCode, "IN")
			eq(t, "key", im.Sender.Key(), "919810218674")
		}},
		{"multi_contacts_reordered", func(t *testing.T, ev Events) {
			if len(ev.Messages) != 3 {
				t.Fatalf("got %d messages", len(ev.Messages))
			}
			want := map[string]string{"wamid.A1": "Alice", "wamid.B1": "Bruno", "wamid.A2": "Alice"}
			for _, im := range ev.Messages {
				eq(t, im.Message.ID+" sender", im.Sender.ProfileName, want[im.Message.ID])
				eq(t, im.Message.ID+" from", im.Sender.WaID, im.Message.From)
			}
		}},
		{"unmatched_sender", func(t *testing.T, ev Events) {
			im := oneMessage(t, ev)
			// Never borrow the only contact's name by position.
			eq(t, "matched", im.Sender.Matched, false)
			eq(t, "name", im.Sender.ProfileName, "")
			eq(t, "wa_id", im.Sender.WaID, "16505550000")
		}},
		{"batched", func(t *testing.T, ev Events) {
			if len(ev.Messages) != 2 || len(ev.Statuses) != 1 {
				t.Fatalf("got %d messages, %d statuses", len(ev.Messages), len(ev.Statuses))
			}
			second := ev.Messages[1]
			eq(t, "waba", second.WABAID, "209876543210987")
			eq(t, "pnid", second.PhoneNumberID, "209000000000001")
			eq(t, "name", second.Sender.ProfileName, "Jürgen")
			eq(t, "body", second.Message.Text.Body, "مرحبا 👋 שלום")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			n, ev := parseFixture(t, tc.fixture)
			tc.check(t, ev)
			for _, im := range ev.Messages {
				if !json.Valid(im.Message.Raw) {
					t.Errorf("message %s: raw is not JSON: %s", im.Message.ID, im.Message.Raw)
				}
				var probe struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(im.Message.Raw, &probe); err != nil || probe.ID != im.Message.ID {
					t.Errorf("raw of %s holds id %q", im.Message.ID, probe.ID)
				}
			}
			if ev.Dropped != 0 || len(ev.Other) != 0 {
				t.Errorf("dropped %d, other %d", ev.Dropped, len(ev.Other))
			}
			_ = n
		})
	}
}

func TestParseNotificationStatuses(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, s StatusEvent)
	}{
		{"status_sent_cbp", func(t *testing.T, s StatusEvent) {
			st := s.Status
			eq(t, "status", st.Status, StatusSent)
			eq(t, "recipient", s.Recipient.WaID, "16505551234")
			eq(t, "conversation", st.Conversation.ID, "72b14d6bd5407799e66f64d1b338e567")
			eq(t, "expiry", st.Conversation.ExpirationTimestamp, Timestamp(1700086400))
			eq(t, "origin", st.Conversation.Origin.Type, "service")
			eq(t, "model", st.Pricing.PricingModel, PricingModelCBP)
			eq(t, "billable", *st.Pricing.Billable, true)
			eq(t, "type", st.Pricing.Type, "")
			eq(t, "category", st.Pricing.Category, "service")
		}},
		{"status_sent_pmp", func(t *testing.T, s StatusEvent) {
			eq(t, "model", s.Status.Pricing.PricingModel, PricingModelPMP)
			eq(t, "type", s.Status.Pricing.Type, "regular")
			eq(t, "category", s.Status.Pricing.Category, "marketing")
		}},
		{"status_delivered_free", func(t *testing.T, s StatusEvent) {
			eq(t, "status", s.Status.Status, StatusDelivered)
			eq(t, "billable", *s.Status.Pricing.Billable, false)
			eq(t, "type", s.Status.Pricing.Type, "free_customer_service")
			if s.Status.Conversation != nil {
				t.Error("conversation should be absent")
			}
		}},
		{"status_read_entry_point", func(t *testing.T, s StatusEvent) {
			eq(t, "status", s.Status.Status, StatusRead)
			eq(t, "type", s.Status.Pricing.Type, "free_entry_point")
			eq(t, "expiry", s.Status.Conversation.ExpirationTimestamp, Timestamp(0))
		}},
		{"status_failed", func(t *testing.T, s StatusEvent) {
			st := s.Status
			eq(t, "status", st.Status, StatusFailed)
			eq(t, "errors", len(st.Errors), 1)
			eq(t, "code", st.Errors[0].Code, CodeReengagement)
			eq(t, "class", ClassifyCode(st.Errors[0].Code), ClassNeedsTemplate)
			if !strings.Contains(st.Errors[0].Details(), "24 hours") {
				t.Errorf("details = %q", st.Errors[0].Details())
			}
		}},
		{"status_bsuid", func(t *testing.T, s StatusEvent) {
			eq(t, "recipient key", s.Recipient.Key(), "US.13491208655302741918")
			eq(t, "username", s.Recipient.Username, "@pablo")
			eq(t, "matched", s.Recipient.Matched, true)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			_, ev := parseFixture(t, tc.fixture)
			if len(ev.Messages) != 0 {
				t.Errorf("statuses fixture produced %d messages", len(ev.Messages))
			}
			s := oneStatus(t, ev)
			eq(t, "pnid", s.PhoneNumberID, "106540352242922")
			tc.check(t, s)
		})
	}
}

func TestParseNotificationAccountFields(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, ev Events)
	}{
		{"template_status_approved", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "field", te.Field, FieldMessageTemplateStatusUpdate)
			eq(t, "event", te.Event, TemplateApproved)
			eq(t, "id", te.TemplateID, "1689556908129832")
			eq(t, "name", te.Name, "order_confirmation")
			eq(t, "language", te.Language, "en_US")
			eq(t, "reason", te.Reason, "NONE")
			eq(t, "category", te.Category, CategoryUtility)
			eq(t, "time", te.Time, time.Unix(1744848019, 0).UTC())
		}},
		{"template_status_rejected", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "event", te.Event, TemplateRejected)
			eq(t, "id (quoted)", te.TemplateID, "1689556908129833")
			eq(t, "reason", te.Reason, "INVALID_FORMAT")
		}},
		{"template_status_disabled", func(t *testing.T, ev Events) {
			eq(t, "disable date", ev.Templates[0].Value.DisableInfo.DisableDate, Timestamp(1745000000))
		}},
		{"template_status_rejected_info", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "reason", te.Reason, "INVALID_FORMAT")
			if !strings.Contains(string(te.Value.RejectionInfo), "recommendation") {
				t.Errorf("rejection_info = %s", te.Value.RejectionInfo)
			}
		}},
		{"template_status_paused", func(t *testing.T, ev Events) {
			eq(t, "event", ev.Templates[0].Event, TemplatePaused)
			eq(t, "title", ev.Templates[0].Value.OtherInfo.Title, "FIRST_PAUSE")
		}},
		{"template_category_pending", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "correct", te.Value.CorrectCategory, CategoryMarketing)
			eq(t, "current", te.NewCategory, CategoryUtility)
			eq(t, "effective", te.Value.CategoryUpdateTimestamp, Timestamp(1745452800))
		}},
		{"template_quality", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "field", te.Field, FieldMessageTemplateQualityUpdate)
			eq(t, "prev", te.PreviousQuality, "GREEN")
			eq(t, "new", te.NewQuality, "YELLOW")
		}},
		{"template_category", func(t *testing.T, ev Events) {
			te := ev.Templates[0]
			eq(t, "field", te.Field, FieldTemplateCategoryUpdate)
			eq(t, "new", te.NewCategory, CategoryMarketing)
		}},
		{"phone_quality", func(t *testing.T, ev Events) {
			p := ev.PhoneNumbers[0]
			eq(t, "number", p.DisplayPhoneNumber, "15550783881")
			eq(t, "event", p.Event, "THROUGHPUT_UPGRADE")
			eq(t, "limit", p.CurrentLimit, "TIER_UNLIMITED")
			eq(t, "max daily", p.MaxDailyLimit, "TIER_2K")
		}},
		{"account_update_ban", func(t *testing.T, ev Events) {
			a := ev.Accounts[0]
			eq(t, "event", a.Event, "DISABLED_UPDATE")
			eq(t, "phone", a.PhoneNumber, "15550783881")
			eq(t, "ban", a.Value.BanInfo.WabaBanState, "SCHEDULE_FOR_DISABLE")
		}},
		{"account_update_violation", func(t *testing.T, ev Events) {
			a := ev.Accounts[0]
			eq(t, "violation", a.Value.ViolationInfo.ViolationType, "SCAM")
			eq(t, "restriction", a.Value.RestrictionInfo[0].RestrictionType, "RESTRICTED_BIZ_INITIATED_MESSAGING")
		}},
		{"unknown_field", func(t *testing.T, ev Events) {
			if len(ev.Other) != 1 {
				t.Fatalf("got %d other changes", len(ev.Other))
			}
			o := ev.Other[0]
			eq(t, "field", o.Field, "user_preferences")
			if !bytes.Contains(o.Value, []byte(`"stop"`)) || !json.Valid(o.Value) {
				t.Errorf("raw value lost: %s", o.Value)
			}
			if len(ev.Messages) != 0 {
				t.Error("an unknown field must not produce messages")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			_, ev := parseFixture(t, tc.fixture)
			tc.check(t, ev)
		})
	}
}

func TestParseNotificationRejects(t *testing.T) {
	deep := strings.Repeat("[", MaxNestingDepth+1) + strings.Repeat("]", MaxNestingDepth+1)
	tests := []struct {
		name  string
		body  []byte
		code  apierr.Code
		cause error
	}{
		{"empty", nil, apierr.InvalidJSON, ErrEmptyBody},
		{"invalid utf-8", []byte("{\"object\":\"whatsapp_business_account\",\"entry\":[],\"x\":\"\xff\"}"), apierr.InvalidJSON, ErrInvalidUTF8},
		{"not json", []byte("object=whatsapp"), apierr.InvalidJSON, ErrInvalidJSON},
		{"truncated", []byte(`{"object":"whatsapp_business_account","entry":[`), apierr.InvalidJSON, ErrInvalidJSON},
		{"trailing garbage", []byte(`{"object":"whatsapp_business_account","entry":[]} {}`), apierr.InvalidJSON, ErrInvalidJSON},
		{"wrong object", []byte(`{"object":"page","entry":[]}`), apierr.InvalidRequest, ErrNotWhatsAppBody},
		{"no object", []byte(`{"entry":[]}`), apierr.InvalidRequest, ErrNotWhatsAppBody},
		{"array", []byte(`[]`), apierr.InvalidRequest, ErrNotWhatsAppBody},
		{"too deep", []byte(`{"object":"whatsapp_business_account","x":` + deep + `}`), apierr.InvalidJSON, ErrTooDeep},
		{"too large", append([]byte(`{"object":"whatsapp_business_account","x":"`), bytes.Repeat([]byte("a"), MaxNotificationBytes)...), apierr.PayloadTooLarge, ErrBodyTooLarge},
		{"an entry that is a number", []byte(`{"object":"whatsapp_business_account","entry":[1]}`), apierr.InvalidRequest, ErrUnexpectedShape},
		{"a message that is null", []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[null]}}]}]}`), apierr.InvalidRequest, ErrUnexpectedShape},
		{"a status error that is a string", []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"s","errors":["x"]}]}}]}]}`), apierr.InvalidRequest, ErrUnexpectedShape},
		{"an entry that is not JSON", []byte(`{"object":"whatsapp_business_account","entry":[tru]}`), apierr.InvalidJSON, ErrInvalidJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseNotification(tc.body)
			if err == nil {
				t.Fatalf("accepted: %+v", n)
			}
			if got := apierr.CodeOf(err); got != tc.code {
				t.Errorf("code = %s, want %s (%v)", got, tc.code, err)
			}
			if !errors.Is(err, tc.cause) {
				t.Errorf("cause: %v is not %v", err, tc.cause)
			}
		})
	}
}

// TestParseNotificationBoundsWork checks that a body's work is bounded by
// what it holds, not only by its bytes and depth: 3 MB of junk of any shape
// is refused (or decoded, for the two shapes that are merely odd) after
// allocating no more than the body's copies and the decoding budget, and
// each update list is accepted at its bound and refused one element past it.
func TestParseNotificationBoundsWork(t *testing.T) {
	accepted := map[string]bool{"one huge text": true, "unknown keys": true}
	for _, s := range webhooktest.Shapes("106540352242922") {
		t.Run(s.Name, func(t *testing.T) {
			body := s.Fill(3 << 20)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ParseNotification(body)
			runtime.ReadMemStats(&after)
			if accepted[s.Name] != (err == nil) {
				t.Fatalf("accepted %v, want %v: %v", err == nil, accepted[s.Name], err)
			}
			if err != nil && !errors.Is(err, ErrTooManyElements) && !errors.Is(err, ErrUnexpectedShape) {
				t.Errorf("refused for %v", err)
			}
			// Two copies of the body (raw values and strings), unescaped
			// strings (never longer than the body), the structs' budget.
			limit := 3*uint64(len(body)) + MaxWebhookDecodedBytes + 1<<20
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("allocated %d bytes for a %d-byte body, more than %d", got, len(body), limit)
			}
			if s.List == "" || s.Name == "entries of numbers" {
				return
			}
			if _, err := ParseNotification(s.Repeat(MaxWebhookUpdates + 1)); !errors.Is(err, ErrTooManyElements) || apierr.CodeOf(err) != apierr.PayloadTooLarge {
				t.Errorf("%d %s: %v, want PAYLOAD_TOO_LARGE", MaxWebhookUpdates+1, s.List, err)
			}
		})
	}
	t.Run("the bounds are the body's, across entries", func(t *testing.T) {
		half := strings.Repeat(`{},`, MaxWebhookUpdates/2) + `{}`
		body := `{"object":"whatsapp_business_account","entry":[{"changes":[` + half + `]},{"changes":[` + half + `]}]}`
		if _, err := ParseNotification([]byte(body)); !errors.Is(err, ErrTooManyElements) {
			t.Errorf("%d changes in two entries: %v", MaxWebhookUpdates+2, err)
		}
	})
	t.Run("as many updates as a body may hold", func(t *testing.T) {
		for _, s := range webhooktest.Shapes("106540352242922") {
			if s.Name != "distinct customers' messages" && s.Name != "distinct statuses" && s.Name != "contacts without messages" && s.Name != "errors" {
				continue
			}
			n, err := ParseNotification(s.Repeat(MaxWebhookUpdates))
			if err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
			ev := n.Events()
			if got := len(ev.Messages) + len(ev.Statuses) + len(ev.Errors) + len(n.Entry[0].Changes[0].Value.Contacts); got != MaxWebhookUpdates {
				t.Errorf("%s: %d updates decoded", s.Name, got)
			}
		}
	})
}

// TestParseNotificationTolerates checks that odd but valid JSON never costs
// the rest of a webhook: mistyped fields are left zero, brackets inside
// strings do not count as nesting, and a message without an id is dropped
// and counted.
func TestParseNotificationTolerates(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"metadata":{"display_phone_number":"1","phone_number_id":"2"},
		"contacts":[{"profile":{"name":"[[[[{{{{"},"wa_id":"15551234567"}],
		"messages":[
			{"from":"15551234567","id":"wamid.1","timestamp":"soon","type":"text","text":{"body":"` + strings.Repeat("[", 100) + `"},"context":{"forwarded":"yes"}},
			{"from":"15551234567","timestamp":"1","type":"text","text":{"body":"no id"}},
			{"from":"15551234567","id":"wamid.3","timestamp":1750000000,"type":"location","location":{"latitude":"12.5","longitude":3}}
		]}}]}]}`
	n, err := ParseNotification([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	ev := n.Events()
	if len(ev.Messages) != 2 || ev.Dropped != 1 {
		t.Fatalf("messages %d, dropped %d", len(ev.Messages), ev.Dropped)
	}
	m := ev.Messages[0].Message
	eq(t, "name", ev.Messages[0].Sender.ProfileName, "[[[[{{{{")
	eq(t, "bad timestamp", m.Timestamp, Timestamp(0))
	eq(t, "bad bool", m.Context.Forwarded, false)
	eq(t, "body", m.Text.Body, strings.Repeat("[", 100))
	loc := ev.Messages[1].Message
	eq(t, "numeric timestamp", loc.Timestamp, Timestamp(1750000000))
	eq(t, "longitude", loc.Location.Longitude, 3.0)
}

// TestNotificationMarshalRoundTrip builds a body with the structs, as the
// sandbox and tests do, and parses it back.
func TestNotificationMarshalRoundTrip(t *testing.T) {
	billable := true
	in := Notification{Object: ObjectWhatsAppBusinessAccount, Entry: []Entry{{
		ID: "102290129340398",
		Changes: []Change{{Field: FieldMessages, Value: Value{
			MessagingProduct: MessagingProduct,
			Metadata:         &Metadata{DisplayPhoneNumber: "15550783881", PhoneNumberID: "106540352242922"},
			Contacts:         []WebhookContact{{Profile: ContactProfile{Name: "Ana"}, WaID: "5511987654321"}},
			Messages: []Message{{From: "5511987654321", ID: "wamid.X", Timestamp: 1750000000, Type: TypeReaction,
				Reaction: &Reaction{MessageID: "wamid.Y"}}},
			Statuses: []Status{{ID: "wamid.Z", Status: StatusSent, Timestamp: 1750000001, RecipientID: "5511987654321",
				Pricing: &Pricing{Billable: &billable, PricingModel: PricingModelPMP, Type: "regular", Category: "utility"}}},
		}}},
	}, {
		ID: "102290129340398", Time: 1744848019,
		Changes: []Change{{Field: FieldMessageTemplateStatusUpdate, Value: Value{
			Event: TemplateApproved, MessageTemplateID: "1689556908129832", MessageTemplateName: "hello", MessageTemplateLanguage: "en_US", Reason: "NONE",
		}}, {Field: "calls", Raw: json.RawMessage(`{"calls":[{"id":"wacid.1"}]}`)}},
	}}}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"timestamp":"1750000000"`, `"emoji":""`, `"message_template_id":1689556908129832`, `"time":1744848019`, `"calls":[{"id":"wacid.1"}]`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("marshalled body lacks %s:\n%s", want, body)
		}
	}
	n, err := ParseNotification(body)
	if err != nil {
		t.Fatal(err)
	}
	ev := n.Events()
	eq(t, "reaction removed", ev.Messages[0].Message.Reaction.Removed(), true)
	eq(t, "sender", ev.Messages[0].Sender.ProfileName, "Ana")
	eq(t, "status", ev.Statuses[0].Status.Pricing.Type, "regular")
	eq(t, "template", ev.Templates[0].TemplateID, "1689556908129832")
	eq(t, "other", string(ev.Other[0].Value), `{"calls":[{"id":"wacid.1"}]}`)
}

func TestNestingDepth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`{}`, 1},
		{`[[],[[]]]`, 3},
		{`{"a":"[[[[\"]]]"}`, 1},
		{`{"a":"\\"}`, 1},
		{`"[[["`, 0},
		{`{"a":{"b":[{"c":1}]}}`, 4},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			eq(t, "depth", nestingDepth([]byte(tc.in), 100), tc.want)
		})
	}
}

// TestContactIndexMatchesScan checks that pairing users through the index
// built for many contacts finds the same entries as scanning them in order:
// the first entry matching by phone digits or by BSUID.
func TestContactIndexMatchesScan(t *testing.T) {
	var contacts []WebhookContact
	for i := range 30 {
		c := WebhookContact{Profile: ContactProfile{Name: fmt.Sprint("user ", i)}}
		switch i % 5 {
		case 0:
			c.WaID = fmt.Sprint("1555000", i%10)
		case 1:
			c.WaID = fmt.Sprint("+1 555-000-", i%10)
		case 2:
			c.UserID = fmt.Sprint("US.", i%7)
		case 3:
			c.WaID, c.UserID = fmt.Sprint("1555000", i%10), fmt.Sprint("US.", i%7)
		case 4:
			c.WaID = "+"
		}
		contacts = append(contacts, c)
	}
	ix := indexContacts(contacts)
	if ix.byPhone == nil {
		t.Fatal("30 contacts were not indexed")
	}
	scan := contactIndex{contacts: contacts}
	for _, waID := range []string{"", "15550000", "+15550003", "1 555 0009", "15559999"} {
		for _, user := range []string{"", "US.0", "US.3", "US.9"} {
			if got, want := ix.resolve(waID, user, ""), scan.resolve(waID, user, ""); got != want {
				t.Errorf("resolve(%q, %q) = %+v, the scan finds %+v", waID, user, got, want)
			}
		}
	}
}
