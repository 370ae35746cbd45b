package whatsapp

import "strings"

// SupportedLanguage is a language Meta supports for message templates.
type SupportedLanguage struct {
	// Code is what a template's "language" holds, e.g. en_US.
	Code string `json:"code"`
	// Name is the language's English name.
	Name string `json:"name"`
	// RTL is true for languages written right to left, so a preview can
	// lay the bubble out as the customer's phone will.
	RTL bool `json:"rtl"`
}

// SupportedLanguages is every template language code Meta supports, from
// https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/supported-languages
// (the list as of May 2026), sorted by name.
var SupportedLanguages = []SupportedLanguage{
	{"af", "Afrikaans", false}, {"sq", "Albanian", false}, {"ar", "Arabic", true}, {"ar_EG", "Arabic (EGY)", true},
	{"ar_AE", "Arabic (UAE)", true}, {"ar_LB", "Arabic (LBN)", true}, {"ar_MA", "Arabic (MAR)", true}, {"ar_QA", "Arabic (QAT)", true},
	{"az", "Azerbaijani", false}, {"be_BY", "Belarusian", false}, {"bn", "Bengali", false}, {"bn_IN", "Bengali (IND)", false},
	{"bg", "Bulgarian", false}, {"ca", "Catalan", false}, {"zh_CN", "Chinese (CHN)", false}, {"zh_HK", "Chinese (HKG)", false},
	{"zh_TW", "Chinese (TAI)", false}, {"hr", "Croatian", false}, {"cs", "Czech", false}, {"da", "Danish", false},
	{"prs_AF", "Dari", true}, {"nl", "Dutch", false}, {"nl_BE", "Dutch (BEL)", false}, {"en", "English", false},
	{"en_GB", "English (UK)", false}, {"en_US", "English (US)", false}, {"en_AE", "English (UAE)", false}, {"en_AU", "English (AUS)", false},
	{"en_CA", "English (CAN)", false}, {"en_GH", "English (GHA)", false}, {"en_IE", "English (IRL)", false}, {"en_IN", "English (IND)", false},
	{"en_JM", "English (JAM)", false}, {"en_MY", "English (MYS)", false}, {"en_NZ", "English (NZL)", false}, {"en_QA", "English (QAT)", false},
	{"en_SG", "English (SGP)", false}, {"en_UG", "English (UGA)", false}, {"en_ZA", "English (ZAF)", false}, {"et", "Estonian", false},
	{"fil", "Filipino", false}, {"fi", "Finnish", false}, {"fr", "French", false}, {"fr_BE", "French (BEL)", false},
	{"fr_CA", "French (CAN)", false}, {"fr_CH", "French (CHE)", false}, {"fr_CI", "French (CIV)", false}, {"fr_MA", "French (MAR)", false},
	{"ka", "Georgian", false}, {"de", "German", false}, {"de_AT", "German (AUT)", false}, {"de_CH", "German (CHE)", false},
	{"el", "Greek", false}, {"gu", "Gujarati", false}, {"ha", "Hausa", false}, {"he", "Hebrew", true},
	{"hi", "Hindi", false}, {"hu", "Hungarian", false}, {"id", "Indonesian", false}, {"ga", "Irish", false},
	{"it", "Italian", false}, {"ja", "Japanese", false}, {"kn", "Kannada", false}, {"kk", "Kazakh", false},
	{"rw_RW", "Kinyarwanda", false}, {"ko", "Korean", false}, {"ky_KG", "Kyrgyz (Kyrgyzstan)", false}, {"lo", "Lao", false},
	{"lv", "Latvian", false}, {"lt", "Lithuanian", false}, {"mk", "Macedonian", false}, {"ms", "Malay", false},
	{"ml", "Malayalam", false}, {"mr", "Marathi", false}, {"nb", "Norwegian", false}, {"ps_AF", "Pashto", true},
	{"fa", "Persian", true}, {"pl", "Polish", false}, {"pt_BR", "Portuguese (BR)", false}, {"pt_PT", "Portuguese (POR)", false},
	{"pa", "Punjabi", false}, {"ro", "Romanian", false}, {"ru", "Russian", false}, {"sr", "Serbian", false},
	{"si_LK", "Sinhala", false}, {"sk", "Slovak", false}, {"sl", "Slovenian", false}, {"es", "Spanish", false},
	{"es_AR", "Spanish (ARG)", false}, {"es_CL", "Spanish (CHL)", false}, {"es_CO", "Spanish (COL)", false}, {"es_CR", "Spanish (CRI)", false},
	{"es_DO", "Spanish (DOM)", false}, {"es_EC", "Spanish (ECU)", false}, {"es_HN", "Spanish (HND)", false}, {"es_MX", "Spanish (MEX)", false},
	{"es_PA", "Spanish (PAN)", false}, {"es_PE", "Spanish (PER)", false}, {"es_ES", "Spanish (SPA)", false}, {"es_UY", "Spanish (URY)", false},
	{"sw", "Swahili", false}, {"sv", "Swedish", false}, {"ta", "Tamil", false}, {"te", "Telugu", false},
	{"th", "Thai", false}, {"tr", "Turkish", false}, {"uk", "Ukrainian", false}, {"ur", "Urdu", true},
	{"uz", "Uzbek", false}, {"vi", "Vietnamese", false}, {"zu", "Zulu", false},
}

var languagesByCode = func() map[string]SupportedLanguage {
	m := make(map[string]SupportedLanguage, len(SupportedLanguages))
	for _, l := range SupportedLanguages {
		m[l.Code] = l
	}
	return m
}()

// SupportedLanguageByCode looks a template language up by its exact code
// (codes are case-sensitive: en_US, not en_us or en-US).
func SupportedLanguageByCode(code string) (SupportedLanguage, bool) {
	l, ok := languagesByCode[code]
	return l, ok
}

// closestLanguage finds the supported code a miswritten one means (en-us
// for en_US), if any.
func closestLanguage(code string) (SupportedLanguage, bool) {
	norm := strings.ReplaceAll(code, "-", "_")
	for _, l := range SupportedLanguages {
		if strings.EqualFold(l.Code, norm) {
			return l, true
		}
	}
	return SupportedLanguage{}, false
}
