// Package sandbox is a WhatsApp Cloud API that runs on your machine: a real
// HTTP server speaking the Graph API wire format, a webhook sender, and a
// population of simulated customers. The hub talks to it exactly as it
// talks to Meta, with only the base URL changed. It is the desktop app's
// first-run default, what tests run against and what benchmarks load.
//
// It is written from Meta's documentation and deliberately does not import
// backend/whatsapp, so tests of our client against the sandbox catch wire
// format mistakes on either side.
//
// # Using it
//
//	sb, err := sandbox.New(sandbox.Config{Seed: 1})
//	base, err := sb.Start("127.0.0.1:0")      // or httptest.NewServer(sb)
//	sb.SetWebhookURL("http://127.0.0.1:8080/webhook")
//	defer sb.Close()
//
// Graph endpoints (the version prefix is any vNN.N, or none):
//
//	POST   /{phone-number-id}/messages         send any type; mark as read
//	POST   /{phone-number-id}/media            multipart upload → {"id"}
//	GET    /{phone-number-id}                  phone number node (?fields=)
//	GET    /{media-id}                         url, mime_type, sha256, file_size, id
//	DELETE /{media-id}                         {"success": true}
//	GET    /whatsapp_business/attachments/?…   the media bytes (bearer token)
//	GET    /{waba-id}                          account node
//	GET    /{waba-id}/phone_numbers            the business numbers
//	GET    /{waba-id}/message_templates        limit/after/before paging, filters, fields
//	POST   /{waba-id}/message_templates        create → {"id","status":"PENDING","category"}
//	DELETE /{waba-id}/message_templates?name=  (&hsm_id=) → {"success": true}
//	GET    /{template-id}                      one template
//
// The /_sandbox/ admin endpoints (see serveAdmin) move the clock, make a
// customer send something, list state and start or stop traffic.
//
// # What is faithful to Meta
//
//   - Request and response JSON of the endpoints above, the Graph error
//     envelope {"error":{"message","type","code","error_subcode",
//     "error_data":{"messaging_product","details"},"fbtrace_id"}} with
//     Meta's codes and HTTP statuses: 190 (bad token, 401), 100 (invalid or
//     missing parameter; unknown object with subcode 33), 131008, 131009,
//     131021, 130429 (throughput, 400), 131056 (pair rate, optional), 132000,
//     132001 (404), 132005, 132012, 132015, 132016, 132018, 131053 (media).
//   - Parameter coercion: a send's object and array parameters (text,
//     contacts, location, interactive, template, context, …) may be given
//     as strings holding their JSON, the whole send may be form-encoded
//     (urlencoded or multipart), and location coordinates may be numeric
//     strings, as Graph accepts; the recorded payload holds them decoded.
//   - Validation limits: text 4096 characters, captions 1024, 3 reply buttons
//     with 20-character titles, 10 list rows with 24/72-character titles and
//     descriptions, one of media id or link, per-type media MIME types and
//     sizes (image 5 MB, audio and video 16 MB, document 100 MB, sticker 500
//     KB), template parameter counts, names, formats and buttons.
//   - Asynchronous failures arrive as "failed" statuses with errors[] after
//     the message was accepted with a wamid: 131047 for a free-form message
//     when the customer's last message is 24 hours old or more (by the
//     sandbox clock; templates are always allowed), 131026 for numbers
//     marked undeliverable, 131050 for marketing templates to customers who
//     sent STOP.
//   - Webhooks: object whatsapp_business_account, entry[].changes[] with
//     field "messages" (metadata, contacts, messages or statuses),
//     "message_template_status_update" or "phone_number_quality_update",
//     signed with X-Hub-Signature-256
//     (sha256= hex HMAC-SHA256 of the exact body with the app secret),
//     retried with exponential backoff when the receiver does not answer
//     2xx, kept in order per customer, and batched (several messages or
//     statuses in one body) when events queue up, as Meta does.
//   - Statuses sent → delivered → read, read only when the simulated
//     customer reads (reading one message reads the earlier ones), with
//     conversation and pricing objects in the per-message pricing shape
//     (pricing_model PMP, type regular / free_customer_service /
//     free_entry_point) or the older CBP shape; biz_opaque_callback_data is
//     echoed back.
//   - Inbound messages of every common type: text (replies with context,
//     forwarded and frequently forwarded), image, audio voice notes,
//     document with filename, sticker, location, contacts, reaction
//     (empty emoji = removed), button (template quick reply), interactive
//     button_reply and list_reply, unsupported with errors[], system
//     user_changed_number, and click-to-WhatsApp referral on a first
//     message. Media ids in them resolve to tiny but valid files (JPEG, Ogg
//     Opus, PDF, WebP) that GET /{media-id} and the download URL serve.
//   - Wamids, media and template ids, conversation ids and fbtrace ids have
//     Meta's shapes; Mexican 521…, Argentine 549… and Brazilian numbers with
//     or without the ninth digit resolve to the same customer.
//   - Template lifecycle: created templates are PENDING, then APPROVED or
//     REJECTED after TemplateReviewDelay with a message_template_status_update
//     webhook; SetTemplateStatus pauses, disables or reinstates them.
//
// # What is simplified
//
//   - One WhatsApp Business Account; tokens are a fixed list (no expiry, no
//     scopes); no app-level rate limits (code 4/80007), no messaging limit
//     tiers, no quality changes on their own, no groups, calls, flows,
//     catalogs, orders or business-scoped user ids.
//   - Media links in sends are checked for syntax, not fetched. Media ids
//     are not scoped to a phone number.
//   - Template review is a handful of documented rules (reviewOutcome):
//     a body starting or ending with a variable, adjacent variables, fewer
//     than two words per variable, scam phrases, insults, and promotional
//     wording in UTILITY/AUTHENTICATION templates. Meta today rejects some
//     of these synchronously; the sandbox always goes through PENDING so the
//     webhook path is exercised. Template editing is not implemented.
//   - Error messages and details follow Meta's wording where it is known;
//     clients must branch on codes, never on text.
//   - Everything lives in memory: messages are capped (MaxStoredMessages),
//     media by bytes (MaxMediaBytes); the oldest go first.
//
// # Time
//
// Every timestamp and delay goes through Config.Clock. The default RealClock
// follows the wall clock and can jump ahead (Advance, or POST
// /_sandbox/clock/advance); ManualClock moves only when told, and fires due
// timers synchronously, for deterministic tests. With zero StatusDelays the
// statuses are produced inline, in order, right after the send response.
//
// # Simulated customers
//
// The population (Config.Customers) writes in English, Spanish, Brazilian
// Portuguese, Arabic, Hebrew and Hindi, with emoji, from US, UK, Mexican,
// Spanish, Argentine, Brazilian, Saudi, Egyptian, Emirati, Israeli and
// Indian numbers. SetTrafficRate makes them start and continue
// conversations at a rate from a quiet demo to a load test; they read and
// answer agents' messages (taps on buttons and lists, locations when asked,
// text in context, reactions, media, sometimes STOP and later START).
// CustomerSend makes a given customer send a given message now. Everything
// random comes from Config.Seed.
package sandbox
