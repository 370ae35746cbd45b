package hub

import "testing"

func TestSignWebhook(t *testing.T) {
	// Computed independently: python3 -c "import hmac,hashlib;
	// print(hmac.new(b'secret', b'{}', hashlib.sha256).hexdigest())"
	const want = "sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13"
	if got := SignWebhook("secret", []byte("{}")); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
}
