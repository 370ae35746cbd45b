package phone_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"switchboard/backend/phone"
)

// FuzzNormalize checks, for arbitrary text and with several default
// regions, that normalising never panics, that an accepted number is a
// fixed point of every entry point (Normalize, CanonicalKey, WaID), that
// it is the same person as the input it came from, that a rejection is
// always a *phone.Error with a reason, and that SamePerson is symmetric and
// agrees with comparing canonical forms. The seed corpus is in
// testdata/fuzz/FuzzNormalize.
func FuzzNormalize(f *testing.F) {
	regions := []string{"", "US", "GB", "BR", "AR", "MX", "DE", "IN", "AU"}
	normalizers := make([]*phone.Normalizer, len(regions))
	for i, r := range regions {
		normalizers[i] = mustNew(f, r)
	}
	f.Fuzz(func(t *testing.T, input, other string) {
		for _, n := range normalizers {
			checkNormalize(t, n, input)
			checkSamePerson(t, n, input, other)
		}
		checkCanonicalKey(t, input)
	})
}

func checkNormalize(t *testing.T, n *phone.Normalizer, input string) {
	got, err := n.Normalize(input)
	if err != nil {
		var pe *phone.Error
		if !errors.As(err, &pe) || pe.Reason == "" || pe.Input != input {
			t.Fatalf("region %q: Normalize(%q) error %#v is not a *phone.Error with a reason and the input", n.DefaultRegion(), input, err)
		}
		if msg := err.Error(); msg == "" || !utf8.ValidString(msg) {
			t.Fatalf("region %q: Normalize(%q) error message %q", n.DefaultRegion(), input, msg)
		}
		if got != "" {
			t.Fatalf("region %q: Normalize(%q) returned %q with an error", n.DefaultRegion(), input, got)
		}
		return
	}
	if !isE164(got) {
		t.Fatalf("region %q: Normalize(%q) = %q, not E.164", n.DefaultRegion(), input, got)
	}
	if again, err := n.Normalize(got); err != nil || again != got {
		t.Fatalf("region %q: Normalize(%q) = %q but Normalize(%q) = %q, %v", n.DefaultRegion(), input, got, got, again, err)
	}
	if again, err := phone.Normalize(got); err != nil || again != got {
		t.Fatalf("canonical %q from region %q is not canonical without a region: %q, %v", got, n.DefaultRegion(), again, err)
	}
	if key, err := phone.CanonicalKey(got); err != nil || key != got {
		t.Fatalf("CanonicalKey(%q) = %q, %v", got, key, err)
	}
	if id := phone.WaID(got); id != got[1:] {
		t.Fatalf("WaID(%q) = %q", got, id)
	}
	if !n.SamePerson(input, got) {
		t.Fatalf("region %q: %q normalises to %q but is not SamePerson with it", n.DefaultRegion(), input, got)
	}
}

func checkSamePerson(t *testing.T, n *phone.Normalizer, a, b string) {
	ab, ba := n.SamePerson(a, b), n.SamePerson(b, a)
	if ab != ba {
		t.Fatalf("region %q: SamePerson(%q, %q) = %v but reversed = %v", n.DefaultRegion(), a, b, ab, ba)
	}
	x, errA := n.Normalize(a)
	y, errB := n.Normalize(b)
	if errA == nil && errB == nil && ab != (x == y) {
		t.Fatalf("region %q: SamePerson(%q, %q) = %v but canonical forms are %q and %q", n.DefaultRegion(), a, b, ab, x, y)
	}
}

func checkCanonicalKey(t *testing.T, input string) {
	key, err := phone.CanonicalKey(input)
	if err != nil {
		if phone.ReasonOf(err) == "" {
			t.Fatalf("CanonicalKey(%q) error %v has no reason", input, err)
		}
		if phone.WaID(input) != "" || phone.Variants(input) != nil {
			t.Fatalf("WaID/Variants accept %q that CanonicalKey rejects", input)
		}
		return
	}
	if !isE164(key) {
		t.Fatalf("CanonicalKey(%q) = %q, not E.164", input, key)
	}
	if again, err := phone.CanonicalKey(key); err != nil || again != key {
		t.Fatalf("CanonicalKey(%q) = %q but CanonicalKey(%q) = %q, %v", input, key, key, again, err)
	}
	vs := phone.Variants(input)
	if len(vs) == 0 || vs[0] != key {
		t.Fatalf("Variants(%q) = %q, want %q first", input, vs, key)
	}
	for _, v := range vs {
		if k, err := phone.CanonicalKey(v); err != nil || k != key {
			t.Fatalf("variant %q of %q has key %q, %v; want %q", v, input, k, err, key)
		}
	}
	_ = phone.Format(input, phone.International)
	_ = phone.Region(input)
}

// isE164 reports whether s is '+' and 2 to 15 digits, not starting with 0.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
