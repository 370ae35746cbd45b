package phone

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Normalizer normalises phone numbers for one deployment. Its only setting
// is the default region used for numbers written in national format. The
// zero value, and a nil *Normalizer, have no default region; a Normalizer
// is immutable and safe for concurrent use.
type Normalizer struct {
	region string
}

// New returns a Normalizer whose national-format input is read as belonging
// to defaultRegion, an ISO 3166-1 alpha-2 code such as "US", "GB" or "BR"
// (case-insensitive). An empty defaultRegion means none: national format is
// then rejected with ReasonNoDefaultRegion. An unknown code is an error,
// because a typo in configuration should stop startup, not misread numbers.
func New(defaultRegion string) (*Normalizer, error) {
	if defaultRegion == "" {
		return &Normalizer{}, nil
	}
	r := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if len(r) != 2 || !phonenumbers.GetSupportedRegions()[r] {
		return nil, fmt.Errorf("phone: default region %q is not an ISO 3166-1 alpha-2 code with a numbering plan", defaultRegion)
	}
	return &Normalizer{region: r}, nil
}

// DefaultRegion returns the configured default region, or "" for none.
func (n *Normalizer) DefaultRegion() string {
	if n == nil {
		return ""
	}
	return n.region
}

// Normalize returns input as canonical E.164 ("+5511987654321"), applying
// the WhatsApp quirks described in the package documentation, or an *Error
// saying why input is not a valid phone number. The result is stable:
// normalising it again returns it unchanged.
func (n *Normalizer) Normalize(input string) (string, error) {
	num, err := n.resolve(input, false)
	if err != nil {
		return "", err
	}
	return num.e164(), nil
}

// SamePerson reports whether a and b, in any supported format, reach the
// same WhatsApp account. Two inputs that cannot be read as a number are
// not the same person, even if they are the same text.
//
// Unlike Normalize, SamePerson (like CanonicalKey) accepts an international
// number that has a plausible length but lies outside the ranges in
// libphonenumber's data, so that a newly assigned range does not make a
// customer stop being themselves. National-format input is still checked
// strictly.
func (n *Normalizer) SamePerson(a, b string) bool {
	x, err := n.resolve(a, true)
	if err != nil {
		return false
	}
	y, err := n.resolve(b, true)
	if err != nil {
		return false
	}
	return x == y
}

// noRegion is the Normalizer behind the package-level functions.
var noRegion Normalizer

// Normalize is Normalizer.Normalize without a default region: input must
// be international (with '+', "00" or a tel: URI) or a wa_id.
func Normalize(input string) (string, error) { return noRegion.Normalize(input) }

// SamePerson is Normalizer.SamePerson without a default region. Use a
// Normalizer's method when either side may be in national format.
func SamePerson(a, b string) bool { return noRegion.SamePerson(a, b) }

// CanonicalKey returns the contact key for an international number: a
// wa_id from a webhook ("5215512345678"), a stored E.164 string, or any
// other international spelling. It never applies a default region, and it
// accepts a number of plausible length outside libphonenumber's assigned
// ranges (Meta has already seen the account exist; a stale table must not
// drop its messages). Quirks are still applied only when their result is a
// valid number. The key of a key is itself.
func CanonicalKey(number string) (string, error) {
	num, err := resolveInternational(number)
	if err != nil {
		return "", err
	}
	return num.e164(), nil
}

// WaID returns the WhatsApp id for a number: its canonical E.164 digits
// without the '+' ("+5511987654321" → "5511987654321"). It returns "" when
// number is not an international number CanonicalKey accepts, so a bad
// value cannot reach the Cloud API as a recipient.
func WaID(number string) string {
	key, err := CanonicalKey(number)
	if err != nil {
		return ""
	}
	return key[1:]
}

// Variants returns the E.164 spellings under which the person behind number
// may appear: the canonical form first, then the legacy forms WhatsApp uses
// for old accounts (Mexico's +521…, Brazil's mobile without the ninth
// digit). Argentina's +54 form without the 9 is deliberately absent: that
// is a landline, possibly someone else's. It returns nil when number is not
// accepted by CanonicalKey.
func Variants(number string) []string {
	num, err := resolveInternational(number)
	if err != nil {
		return nil
	}
	canon := num.e164()
	out := []string{canon}
	switch num.cc {
	case ccMexico:
		if len(num.nsn) == 10 {
			out = append(out, "+521"+num.nsn)
		}
	case ccBrazil:
		if legacy, ok := brazilLegacy(num.nsn); ok {
			out = append(out, "+55"+legacy)
		}
	}
	return out
}

