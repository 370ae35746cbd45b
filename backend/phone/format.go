package phone

import (
	"github.com/nyaruka/phonenumbers"
)

// Style selects how Format writes a number for people.
type Style int

// The display styles.
const (
	// International: "+55 11 98765-4321". The default for a console whose
	// agents serve customers in several countries.
	International Style = iota
	// National: "(11) 98765-4321", as dialled inside the number's country.
	National
	// E164: "+5511987654321", the canonical key itself.
	E164
	// RFC3966: "tel:+55-11-98765-4321", for tel: links.
	RFC3966
)

// Format writes an international number (E.164, a wa_id, anything
// CanonicalKey accepts) for display in the given style, after
// canonicalising it. Display must not fail, so input that is not a number
// is returned unchanged, and an unknown style falls back to International.
func Format(number string, style Style) string {
	num, err := resolveInternational(number)
	if err != nil {
		return number
	}
	pn, ok := num.phoneNumber()
	if !ok {
		return number
	}
	f := phonenumbers.INTERNATIONAL
	switch style {
	case National:
		f = phonenumbers.NATIONAL
	case E164:
		return num.e164()
	case RFC3966:
		f = phonenumbers.RFC3966
	}
	return phonenumbers.Format(pn, f)
}

// Region returns the ISO 3166-1 alpha-2 region of an international number
// ("+5511987654321" → "BR"), "001" for a non-geographic number such as
// +800 freephone, or "" when number is not accepted by CanonicalKey or its
// country code is shared (as +1 and +44 are) and the number is outside
// every member's assigned ranges.
func Region(number string) string {
	num, err := resolveInternational(number)
	if err != nil {
		return ""
	}
	pn, ok := num.phoneNumber()
	if !ok {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(pn); r != "" && r != "ZZ" {
		return r
	}
	if rs := phonenumbers.GetRegionCodesForCountryCode(int(num.cc)); len(rs) == 1 {
		return rs[0]
	}
	return ""
}

// phoneNumber turns a canonical number back into libphonenumber's type,
// by parsing, which restores Italian-style leading zeros faithfully.
func (num number) phoneNumber() (*phonenumbers.PhoneNumber, bool) {
	var pn phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(num.e164(), "", &pn); err != nil {
		return nil, false
	}
	return &pn, true
}
