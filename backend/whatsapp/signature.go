package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/url"

	"switchboard/backend/apierr"
)

// SignatureHeader is the header Meta signs webhook bodies in.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// Causes of a failed webhook verification, wrapped in an *apierr.Error with
// code BAD_SIGNATURE.
var (
	ErrNoAppSecret        = errors.New("whatsapp: no app secret configured")
	ErrSignatureMissing   = errors.New("whatsapp: signature header missing")
	ErrSignatureMalformed = errors.New("whatsapp: signature header malformed")
	ErrSignatureMismatch  = errors.New("whatsapp: signature does not match the body")
	ErrHandshakeMode      = errors.New("whatsapp: hub.mode is not subscribe")
	ErrHandshakeToken     = errors.New("whatsapp: hub.verify_token does not match")
	ErrHandshakeChallenge = errors.New("whatsapp: hub.challenge missing")
	ErrNoVerifyToken      = errors.New("whatsapp: no verify token configured")
)

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of the bytes under appSecret. The sandbox and the
// tests sign with it.
func Sign(appSecret, body []byte) string {
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	sum := mac.Sum(nil)
	out := make([]byte, len(signaturePrefix)+hex.EncodedLen(len(sum)))
	copy(out, signaturePrefix)
	hex.Encode(out[len(signaturePrefix):], sum)
	return string(out)
}

// VerifySignature checks header, the X-Hub-Signature-256 value, against the
// HMAC-SHA256 of body under appSecret. It must run on the bytes exactly as
// received, before any parsing. The comparison is constant time. A missing,
// malformed or wrong signature, or an empty secret, is an *apierr.Error with
// code BAD_SIGNATURE.
func VerifySignature(appSecret, body []byte, header string) error {
	if len(appSecret) == 0 {
		// Accepting everything when unconfigured would silently open the
		// webhook to anyone; refusing makes the misconfiguration visible.
		return apierr.Wrap(ErrNoAppSecret, apierr.BadSignature, "the webhook cannot be verified: no app secret is configured")
	}
	if header == "" {
		return apierr.Wrap(ErrSignatureMissing, apierr.BadSignature, "the %s header is missing", SignatureHeader)
	}
	got, ok := parseSignature(header)
	if !ok {
		return apierr.Wrap(ErrSignatureMalformed, apierr.BadSignature, "the %s header is not sha256= followed by 64 hex digits", SignatureHeader)
	}
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return apierr.Wrap(ErrSignatureMismatch, apierr.BadSignature, "the %s header does not match the body", SignatureHeader)
	}
	return nil
}

// parseSignature decodes "sha256=<64 hex digits>". The algorithm name is
// matched case-insensitively; hex digits may be either case.
func parseSignature(header string) ([]byte, bool) {
	if len(header) != len(signaturePrefix)+2*sha256.Size {
		return nil, false
	}
	for i := 0; i < len(signaturePrefix); i++ {
		c := header[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != signaturePrefix[i] {
			return nil, false
		}
	}
	sum := make([]byte, sha256.Size)
	if _, err := hex.Decode(sum, []byte(header[len(signaturePrefix):])); err != nil {
		return nil, false
	}
	return sum, true
}

// VerifyHandshake answers Meta's GET subscription check. query must carry
// hub.mode=subscribe, hub.verify_token equal to verifyToken (compared in
// constant time) and a non-empty hub.challenge, which is returned to be
// echoed as the response body. A wrong mode or token is an *apierr.Error
// with code BAD_SIGNATURE (answer 403, as Meta expects); a missing challenge
// is INVALID_REQUEST.
func VerifyHandshake(query url.Values, verifyToken string) (string, error) {
	if verifyToken == "" {
		return "", apierr.Wrap(ErrNoVerifyToken, apierr.BadSignature, "the webhook cannot be verified: no verify token is configured")
	}
	if query.Get("hub.mode") != "subscribe" {
		return "", apierr.Wrap(ErrHandshakeMode, apierr.BadSignature, "hub.mode must be subscribe")
	}
	// Comparing digests rather than the tokens keeps the time independent of
	// the token's length as well as its content.
	want := sha256.Sum256([]byte(verifyToken))
	got := sha256.Sum256([]byte(query.Get("hub.verify_token")))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		return "", apierr.Wrap(ErrHandshakeToken, apierr.BadSignature, "hub.verify_token does not match")
	}
	challenge := query.Get("hub.challenge")
	if challenge == "" {
		return "", apierr.Wrap(ErrHandshakeChallenge, apierr.InvalidRequest, "hub.challenge is missing")
	}
	return challenge, nil
}
