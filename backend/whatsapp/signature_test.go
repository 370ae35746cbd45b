package whatsapp

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

func TestSign(t *testing.T) {
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a
	// published test vector.
	got := Sign([]byte("key"), []byte("The quick brown fox jumps over the lazy dog"))
	want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	eq(t, "signature", got, want)
}

func TestVerifySignature(t *testing.T) {
	secret := []byte("app-secret")
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := Sign(secret, body)
	tests := []struct {
		name   string
		secret []byte
		body   []byte
		header string
		cause  error
	}{
		{"valid", secret, body, good, nil},
		{"uppercase hex and prefix", secret, body, "SHA256=" + strings.ToUpper(good[7:]), nil},
		{"no secret", nil, body, good, ErrNoAppSecret},
		{"missing header", secret, body, "", ErrSignatureMissing},
		{"sha1 header", secret, body, "sha1=" + good[7:47], ErrSignatureMalformed},
		{"no prefix", secret, body, good[7:], ErrSignatureMalformed},
		{"short", secret, body, good[:len(good)-2], ErrSignatureMalformed},
		{"long", secret, body, good + "00", ErrSignatureMalformed},
		{"not hex", secret, body, "sha256=" + strings.Repeat("zz", 32), ErrSignatureMalformed},
		{"space padded", secret, body, " " + good, ErrSignatureMalformed},
		{"wrong secret", []byte("other"), body, good, ErrSignatureMismatch},
		{"body changed", secret, append(append([]byte{}, body...), ' '), good, ErrSignatureMismatch},
		{"one bit off", secret, body, good[:len(good)-1] + flipHex(good[len(good)-1]), ErrSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(tc.secret, tc.body, tc.header)
			if tc.cause == nil {
				if err != nil {
					t.Fatalf("rejected a valid signature: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.cause) {
				t.Fatalf("err = %v, want %v", err, tc.cause)
			}
			eq(t, "code", apierr.CodeOf(err), apierr.BadSignature)
		})
	}
}

func flipHex(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestVerifyHandshake(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	tests := []struct {
		name  string
		query url.Values
		token string
		want  string
		code  apierr.Code
		cause error
	}{
		{"valid", q("subscribe", "s3cret", "1158201444"), "s3cret", "1158201444", "", nil},
		{"wrong token", q("subscribe", "guess", "1158201444"), "s3cret", "", apierr.BadSignature, ErrHandshakeToken},
		{"token prefix", q("subscribe", "s3cre", "1158201444"), "s3cret", "", apierr.BadSignature, ErrHandshakeToken},
		{"no token", q("subscribe", "", "1158201444"), "s3cret", "", apierr.BadSignature, ErrHandshakeToken},
		{"wrong mode", q("unsubscribe", "s3cret", "1158201444"), "s3cret", "", apierr.BadSignature, ErrHandshakeMode},
		{"no challenge", q("subscribe", "s3cret", ""), "s3cret", "", apierr.InvalidRequest, ErrHandshakeChallenge},
		{"unconfigured", q("subscribe", "", "1158201444"), "", "", apierr.BadSignature, ErrNoVerifyToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyHandshake(tc.query, tc.token)
			if tc.cause == nil {
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "challenge", got, tc.want)
				return
			}
			if !errors.Is(err, tc.cause) {
				t.Fatalf("err = %v, want %v", err, tc.cause)
			}
			eq(t, "code", apierr.CodeOf(err), tc.code)
			eq(t, "challenge", got, "")
		})
	}
}
