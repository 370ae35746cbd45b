package hub

import (
	"strings"

	"switchboard/backend/whatsapp"
)

// messageType is what the hub does differently for one message type it
// sends. messageTypes has one row per type of wire.SendTypes: adding a
// type is a row here, its slot in wire.SendRequest (where the request
// carries its object) and its rules in whatsapp.Validate.
type messageType struct {
	// object is the typed object an outbound message carries for the
	// type, which is what the hub stores as the message's content; with
	// alloc it is made first, for the request's object to be decoded
	// into (prepareSend; a template is built by prepareTemplate instead).
	object func(m *whatsapp.OutboundMessage, alloc bool) any
	// preview is the inbox line, before trimming and truncation.
	preview func(m *whatsapp.OutboundMessage) string
}

var messageTypes = map[string]messageType{
	whatsapp.TypeText: {
		object:  field(func(m *whatsapp.OutboundMessage) **whatsapp.Text { return &m.Text }),
		preview: func(m *whatsapp.OutboundMessage) string { return m.Text.Body },
	},
	whatsapp.TypeImage:    media(func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject { return &m.Image }),
	whatsapp.TypeAudio:    media(func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject { return &m.Audio }),
	whatsapp.TypeVideo:    media(func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject { return &m.Video }),
	whatsapp.TypeDocument: media(func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject { return &m.Document }),
	whatsapp.TypeSticker:  media(func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject { return &m.Sticker }),
	whatsapp.TypeLocation: {
		object:  field(func(m *whatsapp.OutboundMessage) **whatsapp.Location { return &m.Location }),
		preview: func(m *whatsapp.OutboundMessage) string { return "[location] " + m.Location.Name },
	},
	whatsapp.TypeContacts: {
		// A list, not a pointer: decoded in place.
		object: func(m *whatsapp.OutboundMessage, _ bool) any { return &m.Contacts },
		preview: func(m *whatsapp.OutboundMessage) string {
			if len(m.Contacts) == 0 {
				return "[contacts]"
			}
			return "[contacts] " + m.Contacts[0].Name.FormattedName
		},
	},
	whatsapp.TypeInteractive: {
		object: field(func(m *whatsapp.OutboundMessage) **whatsapp.Interactive { return &m.Interactive }),
		preview: func(m *whatsapp.OutboundMessage) string {
			if m.Interactive != nil && m.Interactive.Body != nil {
				return m.Interactive.Body.Text
			}
			return "[interactive]"
		},
	},
	whatsapp.TypeReaction: {
		object:  field(func(m *whatsapp.OutboundMessage) **whatsapp.Reaction { return &m.Reaction }),
		preview: func(m *whatsapp.OutboundMessage) string { return m.Reaction.Emoji },
	},
	whatsapp.TypeTemplate: {
		object:  field(func(m *whatsapp.OutboundMessage) **whatsapp.TemplateSend { return &m.Template }),
		preview: func(m *whatsapp.OutboundMessage) string { return "[template] " + m.Template.Name },
	},
}

// field is the object accessor of a type whose object is the pointer
// field f points at.
func field[T any](f func(m *whatsapp.OutboundMessage) **T) func(*whatsapp.OutboundMessage, bool) any {
	return func(m *whatsapp.OutboundMessage, alloc bool) any {
		p := f(m)
		if alloc {
			*p = new(T)
		}
		return *p
	}
}

// media is the row of a media type: its object is a MediaObject, its
// preview "[image] caption" (or the file's name).
func media(f func(m *whatsapp.OutboundMessage) **whatsapp.MediaObject) messageType {
	return messageType{
		object: field(f),
		preview: func(m *whatsapp.OutboundMessage) string {
			s, md := "["+m.Type+"]", *f(m)
			switch {
			case md.Caption != "":
				s += " " + md.Caption
			case md.Filename != "":
				s += " " + md.Filename
			}
			return s
		},
	}
}

// isKnownType reports whether the hub can send messages of type t.
func isKnownType(t string) bool {
	_, ok := messageTypes[t]
	return ok
}

// payloadField returns the typed object m carries for its type (nil for
// a type the hub does not send).
func payloadField(m *whatsapp.OutboundMessage) any {
	if mt, ok := messageTypes[m.Type]; ok {
		return mt.object(m, false)
	}
	return nil
}

// outboundPreview is the inbox line for an outbound message.
func outboundPreview(m *whatsapp.OutboundMessage) string {
	mt, ok := messageTypes[m.Type]
	if !ok {
		return ""
	}
	return truncateRunes(strings.TrimSpace(mt.preview(m)), previewLength)
}
