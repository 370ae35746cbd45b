package sandbox

import (
	"fmt"
	"net/http"
)

// Graph API and Cloud API error codes the sandbox answers with. The numbers
// and titles are Meta's (Cloud API "Error codes" reference); HTTP statuses
// follow the same table.
const (
	CodeAPIUnknown          = 1      // API Unknown, 400
	CodeAccessTokenRequired = 104    // no access token at all, 401 here
	CodeInvalidParameter    = 100    // Invalid parameter, 400
	CodeAccessToken         = 190    // Access token has expired / invalid, 401
	CodeUnknownPath         = 2500   // Unknown path components, 400
	CodeRateLimitHit        = 130429 // Cloud API message throughput reached, 400
	CodeRequiredMissing     = 131008 // Required parameter is missing, 400
	CodeParamValueInvalid   = 131009 // Parameter value is not valid, 400
	CodeRecipientIsSender   = 131021 // Recipient cannot be sender, 400
	CodeUndeliverable       = 131026 // Message undeliverable (webhook), 400
	CodeReEngagement        = 131047 // More than 24 h since the customer replied (webhook)
	CodeMarketingOptOut     = 131050 // User stopped marketing messages (webhook)
	CodeUnsupportedType     = 131051 // Unsupported message type
	CodeMediaUpload         = 131053 // Media upload error, 400
	CodePairRateLimit       = 131056 // (Business, Consumer) pair rate limit hit, 400
	CodeTemplateParamCount  = 132000 // Template param count mismatch, 400
	CodeTemplateNotFound    = 132001 // Template does not exist, 404
	CodeTemplateTextTooLong = 132005 // Template hydrated text too long, 400
	CodeTemplateParamFormat = 132012 // Template parameter format mismatch, 400
	CodeTemplatePaused      = 132015 // Template is paused, 400
	CodeTemplateDisabled    = 132016 // Template is disabled, 400
)

// errorDocsURL is where Meta's webhook errors point their href.
const errorDocsURL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

// codeTitles are Meta's titles, used for "(#code) title" messages and for the
// title/message fields of webhook errors.
var codeTitles = map[int]string{
	CodeAPIUnknown:          "API Unknown",
	CodeInvalidParameter:    "Invalid parameter",
	CodeRateLimitHit:        "Rate limit hit",
	CodeRequiredMissing:     "Required parameter is missing",
	CodeParamValueInvalid:   "Parameter value is not valid",
	CodeRecipientIsSender:   "Recipient cannot be sender",
	CodeUndeliverable:       "Message undeliverable",
	CodeReEngagement:        "Re-engagement message",
	CodeMarketingOptOut:     "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
	CodeUnsupportedType:     "Message type unknown",
	CodeMediaUpload:         "Media upload error",
	CodePairRateLimit:       "(Business Account, Consumer Account) pair rate limit hit",
	CodeTemplateParamCount:  "Number of parameters does not match the expected number of params",
	CodeTemplateNotFound:    "Template name does not exist in the translation",
	CodeTemplateTextTooLong: "Translated text too long",
	CodeTemplateParamFormat: "Parameter format does not match format in the created template",
	CodeTemplatePaused:      "Template is Paused",
	CodeTemplateDisabled:    "Template is disabled",
}

// codeDetails are the default error_data.details texts for codes whose
// details do not depend on the request.
var codeDetails = map[int]string{
	CodeRateLimitHit:     "Message failed to send because there were too many messages sent from this phone number in a short period of time",
	CodeUndeliverable:    "Message Undeliverable.",
	CodeReEngagement:     "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
	CodeMarketingOptOut:  "This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
	CodePairRateLimit:    "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
	CodeTemplatePaused:   "Template is paused due to low quality so it cannot be sent in a template message.",
	CodeTemplateDisabled: "Template has been paused too many times due to low quality and is now permanently disabled.",
}

// GraphError is one error as the Graph API reports it. It implements error so
// handlers can return it; writeGraphError renders it in Meta's envelope:
//
//	{"error":{"message","type","code","error_subcode","error_data":{"messaging_product","details"},"fbtrace_id"}}
type GraphError struct {
	// HTTPStatus is the status line the sandbox answers with.
	HTTPStatus int `json:"-"`
	// Message is error.message, usually "(#<code>) <title>".
	Message string `json:"message"`
	// Type is error.type, "OAuthException" for almost every Cloud API error.
	Type string `json:"type"`
	// Code is error.code, the number clients should branch on.
	Code int `json:"code"`
	// Subcode is error.error_subcode; Meta dropped it for most Cloud API
	// errors in v16.0, so it is omitted when zero.
	Subcode int `json:"error_subcode,omitempty"`
	// UserTitle and UserMsg are error_user_title and error_user_msg, which
	// the template management endpoints fill.
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"` // see UserTitle
	// Details is error.error_data.details.
	Details string `json:"-"`
}

// Error implements error.
func (e *GraphError) Error() string {
	if e.Details != "" {
		return fmt.Sprintf("graph error %d: %s: %s", e.Code, e.Message, e.Details)
	}
	return fmt.Sprintf("graph error %d: %s", e.Code, e.Message)
}

