package hubapi

import (
	"net/http"
	"reflect"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// templateDocs documents the template routes this file owns; opDocs names
// them.
var templateDocs = map[string]opDoc{
	"POST /v1/templates": {tag: "templates", summary: "Submit a template for Meta's review",
		description: "The body is Meta's template definition exactly as POST /{waba-id}/message_templates takes it (name, language, category, " +
			"parameter_format, components with their examples: headers, bodies, footers, buttons of every kind including FLOW and OTP " +
			"one-tap/zero-tap with supported_apps, carousels, limited-time offers), plus account_id when several numbers exist. " +
			"It is checked with Meta's rules first (see x-template-rules on the TemplateDraftInput schema, and POST /v1/templates/validate): " +
			"a broken rule answers 422 VALIDATION_FAILED with error.field naming the first problem (e.g. components[1].buttons[0].url) " +
			"and error.details listing every finding {field, code, message, severity}, and nothing reaches Meta. Otherwise the definition " +
			"is forwarded unchanged, keys the hub does not model included, and the answer is 201 with the template (PENDING) and the " +
			"rules' warnings, which never block. Idempotent: a repeated Idempotency-Key, or without one the same name and language, with " +
			"the same definition answers 200 with the first template and replayed: true; a different definition under the same key " +
			"answers IDEMPOTENCY_CONFLICT, under the same name and language CONFLICT. A name deleted less than 30 days ago cannot be " +
			"used again (CONFLICT). Reviews arrive as template.updated events: APPROVED, REJECTED (rejected_reason and, when Meta gives " +
			"it, rejection_info {reason, recommendation}), PAUSED, DISABLED (status_info) and category changes (category_change).",
		body: wire.TemplateDraft{}, data: domain.Template{}, status: http.StatusCreated,
		errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadGateway}},
	"POST /v1/templates/validate": {tag: "templates", summary: "Check a template definition against Meta's rules without submitting it",
		description: "The same body as POST /v1/templates. Answers every finding {field, code, message, severity}; valid is true when " +
			"none is an error. Nothing is stored or sent. The rules and their sources are listed in x-template-rules.",
		body: wire.TemplateDraft{}, data: wire.TemplateValidation{}},
	"DELETE /v1/templates/{name}": {tag: "templates", summary: "Delete a template (every language, or one)",
		description: "Deletes on Meta's side and here, emitting template.updated with status DELETED for each language. Without " +
			"?language= every language of the name goes (Meta deletes by name); with it only that one (by its id, Meta's hsm_id). " +
			"Meta does not let a deleted name be used for a new template for 30 days: choose another name meanwhile " +
			"(POST /v1/templates answers CONFLICT).",
		query:     []param{{"language", "string", "Delete this language only (e.g. pt_BR)."}, {"account", "string", "A phone_number_id or WABA id."}},
		noContent: true, errors: []int{http.StatusUnprocessableEntity, http.StatusBadGateway}},
}

// documentTemplates completes what the generic table cannot say: the
// submission's answer (the template with warnings and replayed), its
// Idempotency-Key, the 422 with details, and the rules with their sources.
func documentTemplates(gen *schemaGen, paths map[string]map[string]any) {
	post, ok := paths["/v1/templates"]["post"].(map[string]any)
	if !ok {
		return
	}
	submitted := gen.schema(reflect.TypeFor[wire.TemplateSubmitted]())
	errRef := gen.schema(reflect.TypeFor[apierr.Envelope]())
	jsonOf := func(schema any) map[string]any {
		return map[string]any{"application/json": map[string]any{"schema": schema}}
	}
	responses := post["responses"].(map[string]any)
	responses["201"] = map[string]any{"description": "Submitted: the template (PENDING) and the rules' warnings", "content": jsonOf(submitted)}
	responses["200"] = map[string]any{"description": "Submitted before (the same Idempotency-Key, or the same name and language): the template as it is now, replayed: true", "content": jsonOf(submitted)}
	responses["422"] = map[string]any{"description": "VALIDATION_FAILED: a rule is broken; error.details lists every finding", "content": jsonOf(errRef)}
	post["parameters"] = append(asSlice(post["parameters"]), map[string]any{"name": "Idempotency-Key", "in": "header",
		"description": "Makes a retried submission answer the first template instead of submitting again (1–255 printable ASCII). Without it, the name and language are the key.",
		"schema":      map[string]any{"type": "string"}})
	if defs, ok := gen.defs["TemplateDraftInput"].(map[string]any); ok {
		defs["description"] = "Meta's template definition (POST /{waba-id}/message_templates), plus account_id. Keys not listed here " +
			"(Meta adds them over time: message_send_ttl_seconds, allow_category_change, sub_category, …) are accepted and forwarded unchanged."
		defs["additionalProperties"] = true
		defs["x-template-rules"] = whatsapp.TemplateRules
		defs["x-supported-languages"] = whatsapp.SupportedLanguages
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
