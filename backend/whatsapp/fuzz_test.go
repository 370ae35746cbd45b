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
	"switchboard/backend/whatsapp/webhooktest"
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
		// Shapes Meta never sends: arrays of objects holding other values.
		`{"object":"whatsapp_business_account","entry":[1,1,1]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":["x"]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"s","errors":[[]]}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"w","contacts":[{"phones":[true]}]}]}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	for _, b := range junkSeeds() {
		f.Add(b)
	}
}

// junkSeeds are the junk shapes (webhooktest) a few elements long: bodies
// past the per-body bounds are TestParseNotificationBoundsWork's business,
// as seeds that large only slow the fuzzer down.
func junkSeeds() [][]byte {
	var out [][]byte
	for _, s := range webhooktest.Shapes("106540352242922") {
		out = append(out, s.Repeat(3))
	}
	return out
}

// hasNonObjectArrayElement reports whether some array in b holds an element
// that is not an object. It scans without validating, so it answers for
// invalid JSON too.
func hasNonObjectArrayElement(b []byte) bool {
	var stack []byte
	expect := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		if expect {
			expect = false
			if c != '{' && c != ']' {
				return true
			}
		}
		switch c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '[':
			stack = append(stack, c)
			expect = true
		case '{':
			stack = append(stack, c)
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			expect = len(stack) > 0 && stack[len(stack)-1] == '['
		}
	}
	return false
}

// updateCounts counts a decoded notification's update lists.
func updateCounts(n *Notification) map[string]int {
	c := map[string]int{"entries": len(n.Entry)}
	for i := range n.Entry {
		c["changes"] += len(n.Entry[i].Changes)
		for j := range n.Entry[i].Changes {
			v := &n.Entry[i].Changes[j].Value
			c["messages"] += len(v.Messages)
			c["statuses"] += len(v.Statuses)
			c["errors"] += len(v.Errors)
			c["contacts"] += len(v.Contacts)
		}
	}
	return c
}

// FuzzParseNotification checks that no input panics the parser, that the
// fast decoder accepts and rejects exactly what encoding/json does and
// decodes to the same values, except for the shapes and sizes it refuses on
// purpose (each checked independently), that an accepted body stays within
// the per-body bounds, and that every accepted notification can be
// flattened and marshalled again.
func FuzzParseNotification(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		switch {
		case errors.Is(err, ErrUnexpectedShape):
			if apierr.CodeOf(err) != apierr.InvalidRequest || !hasNonObjectArrayElement(body) {
				t.Fatalf("refused as misshapen, but no array holds anything but objects: %v", err)
			}
			return
		case errors.Is(err, ErrTooManyElements):
			// Every element takes at least "{}," and the budget far more.
			if apierr.CodeOf(err) != apierr.PayloadTooLarge || len(body) < 3*MaxWebhookUpdates {
				t.Fatalf("refused as too big at %d bytes: %v", len(body), err)
			}
			return
		case err == nil:
			for list, c := range updateCounts(n) {
				if c > MaxWebhookUpdates {
					t.Fatalf("accepted %d %s", c, list)
				}
			}
		}
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