// maxE164Len is '+' and the 15 digits E.164 allows at most.
const maxE164Len = 16

// number is a parsed, canonical number: country calling code and national
// significant number. It is comparable, so SamePerson compares with ==.
type number struct {
	cc  int32
	nsn string
}

func (num number) e164() string {
	return "+" + strconv.Itoa(int(num.cc)) + num.nsn
}

// resolve turns any supported input into a canonical number. lenient
// accepts international numbers that are possible but not known valid.
func (n *Normalizer) resolve(input string, lenient bool) (number, *Error) {
	if n == nil {
		n = &noRegion
	}
	var s scanned
	if err := scan(input, &s); err != nil {
		return number{}, err
	}
	if err := requireDigits(input, &s); err != nil {
		return number{}, err
	}
	digits := s.str()
	if s.plus {
		return parseInternational(input, digits, lenient)
	}
	if n.region != "" {
		// The national reading goes first: it also understands the
		// region's own international prefix (011 in North America, 0011 in
		// Australia, 00 plus a carrier code in Brazil).
		num, err := parseNational(input, digits, n.region)
		switch {
		case err == nil:
			return num, nil
		case strings.HasPrefix(digits, "00"):
			// The ITU prefix everywhere else; this is what was meant.
			return parseInternational(input, digits[2:], lenient)
		case digits[0] == '0':
			return number{}, err
		}
		// Not a number of the default region: maybe a wa_id. Report the
		// national reading's error if this fails too, as that is what the
		// person most likely meant.
		if inum, ierr := parseInternational(input, digits, lenient); ierr == nil {
			return inum, nil
		}
		return number{}, err
	}
	switch {
	case strings.HasPrefix(digits, "00"):
		return parseInternational(input, digits[2:], lenient)
	case digits[0] == '0':
		return number{}, &Error{Input: input, Reason: ReasonNoDefaultRegion,
			Detail: "starts with a trunk prefix 0 (national format) and no default region is configured; write it with + and the country code"}
	}
	return parseInternational(input, digits, lenient)
}

// resolveInternational is resolve for input that must carry its country
// code: '+', "00", a tel: URI or wa_id digits. It is always lenient.
func resolveInternational(input string) (number, *Error) {
	return noRegion.resolve(input, true)
}

func requireDigits(input string, s *scanned) *Error {
	if s.n > 0 {
		return nil
	}
	if s.plus {
		return &Error{Input: input, Reason: ReasonTooShort, Detail: "has no digits after the '+'"}
	}
	return &Error{Input: input, Reason: ReasonEmpty, Detail: "contains no digits"}
}

// parseInternational parses digits that start with a country calling code.
func parseInternational(input, digits string, lenient bool) (number, *Error) {
	if digits == "" {
		return number{}, &Error{Input: input, Reason: ReasonTooShort, Detail: "has no digits after the international prefix"}
	}
	if digits[0] == '0' {
		// No country code starts with 0; libphonenumber would say "invalid
		// country code" too, but this says what is actually wrong.
		return number{}, &Error{Input: input, Reason: ReasonUnknownCountryCode,
			Detail: "has a 0 where the country code should start; no country code starts with 0"}
	}
	var pn phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber("+"+digits, "", &pn); err != nil {
		return number{}, parseError(input, err)
	}
	return finish(input, &pn, lenient, false)
}

// parseNational parses digits written as dialled inside region. National
// input is always checked strictly: it is typed by a person, and a merely
// possible reading is more likely a typo than a new range.
func parseNational(input, digits, region string) (number, *Error) {
	var pn phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(digits, region, &pn); err != nil {
		return number{}, parseError(input, err)
	}
	return finish(input, &pn, false, true)
}

