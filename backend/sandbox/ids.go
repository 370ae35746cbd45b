package sandbox

import (
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"sync"
)

// idSource makes the identifiers Meta hands out: wamids, media and template
// ids, conversation ids and fbtrace ids. It is seeded, so a sandbox built
// with the same seed hands out the same ids in the same order.
type idSource struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newIDSource(seed uint64) *idSource {
	return &idSource{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

const hexUpper = "0123456789ABCDEF"

// wamid builds a message id shaped like Meta's: "wamid." followed by base64
// of a small protobuf-like record holding the customer's wa_id and a random
// hex key. Outbound and inbound ids differ in one marker byte and the key
// length, as Meta's do.
func (g *idSource) wamid(waID string, inbound bool) string {
	g.mu.Lock()
	keyLen := 18
	marker := byte(0x11)
	if inbound {
		keyLen = 32
		marker = 0x12
	}
	key := make([]byte, keyLen)
	for i := range key {
		key[i] = hexUpper[g.rng.IntN(16)]
	}
	g.mu.Unlock()
	b := make([]byte, 0, 3+len(waID)+6+keyLen+1)
	b = append(b, 0x1C, 0x18, byte(len(waID)))
	b = append(b, waID...)
	b = append(b, 0x15, 0x02, 0x00, marker, 0x18, byte(keyLen))
	b = append(b, key...)
	b = append(b, 0x00)
	return "wamid." + base64.StdEncoding.EncodeToString(b)
}

// numericID returns a 16-digit id like Meta's media, template and object ids.
func (g *idSource) numericID() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strconv.FormatUint(1_000_000_000_000_000+g.rng.Uint64N(8_999_999_999_999_999), 10)
}

// hex32 returns 32 lowercase hex digits, the shape of conversation ids.
func (g *idSource) hex32() string {
	const hexLower = "0123456789abcdef"
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, 32)
	for i := range b {
		b[i] = hexLower[g.rng.IntN(16)]
	}
	return string(b)
}

// fbtrace returns an fbtrace_id-like token.
func (g *idSource) fbtrace() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, 23)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}
