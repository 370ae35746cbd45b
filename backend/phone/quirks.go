package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Country calling codes with WhatsApp quirks (see the package doc).
const (
	ccArgentina = 54
	ccBrazil    = 55
	ccMexico    = 52
)

// applyQuirks rewrites a parsed number from a legacy WhatsApp or dialling
// form to today's E.164 form. It returns ok=false, and the caller keeps the
// original, whenever the rewrite would not be a number the numbering plan
// accepts: a quirk may correct a number, never invent one.
func applyQuirks(pn *phonenumbers.PhoneNumber) (*phonenumbers.PhoneNumber, bool) {
	switch pn.GetCountryCode() {
	case ccMexico:
		return mexico(phonenumbers.GetNationalSignificantNumber(pn))
	case ccBrazil:
		return brazil(phonenumbers.GetNationalSignificantNumber(pn))
	case ccArgentina:
		return argentina(pn)
	}
	return nil, false
}

// mexico drops the mobile "1" after +52 and the national prefixes 01, 044
// and 045, all abolished in August 2019.
func mexico(nsn string) (*phonenumbers.PhoneNumber, bool) {
	switch {
	case len(nsn) == 11 && nsn[0] == '1':
		// "521" + 10 digits can only be the legacy mobile form (no Mexican
		// number has 11 digits), so a possible 10-digit remainder is enough:
		// a range missing from libphonenumber's data must not split a
		// customer in two.
		q := build(ccMexico, nsn[1:])
		return q, q != nil && phonenumbers.IsPossibleNumber(q)
	case len(nsn) == 13 && (strings.HasPrefix(nsn, "044") || strings.HasPrefix(nsn, "045")):
		return validOnly(build(ccMexico, nsn[3:]))
	case len(nsn) == 12 && strings.HasPrefix(nsn, "01"):
		return validOnly(build(ccMexico, nsn[2:]))
	}
	return nil, false
}

// brazil adds the ninth digit to a legacy eight-digit mobile number. Only
// subscriber numbers that start with 6–9 were mobiles; 2–5 are landlines.
func brazil(nsn string) (*phonenumbers.PhoneNumber, bool) {
	if len(nsn) != 10 || nsn[2] < '6' || nsn[2] > '9' {
		return nil, false
	}
	return validOnly(build(ccBrazil, nsn[:2]+"9"+nsn[2:]))
}

// brazilLegacy returns the eight-digit form of a nine-digit mobile NSN
// whose legacy form WhatsApp may still report.
func brazilLegacy(nsn string) (string, bool) {
	if len(nsn) != 11 || nsn[2] != '9' || nsn[3] < '6' || nsn[3] > '9' {
		return "", false
	}
	return nsn[:2] + nsn[3:], true
}

// argentina handles a mobile written with both the international 9 and the
// national 15 ("+54 9 11 15 1234-5678"). libphonenumber already turns
// "+54 11 15 …" and national "011 15 …" into "+54 9 11 …", so this only
// needs to drop the 9 and let the same national rules read the rest.
func argentina(pn *phonenumbers.PhoneNumber) (*phonenumbers.PhoneNumber, bool) {
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	if len(nsn) < 2 || nsn[0] != '9' || phonenumbers.IsValidNumber(pn) {
		return nil, false
	}
	var q phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber("0"+nsn[1:], "AR", &q); err != nil {
		return nil, false
	}
	if q.GetCountryCode() != ccArgentina || !phonenumbers.IsValidNumber(&q) {
		return nil, false
	}
	// Keep only mobile readings: the 9 said "mobile", and a landline that
	// happened to match would be a different subscriber.
	if t := phonenumbers.GetNumberType(&q); t != phonenumbers.MOBILE && t != phonenumbers.FIXED_LINE_OR_MOBILE {
		return nil, false
	}
	return &q, true
}

// build makes a PhoneNumber from a country code and an NSN without leading
// zeros (true for every NSN the quirks produce), or nil.
func build(cc int32, nsn string) *phonenumbers.PhoneNumber {
	if nsn == "" || nsn[0] == '0' {
		return nil
	}
	v, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return nil
	}
	return &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &v}
}

func validOnly(q *phonenumbers.PhoneNumber) (*phonenumbers.PhoneNumber, bool) {
	return q, q != nil && phonenumbers.IsValidNumber(q)
}