// finish applies the quirks to a parsed number and validates the result.
// lenient accepts a possible but not valid number; national says the input
// was in national format, which only changes the wording of errors.
func finish(input string, pn *phonenumbers.PhoneNumber, lenient, national bool) (number, *Error) {
	if pn.GetExtension() != "" {
		// Unreachable with scanned digits; kept so a future input path
		// cannot let an extension through silently.
		return number{}, &Error{Input: input, Reason: ReasonExtension, Detail: "names an extension, which WhatsApp cannot reach"}
	}
	if q, ok := applyQuirks(pn); ok {
		pn = q
	}
	switch phonenumbers.IsPossibleNumberWithReason(pn) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return number{}, &Error{Input: input, Reason: ReasonTooShort,
			Detail: "is a local number; add the area code" + countrySuffix(pn)}
	case phonenumbers.TOO_SHORT:
		return number{}, &Error{Input: input, Reason: ReasonTooShort,
			Detail: "has too few digits for a number" + countrySuffix(pn)}
	case phonenumbers.TOO_LONG:
		return number{}, &Error{Input: input, Reason: ReasonTooLong,
			Detail: "has too many digits for a number" + countrySuffix(pn)}
	case phonenumbers.INVALID_COUNTRY_CODE:
		return number{}, unknownCountryCode(input)
	default: // INVALID_LENGTH
		return number{}, &Error{Input: input, Reason: ReasonInvalidNumber,
			Detail: "has a number of digits that no number" + countrySuffix(pn) + " has"}
	}
	valid := phonenumbers.IsValidNumber(pn)
	if !valid && !lenient {
		if shorterThanExamples(pn) {
			d := "has too few digits for a number" + countrySuffix(pn)
			if national {
				// Typically a local number typed without its area code, in
				// a plan where that length is possible for other numbers.
				d += "; is the area code missing?"
			}
			return number{}, &Error{Input: input, Reason: ReasonTooShort, Detail: d}
		}
		return number{}, invalidNumber(input, pn)
	}
	num := number{cc: pn.GetCountryCode(), nsn: phonenumbers.GetNationalSignificantNumber(pn)}
	// libphonenumber accepts some German direct-dial ranges longer than
	// E.164 allows; no such number can be a WhatsApp account.
	if len(num.e164()) > maxE164Len {
		return number{}, &Error{Input: input, Reason: ReasonTooLong,
			Detail: "has more than the 15 digits E.164 allows"}
	}
	// A merely possible number can be one libphonenumber reads differently
	// when given back (e.g. +20 0…: the 0 is taken for a trunk prefix and
	// stripped again). A key must be a fixed point, so such a number is
	// refused rather than keyed two ways.
	if !valid && !stable(num) {
		return number{}, invalidNumber(input, pn)
	}
	return num, nil
}

// stable reports whether num parses back to itself with no quirk firing.
func stable(num number) bool {
	var q phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(num.e164(), "", &q); err != nil {
		return false
	}
	if q.GetCountryCode() != num.cc || phonenumbers.GetNationalSignificantNumber(&q) != num.nsn {
		return false
	}
	_, changed := applyQuirks(&q)
	return !changed
}

func invalidNumber(input string, pn *phonenumbers.PhoneNumber) *Error {
	return &Error{Input: input, Reason: ReasonInvalidNumber,
		Detail: "is not in a range assigned to phones" + countrySuffix(pn)}
}

// countrySuffix names the number's country for error messages:
// " with country code +44 (GB)".
func countrySuffix(pn *phonenumbers.PhoneNumber) string {
	cc := int(pn.GetCountryCode())
	s := " with country code +" + strconv.Itoa(cc)
	if r := phonenumbers.GetRegionCodeForCountryCode(cc); r != "" && r != "ZZ" && r != "001" {
		s += " (" + r + ")"
	}
	return s
}

// shorterThanExamples reports whether an invalid number is shorter than
// both libphonenumber's example fixed-line and mobile numbers of its country.
// It only refines the reason of a number already known to be invalid.
func shorterThanExamples(pn *phonenumbers.PhoneNumber) bool {
	region := phonenumbers.GetRegionCodeForCountryCode(int(pn.GetCountryCode()))
	n := len(phonenumbers.GetNationalSignificantNumber(pn))
	for _, t := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
		ex := phonenumbers.GetExampleNumberForType(region, t)
		if ex == nil || n >= len(phonenumbers.GetNationalSignificantNumber(ex)) {
			return false
		}
	}
	return true
}

func unknownCountryCode(input string) *Error {
	return &Error{Input: input, Reason: ReasonUnknownCountryCode,
		Detail: "does not start with an assigned country calling code"}
}

// parseError maps libphonenumber's parse errors to reasons.
func parseError(input string, err error) *Error {
	switch err {
	case phonenumbers.ErrInvalidCountryCode:
		return unknownCountryCode(input)
	case phonenumbers.ErrNumTooLong:
		return &Error{Input: input, Reason: ReasonTooLong, Detail: "has too many digits to be a phone number"}
	case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD, phonenumbers.ErrNotANumber:
		// ErrNotANumber is what libphonenumber says for fewer than two
		// digits, which is the only way scanned digits can fail that test.
		return &Error{Input: input, Reason: ReasonTooShort, Detail: "has too few digits to be a phone number"}
	default:
		return &Error{Input: input, Reason: ReasonInvalidNumber, Detail: err.Error()}
	}
}
