package phone_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/backend/phone"
)

func mustNew(t testing.TB, region string) *phone.Normalizer {
	t.Helper()
	n, err := phone.New(region)
	if err != nil {
		t.Fatalf("New(%q): %v", region, err)
	}
	return n
}

// normalizeCase is one named scenario: input in a region (or none) and
// either the canonical E.164 it must give or the reason it must fail with.
type normalizeCase struct {
	name   string
	region string
	input  string
	want   string
	reason phone.Reason
}

func runNormalize(t *testing.T, cases []normalizeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := mustNew(t, tc.region)
			got, err := n.Normalize(tc.input)
			if tc.reason != "" {
				if err == nil {
					t.Fatalf("Normalize(%q) in %q = %q, want error %s", tc.input, tc.region, got, tc.reason)
				}
				if r := phone.ReasonOf(err); r != tc.reason {
					t.Fatalf("Normalize(%q) in %q: reason %q (%v), want %q", tc.input, tc.region, r, err, tc.reason)
				}
				if got != "" {
					t.Errorf("Normalize(%q) returned %q alongside an error", tc.input, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q) in %q: %v, want %q", tc.input, tc.region, err, tc.want)
			}
			if got != tc.want {
				t.Fatalf("Normalize(%q) in %q = %q, want %q", tc.input, tc.region, got, tc.want)
			}
			// The canonical form is a fixed point, with or without a region.
			if again, err := n.Normalize(got); err != nil || again != got {
				t.Errorf("Normalize(%q) = %q, %v; want it unchanged", got, again, err)
			}
			if key, err := phone.CanonicalKey(got); err != nil || key != got {
				t.Errorf("CanonicalKey(%q) = %q, %v; want it unchanged", got, key, err)
			}
		})
	}
}

func TestNormalizeFormats(t *testing.T) {
	runNormalize(t, []normalizeCase{
		{name: "e164 plain", input: "+14155550123", want: "+14155550123"},
		{name: "e164 spaces", input: "+1 415 555 0123", want: "+14155550123"},
		{name: "e164 dashes and parentheses", input: "+1 (415) 555-0123", want: "+14155550123"},
		{name: "e164 dots", input: "+44.20.7946.0958", want: "+442079460958"},
		{name: "e164 slashes", input: "+49 30/123456", want: "+4930123456"},
		{name: "surrounding whitespace and newline", input: " \t+44 121 234 5678\n", want: "+441212345678"},
		{name: "plus inside parentheses", input: "(+44) 121 234 5678", want: "+441212345678"},
		{name: "bracketed trunk zero after country code", input: "+44 (0)121 234 5678", want: "+441212345678"},
		{name: "trunk zero after country code", input: "+49 030 123456", want: "+4930123456"},
		{name: "italian leading zero kept", input: "+39 02 1234 5678", want: "+390212345678"},
		{name: "00 international prefix", input: "0044 121 234 5678", want: "+441212345678"},
		{name: "00 with spaces", input: "00 55 11 98765-4321", want: "+5511987654321"},
		{name: "wa_id digits", input: "447400123456", want: "+447400123456"},
		{name: "wa_id us", input: "14155550123", want: "+14155550123"},
		{name: "tel uri", input: "tel:+1-415-555-0123", want: "+14155550123"},
		{name: "tel uri upper case scheme", input: "TEL:+44-121-234-5678", want: "+441212345678"},
		{name: "tel uri with routing parameter", input: "tel:+1-415-555-0123;npdi", want: "+14155550123"},
		{name: "tel uri local with phone-context", input: "tel:234-5678;phone-context=+44-121", want: "+441212345678"},
		{name: "tel uri local with domain context uses region", region: "GB", input: "tel:0121-234-5678;phone-context=example.com", want: "+441212345678"},
		{name: "non-breaking and thin spaces", input: "+33\u00a06\u202f12\u200934\u00a056\u00a078", want: "+33612345678"},
		{name: "unicode dashes", input: "+1\u2011415\u2013555\u20140123", want: "+14155550123"},
		{name: "bidi marks from rtl text", input: "\u200f+966 51 234 5678\u200e", want: "+966512345678"},
		{name: "zero width space", input: "+971\u200b50 123 4567", want: "+971501234567"},
		{name: "arabic-indic digits", input: "+٩٦٦ ٥١ ٢٣٤ ٥٦٧٨", want: "+966512345678"},
		{name: "persian digits", input: "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹", want: "+989123456789"},
		{name: "devanagari digits", input: "+९१ ८१२३४ ५६७८९", want: "+918123456789"},
		{name: "fullwidth digits and plus", input: "＋８１ ９０－１２３４－５６７８", want: "+819012345678"},
		{name: "non-geographic freephone", input: "+800 1234 5678", want: "+80012345678"},
	})
}