// errorEnvelope is the JSON body of an error response.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	*GraphError
	ErrorData *errorData `json:"error_data,omitempty"`
	FBTraceID string     `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

// codeError builds the usual Cloud API error: "(#code) title", OAuthException,
// with details in error_data.
func codeError(status, code int, details string) *GraphError {
	if details == "" {
		details = codeDetails[code]
	}
	return &GraphError{
		HTTPStatus: status,
		Message:    fmt.Sprintf("(#%d) %s", code, codeTitles[code]),
		Type:       "OAuthException",
		Code:       code,
		Details:    details,
	}
}

// errInvalidParam is the common "(#100) Invalid parameter" with details.
func errInvalidParam(format string, args ...any) *GraphError {
	return codeError(http.StatusBadRequest, CodeInvalidParameter, fmt.Sprintf(format, args...))
}

// errParamRequired mirrors Graph's "(#100) The parameter X is required."
func errParamRequired(param string) *GraphError {
	return &GraphError{
		HTTPStatus: http.StatusBadRequest,
		Message:    fmt.Sprintf("(#100) The parameter %s is required.", param),
		Type:       "OAuthException",
		Code:       CodeInvalidParameter,
	}
}

// errMissing is 131008, Meta's answer when a nested required field is absent.
func errMissing(format string, args ...any) *GraphError {
	return codeError(http.StatusBadRequest, CodeRequiredMissing, fmt.Sprintf(format, args...))
}

// errValue is 131009, Meta's answer when a value breaks a limit.
func errValue(format string, args ...any) *GraphError {
	return codeError(http.StatusBadRequest, CodeParamValueInvalid, fmt.Sprintf(format, args...))
}

// errInvalidToken is what Graph answers for a token it does not know.
func errInvalidToken() *GraphError {
	return &GraphError{
		HTTPStatus: http.StatusUnauthorized,
		Message:    "Invalid OAuth access token - Cannot parse access token",
		Type:       "OAuthException",
		Code:       CodeAccessToken,
	}
}

// errNoToken is what Graph answers when no token was sent at all.
func errNoToken() *GraphError {
	return &GraphError{
		HTTPStatus: http.StatusUnauthorized,
		Message:    "An access token is required to request this resource.",
		Type:       "OAuthException",
		Code:       CodeAccessTokenRequired,
	}
}

// errUnknownObject is Graph's answer for an id that does not exist or does
// not support the operation (code 100, subcode 33).
func errUnknownObject(method, id string) *GraphError {
	verb := "get"
	switch method {
	case http.MethodPost:
		verb = "post"
	case http.MethodDelete:
		verb = "delete"
	}
	return &GraphError{
		HTTPStatus: http.StatusBadRequest,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
			verb, id),
		Type:    "GraphMethodException",
		Code:    CodeInvalidParameter,
		Subcode: 33,
	}
}

// errUnknownPath is Graph's answer for an edge it does not have.
func errUnknownPath(rest string) *GraphError {
	return &GraphError{
		HTTPStatus: http.StatusBadRequest,
		Message:    "Unknown path components: " + rest,
		Type:       "OAuthException",
		Code:       CodeUnknownPath,
	}
}

// writeGraphError writes e in Meta's envelope. Every error the Graph side of
// the sandbox returns goes through here.
func (s *Sandbox) writeGraphError(w http.ResponseWriter, e *GraphError) {
	body := errorEnvelope{Error: errorBody{GraphError: e, FBTraceID: s.ids.fbtrace()}}
	if e.Details != "" {
		body.Error.ErrorData = &errorData{MessagingProduct: "whatsapp", Details: e.Details}
	}
	w.Header().Set("WWW-Authenticate", wwwAuthenticate(e))
	writeJSON(w, e.HTTPStatus, body)
}

// wwwAuthenticate mirrors the header Graph sends with errors.
func wwwAuthenticate(e *GraphError) string {
	return fmt.Sprintf(`OAuth "Facebook Platform" "%s" "%s"`, graphErrorKind(e), e.Message)
}

func graphErrorKind(e *GraphError) string {
	if e.Code == CodeAccessToken || e.Code == CodeAccessTokenRequired {
		return "invalid_token"
	}
	return "invalid_request"
}

// webhookError is one element of errors[] in a failed status or an
// unsupported inbound message.
type webhookError struct {
	Code      int              `json:"code"`
	Title     string           `json:"title"`
	Message   string           `json:"message"`
	ErrorData webhookErrorData `json:"error_data"`
	Href      string           `json:"href,omitempty"`
}

type webhookErrorData struct {
	Details string `json:"details"`
}

// newWebhookError renders code as Meta does in webhooks: title and message
// are both the title, details explain, href points at the error table.
func newWebhookError(code int, details string) webhookError {
	if details == "" {
		details = codeDetails[code]
	}
	return webhookError{
		Code:      code,
		Title:     codeTitles[code],
		Message:   codeTitles[code],
		ErrorData: webhookErrorData{Details: details},
		Href:      errorDocsURL,
	}
}
