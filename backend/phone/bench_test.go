package phone_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"switchboard/backend/phone"
)

// benchInputs is a mix like the hub's traffic: mostly wa_ids from webhooks,
// some with a quirk, some typed by agents.
var benchInputs = []string{
	"14155550123",
	"447400123456",
	"5511987654321",
	"551187654321",  // BR legacy, quirk
	"5215512345678", // MX legacy, quirk
	"5491112345678",
	"+91 81234 56789",
	"+55 (11) 98765-4321",
}

// BenchmarkNormalize measures the package's cost per input.
func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := phone.Normalize(benchInputs[i%len(benchInputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalizeNational measures national-format input with a default region.
func BenchmarkNormalizeNational(b *testing.B) {
	n := mustNew(b, "BR")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Normalize("(11) 98765-4321"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSamePerson measures comparing a legacy wa_id with its E.164 form.
func BenchmarkSamePerson(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !phone.SamePerson("551187654321", "+55 11 98765-4321") {
			b.Fatal("not the same person")
		}
	}
}

// BenchmarkBaselineLibphonenumber is the floor: libphonenumber's own parse,
// validation and E.164 formatting of the same inputs, without scanning or
// quirks, to compare BenchmarkNormalize against in the same run.
func BenchmarkBaselineLibphonenumber(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := benchInputs[i%len(benchInputs)]
		if in[0] != '+' {
			in = "+" + in
		}
		pn, err := phonenumbers.Parse(in, "")
		if err != nil {
			b.Fatal(err)
		}
		_ = phonenumbers.IsValidNumber(pn)
		_ = phonenumbers.Format(pn, phonenumbers.E164)
	}
}

// TestBenchReport prints BenchmarkNormalize next to the libphonenumber
// baseline measured in the same run, as a ratio, for `make bench`. It runs
// only when SWITCHBOARD_BENCH=1 and asserts nothing about time.
func TestBenchReport(t *testing.T) {
	if os.Getenv("SWITCHBOARD_BENCH") != "1" {
		t.Skip("set SWITCHBOARD_BENCH=1 to print the phone benchmark report")
	}
	ours := testing.Benchmark(BenchmarkNormalize)
	base := testing.Benchmark(BenchmarkBaselineLibphonenumber)
	ratio := float64(ours.NsPerOp()) / float64(base.NsPerOp())
	fmt.Printf("phone.Normalize: %d ns/op (%.0f numbers/s, %d allocs/op); libphonenumber parse+validate+format baseline: %d ns/op; ratio %.2fx\n",
		ours.NsPerOp(), 1e9/float64(ours.NsPerOp()), ours.AllocsPerOp(), base.NsPerOp(), ratio)
}