func TestNormalizeCountries(t *testing.T) {
	runNormalize(t, []normalizeCase{
		{name: "US", input: "+1 201 555 0123", want: "+12015550123"},
		{name: "CA", input: "+1 506 234 5678", want: "+15062345678"},
		{name: "GB mobile", input: "+44 7400 123456", want: "+447400123456"},
		{name: "GB landline", input: "+44 121 234 5678", want: "+441212345678"},
		{name: "DE mobile", input: "+49 1512 3456789", want: "+4915123456789"},
		{name: "FR mobile", input: "+33 6 12 34 56 78", want: "+33612345678"},
		{name: "IT mobile", input: "+39 312 345 6789", want: "+393123456789"},
		{name: "ES mobile", input: "+34 612 34 56 78", want: "+34612345678"},
		{name: "NL mobile", input: "+31 6 12345678", want: "+31612345678"},
		{name: "PT mobile", input: "+351 912 345 678", want: "+351912345678"},
		{name: "IE mobile", input: "+353 85 012 3456", want: "+353850123456"},
		{name: "CH mobile", input: "+41 78 123 45 67", want: "+41781234567"},
		{name: "AT mobile", input: "+43 664 123456", want: "+43664123456"},
		{name: "SE mobile", input: "+46 70-123 45 67", want: "+46701234567"},
		{name: "RU mobile", input: "+7 (912) 345-67-89", want: "+79123456789"},
		{name: "TR mobile", input: "+90 501 234 56 78", want: "+905012345678"},
		{name: "IL mobile", input: "+972 50-234-5678", want: "+972502345678"},
		{name: "SA mobile", input: "+966 51 234 5678", want: "+966512345678"},
		{name: "AE mobile", input: "+971 50 123 4567", want: "+971501234567"},
		{name: "EG mobile", input: "+20 100 123 4567", want: "+201001234567"},
		{name: "NG mobile", input: "+234 802 123 4567", want: "+2348021234567"},
		{name: "KE mobile", input: "+254 712 123456", want: "+254712123456"},
		{name: "ZA mobile", input: "+27 71 123 4567", want: "+27711234567"},
		{name: "IN mobile", input: "+91 81234 56789", want: "+918123456789"},
		{name: "PK mobile", input: "+92 301 2345678", want: "+923012345678"},
		{name: "ID mobile", input: "+62 812 345 678", want: "+62812345678"},
		{name: "PH mobile", input: "+63 905 123 4567", want: "+639051234567"},
		{name: "VN mobile", input: "+84 912 345 678", want: "+84912345678"},
		{name: "CN mobile", input: "+86 131 2345 6789", want: "+8613123456789"},
		{name: "JP mobile", input: "+81 90-1234-5678", want: "+819012345678"},
		{name: "KR mobile", input: "+82 10-2000-0000", want: "+821020000000"},
		{name: "SG mobile", input: "+65 8123 4567", want: "+6581234567"},
		{name: "HK mobile", input: "+852 5123 4567", want: "+85251234567"},
		{name: "AU mobile", input: "+61 412 345 678", want: "+61412345678"},
		{name: "NZ mobile", input: "+64 21 123 4567", want: "+64211234567"},
		{name: "CO mobile", input: "+57 321 1234567", want: "+573211234567"},
		{name: "PE mobile", input: "+51 912 345 678", want: "+51912345678"},
	})
}

