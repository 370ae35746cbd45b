// Package whatsapp speaks the WhatsApp Cloud API (Meta Graph API), typed.
//
// It is the hub's only door to WhatsApp and has four parts:
//
//   - Webhooks in: ParseNotification turns the raw bytes Meta POSTs into a
//     Notification, and Notification.Events flattens it into what the hub
//     stores (inbound messages paired with their sender, statuses, template
//     and account updates). VerifySignature and VerifyHandshake check a
//     webhook before anything is parsed.
//   - Client out: Client sends every outbound message type, marks messages
//     read, uploads and downloads media and manages templates.
//   - Rules before the wire: Validate and ValidateTemplateSend reject what
//     Meta would reject, with a precise field path, without a round trip.
//   - Errors: GraphError is Meta's error envelope, typed; Classify says
//     whether a failure is worth retrying, needs a template, or is final, so
//     no caller ever matches on error strings.
//
// ParseNotification decodes in one pass with a decoder driven by the structs'
// json tags (webhook_decode.go), several times faster than encoding/json into
// the same structs and than encoding/json into map[string]any; a
// differential fuzz target keeps its results identical to encoding/json's.
// go run ./backend/whatsapp/cmd/whatsapp-bench prints the figures.
//
// The structs serve both directions: the hub parses with them, the tests and
// the sandbox build bodies with them. Unknown message types, unknown webhook
// fields and unknown keys are never an error; the raw JSON is kept.
package whatsapp
