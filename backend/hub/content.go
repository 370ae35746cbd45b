package hub

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/backend/whatsapp"
)

// contentOf returns the message's object for its type exactly as received
// (for text: {"body": "…"}), cut from the raw bytes rather than
// re-marshalled, so what is stored is what Meta sent. A type without an
// object of its own name (request_welcome, say) keeps the whole message.
func contentOf(m *whatsapp.Message) json.RawMessage {
	if len(m.Raw) == 0 {
		b, err := json.Marshal(m)
		if err != nil {
			return json.RawMessage("{}")
		}
		return b
	}
	if v := topLevelField(m.Raw, m.Type); v != nil {
		return json.RawMessage(v)
	}
	return m.Raw
}

// topLevelField finds the value of key in the JSON object obj without
// decoding it. obj has already been validated by the parser; on anything
// unexpected it answers nil and the caller falls back.
func topLevelField(obj []byte, key string) []byte {
	if key == "" {
		return nil
	}
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] == '}' {
			return nil
		}
		if obj[i] != '"' {
			return nil
		}
		ke := skipString(obj, i)
		if ke < 0 {
			return nil
		}
		k := obj[i+1 : ke-1]
		i = skipSpace(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return nil
		}
		i = skipSpace(obj, i+1)
		ve := skipValue(obj, i)
		if ve < 0 {
			return nil
		}
		if string(k) == key {
			return obj[i:ve]
		}
		i = skipSpace(obj, ve)
		if i < len(obj) && obj[i] == ',' {
			i++
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := skipString(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// previewLength bounds a preview, in characters.
const previewLength = 160

// previewOf is the plain-text line an inbox shows for a message.
func previewOf(m *whatsapp.Message) string {
	var s string
	switch m.Type {
	case whatsapp.TypeText:
		if m.Text != nil {
			s = m.Text.Body
		}
	case whatsapp.TypeImage, whatsapp.TypeVideo, whatsapp.TypeAudio, whatsapp.TypeDocument, whatsapp.TypeSticker:
		s = "[" + m.Type + "]"
		if md := m.Media(); md != nil {
			switch {
			case md.Caption != "":
				s += " " + md.Caption
			case md.Filename != "":
				s += " " + md.Filename
			}
		}
	case whatsapp.TypeLocation:
		s = "[location]"
		if l := m.Location; l != nil {
			if t := strings.TrimSpace(l.Name + " " + l.Address); t != "" {
				s += " " + t
			}
		}
	case whatsapp.TypeContacts:
		s = "[contacts]"
		if len(m.Contacts) > 0 {
			s += " " + m.Contacts[0].Name.FormattedName
		}
	case whatsapp.TypeInteractive:
		if it := m.Interactive; it != nil {
			switch {
			case it.ButtonReply != nil:
				s = it.ButtonReply.Title
			case it.ListReply != nil:
				s = it.ListReply.Title
			case it.NFMReply != nil:
				s = "[form] " + it.NFMReply.Body
			}
		}
	case whatsapp.TypeButton:
		if m.Button != nil {
			s = m.Button.Text
		}
	case whatsapp.TypeReaction:
		if m.Reaction != nil {
			s = m.Reaction.Emoji
		}
	case whatsapp.TypeOrder:
		s = "[order]"
		if m.Order != nil {
			s += " " + strconv.Itoa(len(m.Order.ProductItems)) + " item(s)"
		}
	case whatsapp.TypeSystem:
		if m.System != nil {
			s = m.System.Body
		}
	default:
		s = "[" + m.Type + "]"
	}
	return truncateRunes(strings.TrimSpace(s), previewLength)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// keyword is what a whole-message keyword asks for.
type keyword int

const (
	keywordNone keyword = iota
	keywordOptOut
	keywordOptIn
)

// Opt-out and opt-in keywords, compared after normalisation (case folded,
// surrounding punctuation and spaces trimmed, inner spaces collapsed). Only
// the whole message counts: "please stop calling me" is a conversation, not
// an opt-out. The set covers the sandbox's languages: English, Spanish,
// Portuguese, Arabic, Hebrew and Hindi.
var keywords = map[string]keyword{
	// English
	"stop": keywordOptOut, "stop all": keywordOptOut, "stopall": keywordOptOut,
	"unsubscribe": keywordOptOut, "cancel": keywordOptOut, "end": keywordOptOut,
	"quit": keywordOptOut, "opt out": keywordOptOut, "optout": keywordOptOut, "opt-out": keywordOptOut,
	"start": keywordOptIn, "unstop": keywordOptIn, "subscribe": keywordOptIn, "opt in": keywordOptIn,
	"optin": keywordOptIn, "opt-in": keywordOptIn, "resume": keywordOptIn,
	// Spanish
	"baja": keywordOptOut, "alto": keywordOptOut, "parar": keywordOptOut, "detener": keywordOptOut,
	"cancelar": keywordOptOut, "darse de baja": keywordOptOut, "dar de baja": keywordOptOut,
	"alta": keywordOptIn, "iniciar": keywordOptIn, "reanudar": keywordOptIn, "suscribir": keywordOptIn,
	// Portuguese (PARAR and CANCELAR as in Spanish)
	"sair": keywordOptOut, "pare": keywordOptOut, "descadastrar": keywordOptOut,
	"voltar": keywordOptIn, "começar": keywordOptIn, "comecar": keywordOptIn, "inscrever": keywordOptIn,
	// Arabic
	"إيقاف": keywordOptOut, "ايقاف": keywordOptOut, "توقف": keywordOptOut, "إلغاء": keywordOptOut, "الغاء": keywordOptOut,
	"ابدأ": keywordOptIn, "ابدا": keywordOptIn, "بدء": keywordOptIn,
	// Hebrew
	"הסר": keywordOptOut, "עצור": keywordOptOut, "הפסק": keywordOptOut,
	"התחל": keywordOptIn,
	// Hindi
	"रोकें": keywordOptOut, "रोको": keywordOptOut, "बंद करें": keywordOptOut,
	"शुरू": keywordOptIn, "शुरू करें": keywordOptIn,
}

// classifyKeyword says whether a whole message is an opt-out or opt-in
// keyword.
func classifyKeyword(body string) keyword {
	if len(body) > 64 {
		return keywordNone
	}
	norm := normalizeKeyword(body)
	return keywords[norm]
}

// normalizeKeyword folds case, drops surrounding punctuation and invisible
// marks (emoji, bidi controls, full stops), and collapses runs of spaces.
func normalizeKeyword(s string) string {
	s = strings.ToLower(s)
	trim := func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Cf, r)
	}
	s = strings.TrimFunc(s, trim)
	return strings.Join(strings.Fields(s), " ")
}