func TestNormalizeNationalFormat(t *testing.T) {
	runNormalize(t, []normalizeCase{
		{name: "US ten digits", region: "US", input: "(415) 555-0123", want: "+14155550123"},
		{name: "US with trunk 1", region: "US", input: "1 415 555 0123", want: "+14155550123"},
		{name: "US region lower case", region: "us", input: "415.555.0123", want: "+14155550123"},
		{name: "US international prefix 011", region: "US", input: "011 44 7400 123456", want: "+447400123456"},
		{name: "US region 00 still international", region: "US", input: "0044 7400 123456", want: "+447400123456"},
		{name: "US region national wins over swiss wa_id reading", region: "US", input: "4155550123", want: "+14155550123"},
		{name: "US region wa_id of another country", region: "US", input: "447400123456", want: "+447400123456"},
		{name: "GB mobile", region: "GB", input: "07400 123456", want: "+447400123456"},
		{name: "GB landline", region: "GB", input: "0121 234 5678", want: "+441212345678"},
		{name: "GB e164 still fine", region: "GB", input: "+1 415 555 0123", want: "+14155550123"},
		{name: "DE landline", region: "DE", input: "030 123456", want: "+4930123456"},
		{name: "FR mobile", region: "FR", input: "06 12 34 56 78", want: "+33612345678"},
		{name: "IT landline keeps zero", region: "IT", input: "02 1234 5678", want: "+390212345678"},
		{name: "RU trunk 8", region: "RU", input: "8 (912) 345-67-89", want: "+79123456789"},
		{name: "RU international prefix 810", region: "RU", input: "810 44 7400 123456", want: "+447400123456"},
		{name: "JP mobile", region: "JP", input: "090-1234-5678", want: "+819012345678"},
		{name: "JP international prefix 010", region: "JP", input: "010 44 7400 123456", want: "+447400123456"},
		{name: "AU mobile", region: "AU", input: "0412 345 678", want: "+61412345678"},
		{name: "AU international prefix 0011", region: "AU", input: "0011 44 7400 123456", want: "+447400123456"},
		{name: "IN mobile without trunk", region: "IN", input: "81234 56789", want: "+918123456789"},
		{name: "BR mobile", region: "BR", input: "(11) 98765-4321", want: "+5511987654321"},
		{name: "BR with carrier code", region: "BR", input: "0 15 11 98765-4321", want: "+5511987654321"},
		{name: "BR international with carrier code", region: "BR", input: "0021 44 7400 123456", want: "+447400123456"},
		{name: "BR plain 00", region: "BR", input: "0044 7400 123456", want: "+447400123456"},
		{name: "BR wa_id with region", region: "BR", input: "5511987654321", want: "+5511987654321"},
		{name: "MX ten digits", region: "MX", input: "55 1234 5678", want: "+525512345678"},
		{name: "AR landline", region: "AR", input: "011 4123-4567", want: "+541141234567"},
	})
}

