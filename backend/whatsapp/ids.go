package whatsapp

import "switchboard/backend/apierr"

// MaxGraphIDDigits is the longest Graph object id: ids are unsigned 64-bit
// integers written in decimal. Phone number ids and WhatsApp Business
// Account ids are 15 or 16 digits today.
const MaxGraphIDDigits = 20

// ValidGraphID reports whether id is shaped like a Graph object id, such as
// a phone_number_id or a WABA id: 1 to MaxGraphIDDigits ASCII digits without
// a leading zero. Placeholders copied from Meta's examples
// ("PHONE_NUMBER_ID", "<WABA_ID>") are not.
func ValidGraphID(id string) bool {
	if id == "" || len(id) > MaxGraphIDDigits || id[0] == '0' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// CheckGraphID returns an INVALID_REQUEST error naming field when id is not
// a Graph object id; what says which ("phone number", "WhatsApp Business
// Account").
func CheckGraphID(field, what, id string) error {
	if ValidGraphID(id) {
		return nil
	}
	shown := id
	if len(shown) > 40 {
		shown = truncate(shown, 40)
	}
	return apierr.Field(apierr.InvalidRequest, field, "%q is not a %s id: Meta's ids are numbers of up to %d digits", shown, what, MaxGraphIDDigits)
}
