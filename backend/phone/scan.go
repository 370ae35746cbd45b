package phone

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxInputBytes bounds the raw input. libphonenumber allows 250; a
	// phone number with generous formatting fits in far less, and a bound
	// keeps a pasted document from being scanned rune by rune.
	maxInputBytes = 250
	// maxDigits bounds the digits kept: 15 for E.164 plus room for an
	// international prefix such as 0011 or a Brazilian carrier code.
	maxDigits = 20
)

// scanned is the input reduced to what matters: its digits and whether it
// said it was international. It lives on the stack; digits never escape.
type scanned struct {
	digits [maxDigits]byte
	n      int
	// plus is true when the input carried an explicit international marker:
	// a leading '+' or a tel: URI's global number or "+…" phone-context.
	plus bool
}

func (s *scanned) str() string { return string(s.digits[:s.n]) }

// zeros lists the digit zero of the non-ASCII decimal scripts people
// plausibly type phone numbers in; each script's digits are the ten code
// points from its zero. Other Unicode digits are rejected as invalid
// characters rather than guessed at.
var zeros = [...]rune{
	0x0660, // Arabic-Indic
	0x06F0, // Extended Arabic-Indic (Persian, Urdu)
	0x07C0, // NKo
	0x0966, // Devanagari
	0x09E6, // Bengali
	0x0A66, // Gurmukhi
	0x0AE6, // Gujarati
	0x0B66, // Oriya
	0x0BE6, // Tamil
	0x0C66, // Telugu
	0x0CE6, // Kannada
	0x0D66, // Malayalam
	0x0E50, // Thai
	0x0ED0, // Lao
	0x0F20, // Tibetan
	0x1040, // Myanmar
	0x17E0, // Khmer
	0x1810, // Mongolian
	0xFF10, // Fullwidth
}

// digitValue returns the value of a decimal digit rune, or -1.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x0660 {
		return -1
	}
	for _, z := range zeros {
		if r >= z && r <= z+9 {
			return int(r - z)
		}
	}
	return -1
}

// isSeparator reports whether r is formatting people put in phone numbers.
func isSeparator(r rune) bool {
	switch r {
	case '-', '.', '/', '(', ')', '[', ']', '~',
		0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, // dashes, minus
		0x30FC,                                 // katakana prolonged sound mark, used as a dash in Japan
		0xFF08, 0xFF09, 0xFF0D, 0xFF0E, 0xFF0F, // fullwidth ( ) - . /
		0xFF3B, 0xFF3D, 0xFF5E: // fullwidth [ ] ~
		return true
	}
	// Spaces of every kind, and invisible format characters: bidi marks
	// (U+200E/F, U+202A–E, U+2066–9) surround numbers copied from
	// right-to-left text, zero-width spaces come from web pages.
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// scan reduces input to digits and the international marker, rejecting any
// character that has no business in a phone number.
func scan(input string, s *scanned) *Error {
	in := strings.TrimSpace(input)
	if len(in) > maxInputBytes {
		return &Error{Input: input, Reason: ReasonTooLong,
			Detail: fmt.Sprintf("is %d bytes long; a phone number fits in %d", len(in), maxInputBytes)}
	}
	if len(in) >= 4 && strings.EqualFold(in[:4], "tel:") {
		return scanTel(input, in[4:], s)
	}
	return scanBody(input, in, s)
}

// scanTel handles an RFC 3966 tel: URI (the "tel:" already removed).
func scanTel(input, uri string, s *scanned) *Error {
	body, params, _ := strings.Cut(uri, ";")
	var context string
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(p, "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "ext", "isub":
			return &Error{Input: input, Reason: ReasonExtension,
				Detail: "names an extension or subaddress, which WhatsApp cannot reach"}
		case "phone-context":
			context = strings.TrimSpace(value)
		}
		// Other parameters (npdi, rn, cic, …) are routing hints for the
		// telephone network and do not change who the number reaches.
	}
	if err := scanBody(input, body, s); err != nil {
		return err
	}
	// A local number with a global phone-context is that context's digits
	// followed by the local digits (RFC 3966 §5.1.5). A domain-name context
	// says nothing about the country, so the default region applies.
	if !s.plus && strings.HasPrefix(context, "+") {
		var c scanned
		if err := scanBody(input, context, &c); err != nil {
			return err
		}
		if c.n+s.n > maxDigits {
			return tooManyDigits(input)
		}
		copy(s.digits[c.n:], s.digits[:s.n])
		copy(s.digits[:c.n], c.digits[:c.n])
		s.n += c.n
		s.plus = true
	}
	return nil
}

func tooManyDigits(input string) *Error {
	return &Error{Input: input, Reason: ReasonTooLong,
		Detail: fmt.Sprintf("has more than %d digits", maxDigits)}
}

// scanBody scans the number itself.
func scanBody(input, body string, s *scanned) *Error {
	for i, r := range body {
		if v := digitValue(r); v >= 0 {
			if s.n == maxDigits {
				return tooManyDigits(input)
			}
			s.digits[s.n] = byte('0' + v)
			s.n++
			continue
		}
		switch {
		case r == '+' || r == 0xFF0B: // '+' or fullwidth '＋'
			if s.plus || s.n > 0 {
				return &Error{Input: input, Reason: ReasonInvalidCharacters,
					Detail: "has a '+' after the start; only the country code may follow a leading '+'"}
			}
			s.plus = true
		case isSeparator(r):
		case r == utf8.RuneError && isInvalidUTF8(body[i:]):
			return &Error{Input: input, Reason: ReasonInvalidCharacters, Detail: "is not valid UTF-8"}
		case unicode.IsLetter(r):
			return &Error{Input: input, Reason: ReasonInvalidCharacters,
				Detail: fmt.Sprintf("contains the letter %s; extensions and vanity numbers are not accepted", quoteRune(r))}
		case unicode.IsDigit(r):
			return &Error{Input: input, Reason: ReasonInvalidCharacters,
				Detail: fmt.Sprintf("contains the digit %s from a script that is not supported", quoteRune(r))}
		default:
			return &Error{Input: input, Reason: ReasonInvalidCharacters,
				Detail: fmt.Sprintf("contains %s, which is not part of a phone number", quoteRune(r))}
		}
	}
	return nil
}

func isInvalidUTF8(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && size <= 1
}

func quoteRune(r rune) string {
	if unicode.IsPrint(r) && r != '\'' && r != '\\' {
		return "'" + string(r) + "'"
	}
	return fmt.Sprintf("U+%04X", r)
}