func TestNormalizeQuirks(t *testing.T) {
	runNormalize(t, []normalizeCase{
		// Mexico: 521 + 10 digits (WhatsApp) and 52 + 10 digits (E.164).
		{name: "MX wa_id with legacy 1", input: "5215512345678", want: "+525512345678"},
		{name: "MX e164 with legacy 1", input: "+52 1 55 1234 5678", want: "+525512345678"},
		{name: "MX e164 current", input: "+52 55 1234 5678", want: "+525512345678"},
		{name: "MX wa_id current", input: "525512345678", want: "+525512345678"},
		{name: "MX wa_id three digit area", input: "5219991234567", want: "+529991234567"},
		{name: "MX legacy 1 in tel uri", input: "tel:+52-1-33-1234-5678", want: "+523312345678"},
		{name: "MX national 044 mobile prefix", region: "MX", input: "044 55 1234 5678", want: "+525512345678"},
		{name: "MX national 045 mobile prefix", region: "MX", input: "045 33 1234 5678", want: "+523312345678"},
		{name: "MX national 01 long distance prefix", region: "MX", input: "01 222 123 4567", want: "+522221234567"},
		{name: "MX national with legacy mobile 1", region: "MX", input: "1 55 1234 5678", want: "+525512345678"},
		{name: "MX 044 after country code", input: "+52 044 55 1234 5678", want: "+525512345678"},
		{name: "MX 00 with legacy 1", region: "MX", input: "00 52 1 55 1234 5678", want: "+525512345678"},
		// Brazil: legacy mobiles without the ninth digit get it.
		{name: "BR wa_id without 9 Sao Paulo", input: "551187654321", want: "+5511987654321"},
		{name: "BR wa_id with 9 Sao Paulo", input: "5511987654321", want: "+5511987654321"},
		{name: "BR wa_id without 9 Rio", input: "552187654321", want: "+5521987654321"},
		{name: "BR wa_id without 9 Belo Horizonte", input: "553188776655", want: "+5531988776655"},
		{name: "BR wa_id without 9 Brasilia", input: "556198765432", want: "+5561998765432"},
		{name: "BR wa_id without 9 Recife", input: "558188327966", want: "+5581988327966"},
		{name: "BR legacy mobile starting 6", input: "+55 11 6765-4321", want: "+5511967654321"},
		{name: "BR legacy mobile starting 7", input: "+55 11 7765-4321", want: "+5511977654321"},
		{name: "BR e164 without 9", input: "+55 (11) 8765-4321", want: "+5511987654321"},
		{name: "BR national without 9", region: "BR", input: "(11) 8765-4321", want: "+5511987654321"},
		{name: "BR national trunk without 9", region: "BR", input: "011 8765-4321", want: "+5511987654321"},
		{name: "BR 00 without 9 in region BR", region: "BR", input: "0055 11 8765-4321", want: "+5511987654321"},
		// Brazil traps: landlines (2-5) never get a 9.
		{name: "BR landline 3 not a mobile", input: "551137654321", want: "+551137654321"},
		{name: "BR landline 2 not a mobile", input: "+55 21 2345-6789", want: "+552123456789"},
		{name: "BR landline 4 not a mobile", input: "+55 11 4765-4321", want: "+551147654321"},
		{name: "BR landline 5 not a mobile", input: "+55 11 5765-4321", want: "+551157654321"},
		{name: "BR national landline", region: "BR", input: "(11) 2345-6789", want: "+551123456789"},
		{name: "BR nine digit mobile starting 93 kept", input: "+55 11 93765-4321", want: "+5511937654321"},
		// Argentina: 549 (E.164 and wa_id), 15 (national) and mixtures.
		{name: "AR e164 mobile", input: "+54 9 11 1234-5678", want: "+5491112345678"},
		{name: "AR wa_id mobile", input: "5491112345678", want: "+5491112345678"},
		{name: "AR international with 15", input: "+54 11 15 1234-5678", want: "+5491112345678"},
		{name: "AR international with 9 and 15", input: "+54 9 11 15 1234-5678", want: "+5491112345678"},
		{name: "AR national trunk and 15", region: "AR", input: "011 15 1234-5678", want: "+5491112345678"},
		{name: "AR national 15 without trunk", region: "AR", input: "11 15 1234-5678", want: "+5491112345678"},
		{name: "AR national with 9", region: "AR", input: "+54 9 11 1234 5678", want: "+5491112345678"},
		{name: "AR Cordoba national 15", region: "AR", input: "0351 15 512-3456", want: "+5493515123456"},
		{name: "AR Cordoba international 15", input: "+54 351 15 512 3456", want: "+5493515123456"},
		{name: "AR Cordoba wa_id", input: "5493515123456", want: "+5493515123456"},
		{name: "AR four digit area with 15", input: "+54 2966 15 45-6789", want: "+5492966456789"},
		{name: "AR four digit area wa_id", input: "5492966456789", want: "+5492966456789"},
		// Argentina trap: no 9 and no 15 is a landline.
		{name: "AR landline stays landline", input: "+54 11 4123-4567", want: "+541141234567"},
		{name: "AR landline wa_id stays landline", input: "541141234567", want: "+541141234567"},
	})
}

