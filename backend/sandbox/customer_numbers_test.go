package sandbox

import (
	"math/rand/v2"
	"strings"
	"testing"

	"switchboard/backend/phone"
)

// checkWaID fails t unless backend/phone accepts waID strictly (as a send
// to it would need) and keys it to the same person as its canonical form.
func checkWaID(t *testing.T, waID string) {
	t.Helper()
	canon, err := phone.Normalize(waID)
	if err != nil {
		t.Errorf("Normalize(%s): %v", waID, err)
		return
	}
	if key, err := phone.CanonicalKey(waID); err != nil || key != canon {
		t.Errorf("CanonicalKey(%s) = %q, %v; Normalize said %s", waID, key, err, canon)
	}
	if !phone.SamePerson(waID, canon) {
		t.Errorf("SamePerson(%s, %s) is false", waID, canon)
	}
}

// TestCountryPlansAreValid draws many numbers from every country plan: each
// must be in a range libphonenumber lists as assigned, or an agent's reply
// to that customer is refused as INVALID_PHONE.
func TestCountryPlansAreValid(t *testing.T) {
	for _, c := range allCountries {
		t.Run(c.region, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(len(c.region)), 42))
			for i := 0; i < 2000; i++ {
				if w := c.waID(r); !validWaID(w) {
					t.Fatalf("%s (draw %d) is not a valid number", w, i)
				}
			}
		})
	}
}

// TestMobilePrefixesAreAssigned tries every block of the drawn-prefix plans
// with the lowest, the highest and some random subscriber digits, so a
// block only partly assigned is caught however rarely the draws hit it.
func TestMobilePrefixesAreAssigned(t *testing.T) {
	plans := []struct {
		name     string
		prefixes mobilePrefixes
		cc       string
		tail     int
	}{
		{"GB", gbMobile, "447", 7},
		{"IL", ilMobile, "9725", 6},
	}
	r := rand.New(rand.NewPCG(5, 5))
	for _, p := range plans {
		t.Run(p.name, func(t *testing.T) {
			for _, b := range p.prefixes {
				for _, n := range []byte(b.next) {
					tails := []string{strings.Repeat("0", p.tail), strings.Repeat("9", p.tail), digits(r, p.tail), digits(r, p.tail)}
					for _, tail := range tails {
						if w := p.cc + string([]byte{b.digit, n}) + tail; !validWaID(w) {
							t.Errorf("%s is not a valid number", w)
						}
					}
				}
			}
		})
	}
}

// validWaID reports whether backend/phone accepts w strictly.
func validWaID(w string) bool {
	_, err := phone.Normalize(w)
	return err == nil
}

// TestPopulationNumbersAreValid checks every generated customer of several
// seeds, and that the legacy wa_id forms WhatsApp still reports are among
// them, so the fix for validity did not drop the quirks the hub must map.
func TestPopulationNumbersAreValid(t *testing.T) {
	quirks := map[string]func(string) bool{
		"Mexico 521":         func(w string) bool { return strings.HasPrefix(w, "521") && len(w) == 13 },
		"Brazil legacy":      func(w string) bool { return strings.HasPrefix(w, "55") && len(w) == 12 },
		"Argentina 549":      func(w string) bool { return strings.HasPrefix(w, "549") },
		"Brazil ninth digit": func(w string) bool { return strings.HasPrefix(w, "55") && len(w) == 13 },
	}
	seen := map[string]int{}
	for _, seed := range []uint64{1, 2, 3, 7, 42, 2024} {
		sb, err := New(Config{Seed: seed, Clock: NewManualClock(testStart), StatusDelays: &StatusDelays{},
			Customers: CustomerConfig{Count: 300}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sb.Customers() {
			checkWaID(t, c.WaID)
			for name, is := range quirks {
				if is(c.WaID) {
					seen[name]++
				}
			}
		}
		sb.Close()
	}
	for name := range quirks {
		if seen[name] == 0 {
			t.Errorf("no %s wa_id in the populations", name)
		}
	}
}
