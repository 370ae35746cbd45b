package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

// parseNotificationStd is the reference the fast decoder is checked
// against: the same checks, with encoding/json doing the decoding
// (Message.UnmarshalJSON keeps the raw bytes) and a second pass for the raw
// values of untyped fields.
func parseNotificationStd(body []byte) (*Notification, error) {
	if err := preflight(body); err != nil {
		return nil, err
	}
	if nestingDepth(body, MaxNestingDepth) > MaxNestingDepth {
		return nil, apierr.Wrap(ErrTooDeep, apierr.InvalidJSON, "too deep")
	}
	n := new(Notification)
	if err := json.Unmarshal(body, n); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, apierr.Wrap(errors.Join(ErrInvalidJSON, err), apierr.InvalidJSON, "the webhook body is not valid JSON")
		}
	}
	if n.Object != ObjectWhatsAppBusinessAccount {
		return nil, apierr.Wrap(ErrNotWhatsAppBody, apierr.InvalidRequest, "wrong object")
	}
	var raw struct {
		Entry []struct {
			Changes []changeWire `json:"changes"`
		} `json:"entry"`
	}
	_ = json.Unmarshal(body, &raw)
	for i := range n.Entry {
		for j := range n.Entry[i].Changes {
			c := &n.Entry[i].Changes[j]
			if !typedFields[c.Field] && i < len(raw.Entry) && j < len(raw.Entry[i].Changes) {
				c.Raw = raw.Entry[i].Changes[j].Value
			}
		}
	}
	return n, nil
}

// hasFoldedDuplicateKeys reports whether some object in b repeats a key
// (under case folding), the one case where the decoders may differ.
func hasFoldedDuplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		object bool
		keys   []string
		expect bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.object {
					top.expect = true
				}
				stack = append(stack, &frame{object: v == '{', expect: v == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].expect = true
				}
			}
			continue
		case string:
			if top != nil && top.object && top.expect {
				for _, k := range top.keys {
					if strings.EqualFold(k, v) {
						return true
					}
				}
				top.keys = append(top.keys, v)
				top.expect = false
				continue
			}
		}
		if top != nil && top.object {
			top.expect = true
		}
	}
}

func fuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"object":"whatsapp_business_account","entry":[]}`,
		`{"OBJECT":"whatsapp_business_account","Entry":[{"ID":"1","changes":[{"field":"messages","value":{"messages":[{"ID":"x","Type":"text","TEXT":{"body":"k"}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[null,"x",7,{"id":"m"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"x":1},"field":"calls"}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"\ud83d\ude00\ud800x\u00e9\n","text":{"body":"\/\"\\"}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"time":"17","changes":[{"field":"messages","value":{"statuses":[{"id":"s","pricing":{"billable":"yes"},"errors":[{"code":1.5}]}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":"x","contacts":{},"messages":[{"id":"1","location":{"latitude":1e400}}]}}]}]}`,
		" \t\n{\"object\":\"whatsapp_business_account\"} \r\n",
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"1","timestamp":{"a":[1]}}]}}]}]}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParseNotification checks that no input panics the parser, that the
// fast decoder accepts and rejects exactly what encoding/json does and
// decodes to the same values, and that every accepted notification can be
// flattened and marshalled again.
func FuzzParseNotification(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		ref, refErr := parseNotificationStd(body)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("fast err %v, reference err %v", err, refErr)
		}
		if err != nil {
			if apierr.CodeOf(err) != apierr.CodeOf(refErr) {
				t.Fatalf("fast code %s, reference code %s", apierr.CodeOf(err), apierr.CodeOf(refErr))
			}
			return
		}
		if !hasFoldedDuplicateKeys(body) && !reflect.DeepEqual(n, ref) {
			a, _ := json.Marshal(n)
			b, _ := json.Marshal(ref)
			t.Fatalf("decoders differ\nfast: %s\n ref: %s", a, b)
		}
		ev := n.Events()
		for _, im := range ev.Messages {
			if im.Message.ID == "" {
				t.Fatal("a message without id was not dropped")
			}
			if !json.Valid(im.Message.Raw) {
				t.Fatalf("raw is not JSON: %q", im.Message.Raw)
			}
		}
		if _, err := json.Marshal(n); err != nil {
			t.Fatalf("cannot marshal what was parsed: %v", err)
		}
	})
}

// FuzzVerifySignature checks that a signature verifies only for the exact
// body and secret it was made with, and that no header panics the check.
func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte("app-secret"), []byte(`{"object":"whatsapp_business_account"}`), "")
	f.Add([]byte("s"), []byte{}, "sha256=")
	f.Add([]byte("k"), []byte("body"), "sha256="+strings.Repeat("0", 64))
	f.Add([]byte("k"), []byte("body"), "SHA256="+strings.Repeat("F", 64))
	f.Add([]byte{}, []byte("body"), Sign([]byte("x"), []byte("body")))
	f.Fuzz(func(t *testing.T, secret, body []byte, header string) {
		err := VerifySignature(secret, body, header)
		if len(secret) == 0 {
			if err == nil {
				t.Fatal("verified without a secret")
			}
			return
		}
		want := Sign(secret, body)
		if err == nil && !strings.EqualFold(header, want) {
			t.Fatalf("accepted %q, the signature is %q", header, want)
		}
		if err != nil && header == want {
			t.Fatalf("rejected the right signature: %v", err)
		}
		if err := VerifySignature(secret, body, want); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if len(body) > 0 {
			flipped := append([]byte(nil), body...)
			flipped[0] ^= 1
			if VerifySignature(secret, flipped, want) == nil {
				t.Fatal("a changed body verified")
			}
		}
	})
}

// nestingDepth returns the maximum depth of objects and arrays in b, ignoring
// brackets inside strings, and stops counting once it passes limit. It does
// not validate; encoding/json does that next.
func nestingDepth(b []byte, limit int) int {
	depth, max := 0, 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++ // skip the escaped byte, which may be a quote
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				max = depth
				if max > limit {
					return max
				}
			}
		case '}', ']':
			depth--
		}
	}
	return max
}

// equalNotifications compares two decodes by value.
func equalNotifications(a, b *Notification) bool { return reflect.DeepEqual(a, b) }
