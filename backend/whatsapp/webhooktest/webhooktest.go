// Package webhooktest builds WhatsApp webhook bodies of shapes Meta never
// sends — millions of tiny array elements, endless nested lists, one giant
// string — for tests of what a receiver does with a signed body of junk
// (a leaked app secret, a relay gone wrong): the parser's bounds, its fuzz
// seeds and the hub's memory under concurrent ingests.
//
// It depends on nothing but the standard library, so the whatsapp package's
// own tests can use it.
package webhooktest

import (
	"bytes"
	"strconv"
	"strings"
)

// Shape is a body made of Head, then Elem repeated with Sep between the
// copies, then Tail. Each "{n}" in Elem is replaced by the copy's index, so
// copies can carry distinct ids.
type Shape struct {
	Name             string
	Head, Elem, Tail string
	Sep              string
	// List is the update list Elem is an element of ("entries",
	// "changes", "messages", "statuses", "errors", "contacts"), or "" when
	// the repetition is elsewhere.
	List string
}

// Fill makes a body of at most size bytes holding as many copies of Elem
// as fit.
func (s Shape) Fill(size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(s.Head)
	end := size - len(s.Tail)
	for i := 0; ; i++ {
		e := s.elem(i)
		step := len(e)
		if i > 0 {
			step += len(s.Sep)
		}
		if b.Len()+step > end {
			break
		}
		if i > 0 {
			b.WriteString(s.Sep)
		}
		b.WriteString(e)
	}
	b.WriteString(s.Tail)
	return b.Bytes()
}

// elem is the i-th copy of Elem.
func (s Shape) elem(i int) string {
	if !strings.Contains(s.Elem, "{n}") {
		return s.Elem
	}
	return strings.ReplaceAll(s.Elem, "{n}", strconv.Itoa(i))
}

// Repeat makes the body with exactly n copies of Elem.
func (s Shape) Repeat(n int) []byte {
	var b strings.Builder
	b.Grow(len(s.Head) + n*(len(s.Elem)+len(s.Sep)) + len(s.Tail))
	b.WriteString(s.Head)
	for i := range n {
		if i > 0 {
			b.WriteString(s.Sep)
		}
		b.WriteString(s.elem(i))
	}
	b.WriteString(s.Tail)
	return []byte(b.String())
}

const (
	object = `{"object":"whatsapp_business_account","entry":[`
	// PointerRichMessage is a message that sets every object-valued field
	// a message has, each empty: the most structs per byte of body.
	PointerRichMessage = `{"id":"w","from":"1","text":{},"image":{},"audio":{},"video":{},"document":{},"sticker":{},"location":{},` +
		`"interactive":{},"button":{},"reaction":{},"order":{},"system":{},"context":{},"referral":{}}`
)

// Shapes lists the junk shapes, for a body addressed to phoneNumberID.
func Shapes(phoneNumberID string) []Shape {
	value := object + `{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",` +
		`"metadata":{"display_phone_number":"15550001111","phone_number_id":"` + phoneNumberID + `"},`
	const end = `]}}]}]}`
	return []Shape{
		{Name: "entries of numbers", Head: object, Elem: `1`, Sep: ",", Tail: `]}`, List: "entries"},
		{Name: "empty entries", Head: object, Elem: `{}`, Sep: ",", Tail: `]}`, List: "entries"},
		{Name: "empty changes", Head: object + `{"id":"1","changes":[`, Elem: `{}`, Sep: ",", Tail: `]}]}`, List: "changes"},
		{Name: "empty messages", Head: value + `"messages":[`, Elem: `{}`, Sep: ",", Tail: end, List: "messages"},
		{Name: "id-only messages", Head: value + `"messages":[`, Elem: `{"id":"w","from":"1"}`, Sep: ",", Tail: end, List: "messages"},
		{Name: "pointer-rich messages", Head: value + `"messages":[`, Elem: PointerRichMessage, Sep: ",", Tail: end, List: "messages"},
		{Name: "distinct customers' messages", Head: value + `"messages":[`,
			Elem: `{"id":"wamid.junk{n}","from":"1555{n}","timestamp":"1700000000","type":"text","text":{"body":"hello"}}`, Sep: ",", Tail: end, List: "messages"},
		{Name: "distinct statuses", Head: value + `"statuses":[`,
			Elem: `{"id":"wamid.junk{n}","status":"delivered","timestamp":"1700000000","recipient_id":"1555{n}"}`, Sep: ",", Tail: end, List: "statuses"},
		{Name: "statuses", Head: value + `"statuses":[`, Elem: `{"id":"s","status":"sent","pricing":{},"conversation":{"origin":{}}}`, Sep: ",", Tail: end, List: "statuses"},
		{Name: "errors", Head: value + `"errors":[`, Elem: `{"code":1,"error_data":{}}`, Sep: ",", Tail: end, List: "errors"},
		{Name: "contacts without messages", Head: value + `"contacts":[`, Elem: `{"wa_id":"+1 5","profile":{}}`, Sep: ",", Tail: end, List: "contacts"},
		{Name: "one message sharing endless phones", Head: value + `"messages":[{"id":"w","from":"1","type":"contacts","contacts":[{"phones":[`,
			Elem: `{}`, Sep: ",", Tail: `]}]}` + end},
		{Name: "one order with endless items", Head: value + `"messages":[{"id":"w","from":"1","type":"order","order":{"product_items":[`,
			Elem: `{}`, Sep: ",", Tail: `]}}` + end},
		{Name: "escaped strings", Head: value + `"messages":[`, Elem: `{"id":"\u0041","from":"\u0031"}`, Sep: ",", Tail: end, List: "messages"},
		{Name: "one huge text", Head: value + `"messages":[{"id":"w","from":"1","type":"text","text":{"body":"`,
			Elem: `a`, Tail: `"}}` + end},
		{Name: "unknown keys", Head: value + `"messages":[{"id":"w","from":"1","type":"text","text":{"body":"hi"},`,
			Elem: `"x":[[[]]]`, Sep: ",", Tail: `}` + end},
	}
}
