// Package phone turns the phone numbers Switchboard meets (typed by agents,
// pasted from e-mail signatures, sent by WhatsApp as wa_ids) into one
// canonical E.164 string per person, and says why when it cannot.
//
// The canonical form is E.164 with a leading '+' ("+5511987654321"). It is
// the contact key everywhere in Switchboard: the hub stores it, the API
// answers with it, and [SamePerson] compares two inputs by it. A WhatsApp
// wa_id is the same digits without the '+' ([WaID]).
//
// Parsing and validation use github.com/nyaruka/phonenumbers (a port of
// Google's libphonenumber), so "valid" means "in a range the numbering plan
// assigns", not merely "has the right length". On top of that the package
// does its own scanning of the raw text (so a letter or a stray '*' is an
// error that names the character, rather than being silently dropped as
// libphonenumber would do with vanity numbers and extensions) and applies
// the WhatsApp quirks below.
//
// # Accepted input
//
//   - E.164 with '+': "+44 20 7946 0958", "+1 (415) 555-0123".
//   - The ITU international prefix "00": "0044 20 7946 0958". "00" is read
//     as international everywhere; other international prefixes (011 in
//     North America, 0011 in Australia, 010 in Japan, 00 plus a carrier code
//     in Brazil) are understood when the default region is that country.
//   - Visual separators: spaces (any Unicode space), '-', '.', '/', '()',
//     '[]', Unicode dashes, and invisible format characters such as the
//     bidirectional marks a right-to-left UI puts around numbers.
//   - Non-ASCII decimal digits (Arabic-Indic, Persian, Devanagari, fullwidth
//     and other common scripts), converted to ASCII.
//   - tel: URIs (RFC 3966), including a "+…" phone-context for local numbers.
//     An ";ext=" or ";isub=" parameter is an error: WhatsApp cannot reach an
//     extension, and dropping it silently would address someone else.
//   - WhatsApp wa_ids: digits with the country code and no '+'.
//   - National format ("020 7946 0958", "(11) 98765-4321") when a default
//     region is configured. Without one, a number starting with the trunk
//     prefix 0 is an error (ReasonNoDefaultRegion) rather than a guess.
//
// Bare digits are ambiguous between national format and a wa_id. With a
// default region the national reading wins when it is a valid number there
// ("4155550123" with region US is +14155550123, not Switzerland's +41…);
// otherwise, or without a default region, the digits are read as a wa_id.
// Code that handles wa_ids from webhooks should call [CanonicalKey], which
// never applies a default region.
//
// The package never invents a number: it does not guess a country code for
// digits that do not carry one, does not pad short numbers, and applies a
// quirk below only when the rewritten number is valid in the numbering plan.
//
// # WhatsApp quirks
//
// WhatsApp registered many accounts before three national numbering changes
// and still reports those accounts' wa_ids in the old shape, while people
// (and agents) write the number in today's E.164. Without the rules below
// one customer would become two contacts with two conversations.
//
// Mexico (+52). Until August 2019 a Mexican mobile called from abroad was
// dialled +52 1 followed by the 10-digit national number; the "1" was then
// abolished and E.164 is now +52 plus 10 digits. WhatsApp still reports
// Mexican wa_ids as "521" + 10 digits. Both resolve to "+52" + 10 digits.
// The legacy national prefixes 01, 044 and 045 (abolished at the same time)
// are dropped too.
//
// Brazil (+55). Between 2012 and 2016 Anatel prefixed every mobile number
// with a ninth digit 9, so a mobile is DDD (2-digit area code) + 9 + eight
// digits. Accounts registered before the change still arrive as
// "55" + DDD + eight digits. The package adds the 9 when the eight-digit
// subscriber number starts with 6, 7, 8 or 9 (the old mobile ranges) and the
// result is a valid mobile. Eight-digit numbers starting with 2 to 5 are
// landlines, which never got a 9, and are left alone: adding one would
// address a different (or no) subscriber. libphonenumber's data still
// accepts eight-digit 7xxx-xxxx mobiles (once trunked-radio numbers); these
// are deliberately treated like the other legacy mobiles and get the 9 when
// the result is valid. The cost is that a genuinely eight-digit 7xxx-xxxx
// account, if one still exists, would share a key with its nine-digit
// neighbour.
//
// Argentina (+54). A mobile in E.164 is +54 9 + area code + subscriber
// number (10 digits together); WhatsApp reports it as "549…". Dialled
// nationally the same phone is 0 + area code + 15 + subscriber number
// ("011 15 1234-5678" in Buenos Aires), and people mix the two
// ("+54 11 15 1234-5678", even "+54 9 11 15 …"). All of these resolve to
// +54 9 …. A number with neither the 9 nor the 15 ("+54 11 4123-4567") is a
// landline and stays one: reading it as a mobile could reach a stranger.
// (In development mode the Cloud API's recipient allow-list stores
// Argentine numbers without the 9; that is a test-account artefact and is
// not reflected here.)
//
// [Variants] lists the legacy spellings under which one canonical number may
// arrive (for looking up rows stored before a quirk was known, and for the
// sandbox to play WhatsApp's behaviour). Identity uses the canonical form;
// when replying, the hub should send to the wa_id the customer last wrote
// from, which is known to reach them (the Cloud API's send response also
// reports the wa_id it resolved, in contacts[].wa_id).
package phone
