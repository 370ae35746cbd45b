package whatsapp

import (
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

func TestValidGraphID(t *testing.T) {
	for id, want := range map[string]bool{
		"106540352242922":                true,
		"102290129340398":                true,
		"123456123":                      true, // the phone_number_id of Meta's dashboard test webhooks
		"1":                              true,
		strings.Repeat("9", 20):          true,
		strings.Repeat("9", 21):          false,
		"":                               false,
		"0":                              false,
		"0106540352242922":               false,
		"PHONE_NUMBER_ID":                false,
		"<WHATSAPP_BUSINESS_ACCOUNT_ID>": false,
		"1065403522 42922":               false,
		"+106540352242922":               false,
		"１２３":                            false, // full-width digits
		"106540352242922\n":              false,
	} {
		if got := ValidGraphID(id); got != want {
			t.Errorf("ValidGraphID(%q) = %v, want %v", id, got, want)
		}
	}
	err := CheckGraphID("account_id", "phone number", "PHONE_NUMBER_ID")
	if e := apierr.As(err); e.Code != apierr.InvalidRequest || e.Field != "account_id" {
		t.Errorf("CheckGraphID = %v", err)
	}
}
