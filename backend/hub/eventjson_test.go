package hub

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/backend/domain"
)

// fill sets every field of v (a pointer to a struct) to a random non-zero
// value, recursively, so a field the hand encoder forgets shows up as a
// difference from encoding/json. With zero set, optional fields stay empty
// instead, to exercise omitempty and null.
func fill(rng *rand.Rand, v reflect.Value, zero bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if zero && rng.IntN(2) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem(), zero)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), zero)
			}
		}
	case reflect.String:
		if zero && rng.IntN(3) == 0 {
			return
		}
		pieces := []string{"plain", "<b>&amp;</b>", "quote\"back\\slash", "tab\tnl\n", "ünï 😀", "\u2028\u2029", "\x01\x1f", "bad\xffutf8"}
		v.SetString(pieces[rng.IntN(len(pieces))])
	case reflect.Int, reflect.Int64:
		if zero && rng.IntN(3) == 0 {
			return
		}
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	case reflect.Bool:
		v.SetBool(!zero || rng.IntN(2) == 0)
	case reflect.Slice:
		if v.Type() == reflect.TypeOf(json.RawMessage(nil)) {
			raws := []string{`{"body":"hi <b>"}`, `{ "a" : [1, 2] }`, `[]`, `"x\u2028"`}
			v.SetBytes([]byte(raws[rng.IntN(len(raws))]))
			return
		}
		if zero && rng.IntN(2) == 0 {
			return
		}
		n := rng.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(rng, s.Index(i), zero)
		}
		v.Set(s)
	case reflect.Map:
		if zero && rng.IntN(2) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(4) {
			k := reflect.New(v.Type().Key()).Elem()
			fill(rng, k, false)
			val := reflect.New(v.Type().Elem()).Elem()
			fill(rng, val, false)
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

func TestEventEncodersMatchEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		zero := i%2 == 1
		var m domain.Message
		fill(rng, reflect.ValueOf(&m).Elem(), zero)
		want, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendMessageJSON(nil, &m); string(got) != string(want) {
			t.Fatalf("message:\n got %s\nwant %s", got, want)
		}
		var c domain.Conversation
		fill(rng, reflect.ValueOf(&c).Elem(), zero)
		want, _ = json.Marshal(c)
		if got := appendConversationJSON(nil, &c); string(got) != string(want) {
			t.Fatalf("conversation:\n got %s\nwant %s", got, want)
		}
		want, _ = json.Marshal(&c.Contact)
		if got := appendContactJSON(nil, &c.Contact); string(got) != string(want) {
			t.Fatalf("contact:\n got %s\nwant %s", got, want)
		}
	}
	if !strings.Contains(string(appendMessageJSON(nil, &domain.Message{Preview: "<"})), `\u003c`) {
		t.Fatal("HTML is not escaped like encoding/json")
	}
}