func TestNormalizeErrors(t *testing.T) {
	runNormalize(t, []normalizeCase{
		{name: "empty", input: "", reason: phone.ReasonEmpty},
		{name: "only spaces", input: "   ", reason: phone.ReasonEmpty},
		{name: "only separators", input: "( ) - .", reason: phone.ReasonEmpty},
		{name: "only plus", input: "+", reason: phone.ReasonTooShort},
		{name: "only 00", input: "00", reason: phone.ReasonTooShort},
		{name: "one digit", input: "+1", reason: phone.ReasonTooShort},
		{name: "too short for country", input: "+1 202 555 012", reason: phone.ReasonTooShort},
		{name: "local number without area code", region: "US", input: "555-0123", reason: phone.ReasonTooShort},
		{name: "BR mobile without area code", region: "BR", input: "98765-4321", reason: phone.ReasonTooShort},
		{name: "BR mobile without 9 and area code", region: "BR", input: "8765-4321", reason: phone.ReasonTooShort},
		{name: "too long for country", input: "+1 202 555 01234", reason: phone.ReasonTooLong},
		{name: "longer than E.164 though libphonenumber allows it", region: "DE", input: "20100000000000", reason: phone.ReasonTooLong},
		{name: "more digits than any number", input: "+1 202 555 0123 4567 8901 2345", reason: phone.ReasonTooLong},
		{name: "absurd input length", input: "+1 " + strings.Repeat(" ", 300) + "2025550123", reason: phone.ReasonTooLong},
		{name: "letters", input: "call me", reason: phone.ReasonInvalidCharacters},
		{name: "vanity number", input: "+1 800 FLOWERS", reason: phone.ReasonInvalidCharacters},
		{name: "extension written out", input: "+1 202 555 0123 ext 45", reason: phone.ReasonInvalidCharacters},
		{name: "extension with x", input: "+1 202 555 0123 x45", reason: phone.ReasonInvalidCharacters},
		{name: "hash", input: "+1 202 555 0123#", reason: phone.ReasonInvalidCharacters},
		{name: "star code", input: "*121#", reason: phone.ReasonInvalidCharacters},
		{name: "second plus", input: "+44 +121 234 5678", reason: phone.ReasonInvalidCharacters},
		{name: "plus in the middle", input: "44+1212345678", reason: phone.ReasonInvalidCharacters},
		{name: "comma", input: "+44 121,234,5678", reason: phone.ReasonInvalidCharacters},
		{name: "invalid utf-8", input: "+44 121 \xff234 5678", reason: phone.ReasonInvalidCharacters},
		{name: "unsupported digit script", input: "+𝟒𝟒 121 234 5678", reason: phone.ReasonInvalidCharacters},
		{name: "email address", input: "someone@example.com", reason: phone.ReasonInvalidCharacters},
		{name: "tel uri extension", input: "tel:+1-202-555-0123;ext=45", reason: phone.ReasonExtension},
		{name: "tel uri subaddress", input: "tel:+1-202-555-0123;isub=8", reason: phone.ReasonExtension},
		{name: "unknown country code", input: "+999 123 4567", reason: phone.ReasonUnknownCountryCode},
		{name: "unknown country code wa_id", input: "999123456789", reason: phone.ReasonUnknownCountryCode},
		{name: "zero after plus", input: "+0 123 456 789", reason: phone.ReasonUnknownCountryCode},
		{name: "plus then 00", input: "+0044 121 234 5678", reason: phone.ReasonUnknownCountryCode},
		{name: "unassigned us area code", input: "+1 555 555 0123", reason: phone.ReasonInvalidNumber},
		{name: "us number missing its 1 is a short egyptian one", input: "+202 555 0123", reason: phone.ReasonTooShort},
		{name: "possible but unassigned range", input: "+44 100 000 0000", reason: phone.ReasonInvalidNumber},
		{name: "BR number starting 1", input: "+55 11 1765-4321", reason: phone.ReasonInvalidNumber},
		{name: "national format without region", input: "020 7946 0958", reason: phone.ReasonNoDefaultRegion},
		{name: "national format without region BR", input: "(011) 98765-4321", reason: phone.ReasonNoDefaultRegion},
		{name: "national format invalid in region", region: "GB", input: "0100 000 0000", reason: phone.ReasonInvalidNumber},
		{name: "national digits valid nowhere", region: "GB", input: "4155550123", reason: phone.ReasonInvalidNumber},
	})
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, region, want string
		ok                 bool
	}{
		{name: "empty means none", region: "", want: "", ok: true},
		{name: "upper case", region: "BR", want: "BR", ok: true},
		{name: "lower case", region: "gb", want: "GB", ok: true},
		{name: "padded", region: " us ", want: "US", ok: true},
		{name: "UK is not the ISO code", region: "UK"},
		{name: "unknown", region: "ZZ"},
		{name: "non-geographic entity", region: "001"},
		{name: "country name", region: "Brazil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := phone.New(tc.region)
			if !tc.ok {
				if err == nil {
					t.Fatalf("New(%q) = %v, want an error", tc.region, n.DefaultRegion())
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tc.region, err)
			}
			if got := n.DefaultRegion(); got != tc.want {
				t.Fatalf("DefaultRegion() = %q, want %q", got, tc.want)
			}
		})
	}
	var zero phone.Normalizer
	if got, err := zero.Normalize("+44 121 234 5678"); err != nil || got != "+441212345678" {
		t.Errorf("zero Normalizer: %q, %v", got, err)
	}
	var none *phone.Normalizer
	if got, err := none.Normalize("+44 121 234 5678"); err != nil || got != "+441212345678" || none.DefaultRegion() != "" {
		t.Errorf("nil Normalizer: %q, %v", got, err)
	}
}

