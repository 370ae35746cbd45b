package phone

import (
	"errors"
	"strings"
)

// Reason says why an input is not a usable phone number. The values are
// stable snake_case strings so they can travel in API error details and be
// matched by clients.
type Reason string

// The reasons an input can be rejected.
const (
	// ReasonEmpty: the input has no digits and nothing else either.
	ReasonEmpty Reason = "empty"
	// ReasonInvalidCharacters: the input contains something that is neither
	// a digit nor a visual separator (a letter, '*', '#', a second '+', …).
	ReasonInvalidCharacters Reason = "invalid_characters"
	// ReasonExtension: the input names an extension (tel: ";ext=" or
	// ";isub="), which WhatsApp cannot reach.
	ReasonExtension Reason = "extension"
	// ReasonTooShort: too few digits for any number in its country, or a
	// local number that lacks its area code.
	ReasonTooShort Reason = "too_short"
	// ReasonTooLong: more digits than any number in its country (or than
	// E.164's 15), or an absurdly long input.
	ReasonTooLong Reason = "too_long"
	// ReasonUnknownCountryCode: the digits after '+' (or 00) do not start
	// with an assigned country calling code.
	ReasonUnknownCountryCode Reason = "unknown_country_code"
	// ReasonInvalidNumber: the country code is known but the number is not
	// in a range its numbering plan assigns, or has a length the plan does
	// not use.
	ReasonInvalidNumber Reason = "invalid_number"
	// ReasonNoDefaultRegion: the input is in national format (it starts
	// with a trunk prefix such as 0) and no default region is configured
	// to say which country it belongs to.
	ReasonNoDefaultRegion Reason = "no_default_region"
)

// Error is the error every normalising function returns for unusable input.
// Reason is for programs, Error() is for people.
type Error struct {
	// Input is the text that was rejected, as given.
	Input string
	// Reason classifies the failure.
	Reason Reason
	// Detail explains the failure in a sentence fragment, e.g.
	// "contains the letter 'x'; extensions and vanity numbers are not accepted".
	Detail string
}

// maxQuotedInput bounds how much of the input an error message repeats, so
// a pasted paragraph does not turn into a paragraph-long log line.
const maxQuotedInput = 40

// Error implements error: `phone: "…": <detail>`.
func (e *Error) Error() string {
	in := e.Input
	if len(in) > maxQuotedInput {
		in = strings.ToValidUTF8(in[:maxQuotedInput], "") + "…"
	}
	detail := e.Detail
	if detail == "" {
		detail = string(e.Reason)
	}
	return "phone: " + quote(in) + ": " + detail
}

// Is makes errors.Is(err, &phone.Error{Reason: r}) true for any *Error with
// reason r, so callers can test a reason without caring about the input.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Reason == e.Reason && t.Input == "" && t.Detail == ""
}

// ReasonOf returns the Reason of the *Error in err's chain, or "" when err
// is nil or not from this package.
func ReasonOf(err error) Reason {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}

func quote(s string) string {
	// strconv.Quote would escape non-ASCII digits and RTL text that an agent
	// wants to see as typed; only quotes and control characters need care.
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString("\\x")
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