func TestSamePerson(t *testing.T) {
	for _, tc := range []struct {
		name   string
		region string
		a, b   string
		want   bool
	}{
		{name: "same e164 different formatting", a: "+1 (415) 555-0123", b: "tel:+1-415-555-0123", want: true},
		{name: "e164 and wa_id", a: "+447400123456", b: "447400123456", want: true},
		{name: "e164 and 00", a: "+447400123456", b: "0044 7400 123456", want: true},
		{name: "national and e164", region: "GB", a: "07400 123456", b: "+44 7400 123456", want: true},
		{name: "different numbers", a: "+447400123456", b: "+447400123457", want: false},
		{name: "different countries same digits", a: "+14155550123", b: "+4415550123", want: false},
		{name: "MX 521 wa_id and e164", a: "5215512345678", b: "+52 55 1234 5678", want: true},
		{name: "MX 521 and 52 wa_ids", a: "5215512345678", b: "525512345678", want: true},
		{name: "MX national 044 and wa_id", region: "MX", a: "044 55 1234 5678", b: "5215512345678", want: true},
		{name: "MX different subscriber", a: "5215512345678", b: "+52 55 1234 5679", want: false},
		{name: "BR wa_id without 9 and e164 with 9", a: "551187654321", b: "+55 11 98765-4321", want: true},
		{name: "BR both wa_id forms", a: "551187654321", b: "5511987654321", want: true},
		{name: "BR national without 9 and e164", region: "BR", a: "(11) 8765-4321", b: "+5511987654321", want: true},
		{name: "BR landline is not the 9 mobile", a: "551137654321", b: "+55 11 93765-4321", want: false},
		{name: "BR landline 2 is not the 9 mobile", a: "+55 21 2345-6789", b: "+55 21 92345-6789", want: false},
		{name: "BR different area code", a: "551187654321", b: "+55 21 98765-4321", want: false},
		{name: "AR e164 and wa_id", a: "+54 9 11 1234-5678", b: "5491112345678", want: true},
		{name: "AR e164 and international 15", a: "+54 9 11 1234-5678", b: "+54 11 15 1234-5678", want: true},
		{name: "AR wa_id and national 15", region: "AR", a: "5491112345678", b: "011 15 1234-5678", want: true},
		{name: "AR 9 and 15 together", a: "+54 9 11 15 1234-5678", b: "5491112345678", want: true},
		{name: "AR landline is not the mobile", a: "+54 11 1234-5678", b: "+54 9 11 1234-5678", want: false},
		{name: "unassigned range still matches itself", a: "+1 555 555 0123", b: "15555550123", want: true},
		{name: "garbage is nobody", a: "not a number", b: "not a number", want: false},
		{name: "empty is nobody", a: "", b: "", want: false},
		{name: "garbage and a number", a: "hello", b: "+14155550123", want: false},
		{name: "national without region is nobody", a: "020 7946 0958", b: "020 7946 0958", want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := mustNew(t, tc.region)
			if got := n.SamePerson(tc.a, tc.b); got != tc.want {
				t.Errorf("SamePerson(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := n.SamePerson(tc.b, tc.a); got != tc.want {
				t.Errorf("SamePerson(%q, %q) = %v, want %v (asymmetric)", tc.b, tc.a, got, tc.want)
			}
			if tc.region == "" {
				if got := phone.SamePerson(tc.a, tc.b); got != tc.want {
					t.Errorf("phone.SamePerson(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
				}
			}
		})
	}
}

func TestCanonicalKey(t *testing.T) {
	for _, tc := range []struct {
		name, input, want string
		reason            phone.Reason
	}{
		{name: "e164", input: "+5511987654321", want: "+5511987654321"},
		{name: "wa_id", input: "5511987654321", want: "+5511987654321"},
		{name: "BR legacy wa_id", input: "551187654321", want: "+5511987654321"},
		{name: "MX legacy wa_id", input: "5215512345678", want: "+525512345678"},
		{name: "AR wa_id", input: "5491112345678", want: "+5491112345678"},
		{name: "unassigned range accepted", input: "15555550123", want: "+15555550123"},
		{name: "MX legacy 1 before a leading zero is not stripped", input: "5210001234567", reason: phone.ReasonTooLong},
		{name: "wrong length rejected", input: "1555555012", reason: phone.ReasonTooShort},
		{name: "possible number that does not parse back to itself", input: "200000000000", reason: phone.ReasonInvalidNumber},
		{name: "national format rejected", input: "07400 123456", reason: phone.ReasonNoDefaultRegion},
		{name: "empty", input: "", reason: phone.ReasonEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := phone.CanonicalKey(tc.input)
			if tc.reason != "" {
				if phone.ReasonOf(err) != tc.reason {
					t.Fatalf("CanonicalKey(%q) = %q, %v; want reason %q", tc.input, got, err, tc.reason)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CanonicalKey(%q) = %q, %v; want %q", tc.input, got, err, tc.want)
			}
			if again, err := phone.CanonicalKey(got); err != nil || again != got {
				t.Errorf("CanonicalKey(%q) = %q, %v; want it unchanged", got, again, err)
			}
		})
	}
}

func TestWaID(t *testing.T) {
	for in, want := range map[string]string{
		"+5511987654321":        "5511987654321",
		"+551187654321":         "5511987654321",
		"5215512345678":         "525512345678",
		"+54 9 11 15 1234 5678": "5491112345678",
		"+44 7400 123456":       "447400123456",
		"":                      "",
		"not a number":          "",
		"07400 123456":          "",
		"+999 123":              "",
	} {
		if got := phone.WaID(in); got != want {
			t.Errorf("WaID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVariants(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        []string
	}{
		{name: "BR mobile", input: "+5511987654321", want: []string{"+5511987654321", "+551187654321"}},
		{name: "BR legacy input", input: "551187654321", want: []string{"+5511987654321", "+551187654321"}},
		{name: "BR new range mobile has no legacy form", input: "+5511937654321", want: []string{"+5511937654321"}},
		{name: "BR landline", input: "+551137654321", want: []string{"+551137654321"}},
		{name: "MX", input: "+525512345678", want: []string{"+525512345678", "+5215512345678"}},
		{name: "MX legacy input", input: "5215512345678", want: []string{"+525512345678", "+5215512345678"}},
		{name: "AR mobile has no 54 alias", input: "+5491112345678", want: []string{"+5491112345678"}},
		{name: "other country", input: "+447400123456", want: []string{"+447400123456"}},
		{name: "invalid", input: "nope", want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := phone.Variants(tc.input)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("Variants(%q) = %q, want %q", tc.input, got, tc.want)
			}
			// Every variant is the same person as the input.
			for _, v := range got {
				if !phone.SamePerson(v, tc.input) {
					t.Errorf("variant %q is not SamePerson as %q", v, tc.input)
				}
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		style       phone.Style
		want        string
	}{
		{name: "international BR", input: "+5511987654321", style: phone.International, want: "+55 11 98765-4321"},
		{name: "international from legacy wa_id", input: "551187654321", style: phone.International, want: "+55 11 98765-4321"},
		{name: "national BR", input: "+5511987654321", style: phone.National, want: "(11) 98765-4321"},
		{name: "e164 from MX wa_id", input: "5215512345678", style: phone.E164, want: "+525512345678"},
		{name: "rfc3966 IT", input: "+390212345678", style: phone.RFC3966, want: "tel:+39-02-1234-5678"},
		{name: "international AR mobile", input: "5491112345678", style: phone.International, want: "+54 9 11 1234-5678"},
		{name: "unknown style falls back", input: "+14155550123", style: phone.Style(99), want: "+1 415-555-0123"},
		{name: "invalid returned unchanged", input: "call me", style: phone.International, want: "call me"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := phone.Format(tc.input, tc.style); got != tc.want {
				t.Fatalf("Format(%q, %d) = %q, want %q", tc.input, tc.style, got, tc.want)
			}
		})
	}
}

func TestRegion(t *testing.T) {
	for in, want := range map[string]string{
		"+5511987654321": "BR",
		"551187654321":   "BR",
		"5215512345678":  "MX",
		"+15062345678":   "CA",
		"+14155550123":   "US",
		"+441212345678":  "GB",
		"+80012345678":   "001",
		"+15555550123":   "", // +1 is shared and 555 is nobody's area code
		"+33612345678":   "FR",
		"nope":           "",
	} {
		if got := phone.Region(in); got != want {
			t.Errorf("Region(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestError(t *testing.T) {
	_, err := phone.Normalize("+1 800 FLOWERS")
	var pe *phone.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is not *phone.Error", err)
	}
	if pe.Input != "+1 800 FLOWERS" || pe.Reason != phone.ReasonInvalidCharacters {
		t.Errorf("got %+v", pe)
	}
	msg := err.Error()
	for _, want := range []string{`"+1 800 FLOWERS"`, "letter 'F'", "vanity"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %q", msg, want)
		}
	}
	if !errors.Is(err, &phone.Error{Reason: phone.ReasonInvalidCharacters}) {
		t.Error("errors.Is by reason failed")
	}
	if errors.Is(err, &phone.Error{Reason: phone.ReasonTooShort}) {
		t.Error("errors.Is matched the wrong reason")
	}
	if phone.ReasonOf(nil) != "" || phone.ReasonOf(errors.New("x")) != "" {
		t.Error("ReasonOf of a foreign error should be empty")
	}

	// A national number without its area code says so.
	_, err = mustNew(t, "BR").Normalize("98765-4321")
	if msg := err.Error(); !strings.Contains(msg, "area code missing") {
		t.Errorf("message %q does not suggest the missing area code", msg)
	}

	// Long input is cut in the message, never split inside a rune.
	_, err = phone.Normalize("+44 " + strings.Repeat("٣", 40) + " x")
	if msg := err.Error(); !strings.Contains(msg, "…") || !utf8Valid(msg) {
		t.Errorf("long input message %q", msg)
	}
	// Control characters are escaped so a message stays one line.
	_, err = phone.Normalize("+44\n\x00")
	if msg := err.Error(); strings.ContainsAny(msg, "\n\x00") {
		t.Errorf("message %q contains raw control characters", msg)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
