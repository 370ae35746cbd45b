package whatsapp

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// This file is the webhook body decoder. The hub must ingest more than ten
// thousand messages a second on two cores, and encoding/json spends most of
// its time re-scanning (it validates the whole input, then scans it again to
// decode, and again for every json.Unmarshaler such as Message, which keeps
// its raw bytes) and reflecting per value. This decoder validates and decodes
// in one pass, driven by a plan built once per struct type from the same
// json tags encoding/json reads, so a field added to a webhook struct is
// decoded without touching this file.
//
// It reproduces encoding/json's results, checked by a differential fuzz test
// (FuzzParseNotification): the same inputs are rejected as invalid JSON,
// keys match case-insensitively after an exact match fails, a value of the
// wrong JSON type leaves its field unchanged, null leaves scalars unchanged
// and clears pointers and slices, and strings are unescaped the same way
// (lone surrogates become U+FFFD). The one documented difference: when an
// object repeats a key holding an array, the later array replaces the earlier
// one instead of being merged into it element by element.
//
// Message.Raw, Change.Raw and json.RawMessage fields are capacity-limited
// sub-slices of one private copy of the body, so they stay valid however the
// caller reuses its buffer, at the cost of one allocation per body.
//
// The work per body is bounded by what the body holds, not only by its size
// and depth: a 3 MB array of 1.4 million tiny elements would otherwise
// decode into hundreds of megabytes of structs. So the decoder departs from
// encoding/json in three refusals, each a shape Meta never sends: an
// element of an array of objects that is not an object; more than
// MaxWebhookUpdates elements in any of the body's update lists (entries,
// changes, messages, statuses, errors, contacts); and more than
// MaxWebhookDecodedBytes of structs allocated for one body, counted as the
// decoder allocates them (every slice growth, every pointed-to struct).

// fieldKind says how a struct field is decoded.
type fieldKind uint8

const (
	kindString fieldKind = iota
	kindBool
	kindInt
	kindFloat
	kindRaw         // json.RawMessage: the value's bytes
	kindUnmarshaler // a type with its own UnmarshalJSON (Timestamp, NumericID, ...)
	kindStruct
	kindPtrStruct
	kindPtrBool
	kindSlice // a slice of structs
)

type fieldPlan struct {
	name string
	off  uintptr
	kind fieldKind
	bits int
	typ  reflect.Type
	elem *structPlan
	// unmarshal decodes a kindUnmarshaler value's bytes into the field.
	unmarshal func(p unsafe.Pointer, b []byte) error
	// slice appends a zero element to a kindSlice field and returns it.
	slice *sliceOps
	// rawOff, when hasRaw, is the offset of a json.RawMessage sibling that
	// receives this field's raw value bytes (Change.Raw for Change.Value).
	rawOff uintptr
	hasRaw bool
	// list, for a kindSlice field that is one of the update lists, says
	// which (the count bounded by MaxWebhookUpdates); listNone otherwise.
	list updateList
}

// updateList names the lists MaxWebhookUpdates bounds, across the body.
type updateList uint8

const (
	listNone updateList = iota
	listEntries
	listChanges
	listMessages
	listStatuses
	listErrors
	listContacts
	numLists
)

// listNames are the lists' names in errors.
var listNames = [numLists]string{"", "entries", "changes", "messages", "statuses", "errors", "contacts"}

// updateListOf says whether field name of struct t is an update list.
func updateListOf(t reflect.Type, name string) updateList {
	switch {
	case t == reflect.TypeFor[Notification]() && name == "entry":
		return listEntries
	case t == reflect.TypeFor[Entry]() && name == "changes":
		return listChanges
	case t == reflect.TypeFor[Value]():
		switch name {
		case "messages":
			return listMessages
		case "statuses":
			return listStatuses
		case "errors":
			return listErrors
		case "contacts":
			return listContacts
		}
	}
	return listNone
}

type structPlan struct {
	typ    reflect.Type
	fields []fieldPlan
	byName map[string]int
	// byLen lists field indexes by name length: comparing a key with the
	// few names of its length is cheaper than hashing it.
	byLen [][]int
	// captureRaw marks Message: every element keeps its bytes at rawOff,
	// as Message.UnmarshalJSON does.
	captureRaw bool
	rawOff     uintptr
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	messageType     = reflect.TypeFor[Message]()
	changeType      = reflect.TypeFor[Change]()

	notificationPlanOnce sync.Once
	notificationPlan     *structPlan
)

func planFor(t reflect.Type, cache map[reflect.Type]*structPlan) *structPlan {
	if p, ok := cache[t]; ok {
		return p
	}
	p := &structPlan{typ: t, byName: map[string]int{}}
	cache[t] = p
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("json"); ok {
			if tag == "-" {
				continue
			}
			if n, _, _ := cutComma(tag); n != "" {
				name = n
			}
		}
		f := fieldPlan{name: name, off: sf.Offset, typ: sf.Type}
		ft := sf.Type
		switch {
		case ft == rawMessageType:
			f.kind = kindRaw
		case reflect.PointerTo(ft).Implements(unmarshalerType):
			f.kind, f.unmarshal = kindUnmarshaler, unmarshalerFor(ft)
		case ft.Kind() == reflect.String:
			f.kind = kindString
		case ft.Kind() == reflect.Bool:
			f.kind = kindBool
		case ft.Kind() == reflect.Int || ft.Kind() == reflect.Int64 || ft.Kind() == reflect.Int32:
			f.kind, f.bits = kindInt, ft.Bits()
		case ft.Kind() == reflect.Float64:
			f.kind = kindFloat
		case ft.Kind() == reflect.Struct:
			f.kind, f.elem = kindStruct, planFor(ft, cache)
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !ft.Implements(unmarshalerType):
			f.kind, f.elem = kindPtrStruct, planFor(ft.Elem(), cache)
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
			f.kind = kindPtrBool
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			f.kind, f.elem, f.slice = kindSlice, planFor(ft.Elem(), cache), sliceOpsByType[ft]
			f.list = updateListOf(t, name)
			if f.slice == nil {
				panic(fmt.Sprintf("whatsapp: webhook decoder has no slice ops for %s.%s (%s); add it to sliceOpsByType", t.Name(), sf.Name, ft))
			}
		default:
			// A webhook struct gained a field shape this decoder does not
			// know; the package tests fail here rather than decode wrongly.
			panic(fmt.Sprintf("whatsapp: webhook decoder cannot decode %s.%s (%s)", t.Name(), sf.Name, ft))
		}
		p.byName[name] = len(p.fields)
		for len(p.byLen) <= len(name) {
			p.byLen = append(p.byLen, nil)
		}
		p.byLen[len(name)] = append(p.byLen[len(name)], len(p.fields))
		p.fields = append(p.fields, f)
	}
	if t == messageType {
		sf, _ := t.FieldByName("Raw")
		p.captureRaw, p.rawOff = true, sf.Offset
	}
	if t == changeType {
		sf, _ := t.FieldByName("Raw")
		i := p.byName["value"]
		p.fields[i].hasRaw, p.fields[i].rawOff = true, sf.Offset
	}
	return p
}

func cutComma(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// lookup finds the field for key: an exact match first, then, like
// encoding/json, the first field whose name equals key under Unicode case
// folding.
func (p *structPlan) lookup(key []byte) int {
	if len(key) < len(p.byLen) {
		for _, i := range p.byLen[len(key)] {
			if p.fields[i].name == string(key) {
				return i
			}
		}
	}
	for i := range p.fields {
		if equalFoldBytesString(key, p.fields[i].name) {
			return i
		}
	}
	return -1
}

func equalFoldBytesString(b []byte, s string) bool {
	for len(b) > 0 && len(s) > 0 {
		var br, sr rune
		if b[0] < utf8.RuneSelf {
			br, b = rune(b[0]), b[1:]
		} else {
			r, n := utf8.DecodeRune(b)
			br, b = r, b[n:]
		}
		if s[0] < utf8.RuneSelf {
			sr, s = rune(s[0]), s[1:]
		} else {
			r, n := utf8.DecodeRuneInString(s)
			sr, s = r, s[n:]
		}
		if br == sr {
			continue
		}
		if br > sr {
			br, sr = sr, br
		}
		if sr < utf8.RuneSelf {
			if 'A' <= br && br <= 'Z' && sr == br+'a'-'A' {
				continue
			}
			return false
		}
		r := unicode.SimpleFold(br)
		for r != br && r < sr {
			r = unicode.SimpleFold(r)
		}
		if r != sr {
			return false
		}
	}
	return len(b) == 0 && len(s) == 0
}

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	msg string
	off int
}

// Error says what was wrong and where.
func (e *syntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.off) + ": " + e.msg
}

// limitError is a body refused for its shape or for the work it would
// take: cause is ErrUnexpectedShape or ErrTooManyElements.
type limitError struct {
	cause error
	msg   string
}

// Error says what was refused.
func (e *limitError) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *limitError) Unwrap() error { return e.cause }

// decoder walks one body.
type decoder struct {
	data  []byte
	pos   int
	depth int
	// counts are the update lists' elements so far; budget the bytes of
	// structs the decoder may still allocate.
	counts [numLists]int
	budget int
	// rawBuf is the private copy of the body that raw values point into.
	rawBuf []byte
	// strBuf is a second private copy that unescaped strings are views of,
	// so decoding a string costs no allocation; it is never written after
	// the copy and never handed out as bytes, which keeps those strings
	// immutable. arena holds unescaped strings the same way.
	strBuf  []byte
	arena   []byte
	scratch []byte
}

// decodeNotification decodes body into n with the semantics described at
// the top of this file. A syntax error is returned as *syntaxError.
func decodeNotification(body []byte, n *Notification) error {
	notificationPlanOnce.Do(func() {
		notificationPlan = planFor(reflect.TypeFor[Notification](), map[reflect.Type]*structPlan{})
	})
	d := decoder{data: body, budget: MaxWebhookDecodedBytes}
	d.skipWS()
	if err := d.value(notificationPlan, unsafe.Pointer(n)); err != nil {
		return err
	}
	d.skipWS()
	if d.pos != len(d.data) {
		return d.syntax("data after the top-level value")
	}
	return nil
}

func (d *decoder) syntax(msg string) error { return &syntaxError{msg: msg, off: d.pos} }

// enter counts one level of nesting; recursion stops at MaxNestingDepth so
// a hostile body cannot exhaust the stack.
func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxNestingDepth {
		return errTooDeepAt
	}
	return nil
}

func (d *decoder) leave() { d.depth-- }

// charge takes n bytes of allocated structs from the body's budget.
func (d *decoder) charge(n uintptr) error {
	d.budget -= int(n)
	if d.budget < 0 {
		return &limitError{ErrTooManyElements, fmt.Sprintf("decoding the body would allocate more than %d bytes", MaxWebhookDecodedBytes)}
	}
	return nil
}

var errTooDeepAt = ErrTooDeep

func (d *decoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// raw returns data[start:end] as a capacity-limited slice of the private
// copy of the body, making the copy on first use.
func (d *decoder) raw(start, end int) []byte {
	if d.rawBuf == nil {
		d.rawBuf = append(make([]byte, 0, len(d.data)), d.data...)
	}
	return d.rawBuf[start:end:end]
}

// value decodes the value at d.pos (whitespace already skipped) into the
// struct at p.
func (d *decoder) value(sp *structPlan, p unsafe.Pointer) error {
	if d.peek() == '{' {
		return d.object(sp, p)
	}
	// Anything else leaves a struct unchanged.
	return d.skipValue()
}

func (d *decoder) object(sp *structPlan, p unsafe.Pointer) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	d.pos++ // '{'
	d.skipWS()
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntax("expected an object key")
		}
		start := d.pos
		escaped, err := d.scanString()
		if err != nil {
			return err
		}
		key := d.data[start+1 : d.pos-1]
		if escaped {
			d.scratch = unescape(d.scratch[:0], key)
			key = d.scratch
		}
		i := sp.lookup(key)
		d.skipWS()
		if d.peek() != ':' {
			return d.syntax("expected ':' after an object key")
		}
		d.pos++
		d.skipWS()
		if i < 0 {
			err = d.skipValue()
		} else {
			f := &sp.fields[i]
			vstart := d.pos
			err = d.field(f, unsafe.Add(p, f.off))
			if err == nil && f.hasRaw {
				*(*json.RawMessage)(unsafe.Add(p, f.rawOff)) = d.raw(vstart, d.pos)
			}
		}
		if err != nil {
			return err
		}
		d.skipWS()
		switch d.peek() {
		case ',':
			d.pos++
			d.skipWS()
		case '}':
			d.pos++
			return nil
		default:
			return d.syntax("expected ',' or '}' in an object")
		}
	}
}

// field decodes one value into the field at p. A value of the wrong JSON
// type is skipped and the field left as it was, as encoding/json does.
func (d *decoder) field(f *fieldPlan, p unsafe.Pointer) error {
	c := d.peek()
	switch f.kind {
	case kindString:
		if c == '"' {
			s, err := d.readString()
			if err == nil {
				*(*string)(p) = s
			}
			return err
		}
	case kindBool:
		if c == 't' || c == 'f' {
			v := c == 't'
			if err := d.skipLiteral(); err != nil {
				return err
			}
			*(*bool)(p) = v
			return nil
		}
	case kindInt:
		if c == '-' || (c >= '0' && c <= '9') {
			num, err := d.readNumber()
			if err != nil {
				return err
			}
			if v, err := strconv.ParseInt(bytesString(num), 10, f.bits); err == nil {
				switch f.bits {
				case 64:
					*(*int64)(p) = v
				case 32:
					*(*int32)(p) = int32(v)
				}
			}
			return nil
		}
	case kindFloat:
		if c == '-' || (c >= '0' && c <= '9') {
			num, err := d.readNumber()
			if err != nil {
				return err
			}
			if v, err := strconv.ParseFloat(bytesString(num), 64); err == nil {
				*(*float64)(p) = v
			}
			return nil
		}
	case kindRaw:
		start := d.pos
		if err := d.skipValue(); err != nil {
			return err
		}
		*(*json.RawMessage)(p) = d.raw(start, d.pos)
		return nil
	case kindUnmarshaler:
		start := d.pos
		if err := d.skipValue(); err != nil {
			return err
		}
		return f.unmarshal(p, d.data[start:d.pos])
	case kindStruct:
		return d.value(f.elem, p)
	case kindPtrStruct:
		if c == 'n' {
			if err := d.skipLiteral(); err != nil {
				return err
			}
			*(*unsafe.Pointer)(p) = nil
			return nil
		}
		ptr := *(*unsafe.Pointer)(p)
		if ptr == nil {
			// encoding/json allocates before it looks at the value's type.
			if err := d.charge(f.elem.typ.Size()); err != nil {
				return err
			}
			ptr = reflect.New(f.elem.typ).UnsafePointer()
			*(*unsafe.Pointer)(p) = ptr
		}
		return d.value(f.elem, ptr)
	case kindPtrBool:
		if c == 'n' {
			if err := d.skipLiteral(); err != nil {
				return err
			}
			*(**bool)(p) = nil
			return nil
		}
		bp := *(**bool)(p)
		if bp == nil {
			bp = new(bool)
			*(**bool)(p) = bp
		}
		if c == 't' || c == 'f' {
			if err := d.skipLiteral(); err != nil {
				return err
			}
			*bp = c == 't'
			return nil
		}
	case kindSlice:
		switch c {
		case 'n':
			if err := d.skipLiteral(); err != nil {
				return err
			}
			reflect.NewAt(f.typ, p).Elem().SetZero()
			return nil
		case '[':
			return d.slice(f, p)
		}
	}
	return d.skipValue()
}

// slice decodes an array of structs into a fresh slice stored at p.
func (d *decoder) slice(f *fieldPlan, p unsafe.Pointer) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	d.pos++ // '['
	d.skipWS()
	f.slice.reset(p)
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		if d.peek() != '{' {
			// Invalid JSON is reported as such; a valid non-object is a
			// shape Meta never sends.
			if err := d.skipValue(); err != nil {
				return err
			}
			return &limitError{ErrUnexpectedShape, fmt.Sprintf("an element of %s is not an object", f.name)}
		}
		if f.list != listNone {
			if d.counts[f.list]++; d.counts[f.list] > MaxWebhookUpdates {
				return &limitError{ErrTooManyElements, fmt.Sprintf("the body holds more than %d %s", MaxWebhookUpdates, listNames[f.list])}
			}
		}
		elem, grown := f.slice.add(p)
		if grown > 0 {
			if err := d.charge(grown); err != nil {
				return err
			}
		}
		if err := d.element(f.elem, elem); err != nil {
			return err
		}
		d.skipWS()
		switch d.peek() {
		case ',':
			d.pos++
			d.skipWS()
		case ']':
			d.pos++
			return nil
		default:
			return d.syntax("expected ',' or ']' in an array")
		}
	}
}

// sliceOps manipulate a []T field without reflection.
type sliceOps struct {
	// reset stores an empty, non-nil slice (what [] decodes to).
	reset func(p unsafe.Pointer)
	// add appends a zero element and returns a pointer to it, and the
	// bytes of a new backing array when it had to grow (0 otherwise);
	// earlier elements may move, but they are complete by then.
	add func(p unsafe.Pointer) (unsafe.Pointer, uintptr)
}

func opsFor[T any]() *sliceOps {
	return &sliceOps{
		reset: func(p unsafe.Pointer) { *(*[]T)(p) = []T{} },
		add: func(p unsafe.Pointer) (unsafe.Pointer, uintptr) {
			s := (*[]T)(p)
			var grown uintptr
			if len(*s) == cap(*s) {
				// Doubling, where append grows large slices by a quarter:
				// the arrays left behind then add up to the final one at
				// most, not four times it.
				next := make([]T, len(*s), max(1, 2*cap(*s)))
				copy(next, *s)
				*s = next
				var zero T
				grown = uintptr(cap(next)) * unsafe.Sizeof(zero)
			}
			*s = (*s)[:len(*s)+1]
			return unsafe.Pointer(&(*s)[len(*s)-1]), grown
		},
	}
}

// sliceOpsByType lists every slice-of-struct type in the webhook structs.
// planFor panics on one missing here, so the tests catch it at once.
var sliceOpsByType = map[reflect.Type]*sliceOps{
	reflect.TypeFor[[]Entry]():          opsFor[Entry](),
	reflect.TypeFor[[]Change]():         opsFor[Change](),
	reflect.TypeFor[[]WebhookContact](): opsFor[WebhookContact](),
	reflect.TypeFor[[]Message]():        opsFor[Message](),
	reflect.TypeFor[[]Status]():         opsFor[Status](),
	reflect.TypeFor[[]WebhookError]():   opsFor[WebhookError](),
	reflect.TypeFor[[]Contact]():        opsFor[Contact](),
	reflect.TypeFor[[]ContactAddress](): opsFor[ContactAddress](),
	reflect.TypeFor[[]ContactEmail]():   opsFor[ContactEmail](),
	reflect.TypeFor[[]ContactPhone]():   opsFor[ContactPhone](),
	reflect.TypeFor[[]ContactURL]():     opsFor[ContactURL](),
	reflect.TypeFor[[]ProductItem]():    opsFor[ProductItem](),
	reflect.TypeFor[[]Restriction]():    opsFor[Restriction](),
}

// unmarshalerFor returns a decoder for a type with its own UnmarshalJSON:
// a direct call for this package's scalar types, reflection otherwise.
func unmarshalerFor(t reflect.Type) func(p unsafe.Pointer, b []byte) error {
	switch t {
	case reflect.TypeFor[Timestamp]():
		return func(p unsafe.Pointer, b []byte) error { return (*Timestamp)(p).UnmarshalJSON(b) }
	case reflect.TypeFor[FlexInt]():
		return func(p unsafe.Pointer, b []byte) error { return (*FlexInt)(p).UnmarshalJSON(b) }
	case reflect.TypeFor[NumericID]():
		return func(p unsafe.Pointer, b []byte) error { return (*NumericID)(p).UnmarshalJSON(b) }
	case reflect.TypeFor[Decimal]():
		return func(p unsafe.Pointer, b []byte) error { return (*Decimal)(p).UnmarshalJSON(b) }
	}
	return func(p unsafe.Pointer, b []byte) error {
		return reflect.NewAt(t, p).Interface().(json.Unmarshaler).UnmarshalJSON(b)
	}
}

// element decodes one array element. A Message keeps its bytes in Raw
// whatever they hold, exactly like Message.UnmarshalJSON.
func (d *decoder) element(sp *structPlan, p unsafe.Pointer) error {
	start := d.pos
	if err := d.value(sp, p); err != nil {
		return err
	}
	if sp.captureRaw {
		*(*json.RawMessage)(unsafe.Add(p, sp.rawOff)) = d.raw(start, d.pos)
	}
	return nil
}

// skipValue validates and skips one value.
func (d *decoder) skipValue() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.scanString()
		return err
	case c == '{':
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		d.pos++
		d.skipWS()
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		for {
			if d.peek() != '"' {
				return d.syntax("expected an object key")
			}
			if _, err := d.scanString(); err != nil {
				return err
			}
			d.skipWS()
			if d.peek() != ':' {
				return d.syntax("expected ':' after an object key")
			}
			d.pos++
			d.skipWS()
			if err := d.skipValue(); err != nil {
				return err
			}
			d.skipWS()
			switch d.peek() {
			case ',':
				d.pos++
				d.skipWS()
			case '}':
				d.pos++
				return nil
			default:
				return d.syntax("expected ',' or '}' in an object")
			}
		}
	case c == '[':
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		d.pos++
		d.skipWS()
		if d.peek() == ']' {
			d.pos++
			return nil
		}
		for {
			if err := d.skipValue(); err != nil {
				return err
			}
			d.skipWS()
			switch d.peek() {
			case ',':
				d.pos++
				d.skipWS()
			case ']':
				d.pos++
				return nil
			default:
				return d.syntax("expected ',' or ']' in an array")
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.readNumber()
		return err
	case c == 't' || c == 'f' || c == 'n':
		return d.skipLiteral()
	}
	return d.syntax("expected a value")
}

// skipLiteral consumes true, false or null.
func (d *decoder) skipLiteral() error {
	var lit string
	switch d.peek() {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return d.syntax("invalid literal")
	}
	d.pos += len(lit)
	return nil
}

// readNumber consumes a number per RFC 8259 and returns its text.
func (d *decoder) readNumber() ([]byte, error) {
	start := d.pos
	b := d.data
	i := d.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, d.syntax("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.pos = i
			return nil, d.syntax("invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.pos = i
			return nil, d.syntax("invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return b[start:i], nil
}

// scanString validates the string at d.pos and moves past it, reporting
// whether it contains escapes.
func (d *decoder) scanString() (escaped bool, err error) {
	b := d.data
	i := d.pos + 1
	for i < len(b) {
		// Plain bytes are by far the most common; skip them in a tight loop.
		for i < len(b) && plainStringByte[b[i]] {
			i++
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				d.pos = i
				return false, d.syntax("unterminated escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					d.pos = i
					return false, d.syntax("invalid \\u escape")
				}
				i += 6
			default:
				d.pos = i
				return false, d.syntax("invalid escape")
			}
		case c < 0x20:
			d.pos = i
			return false, d.syntax("control character in a string")
		default:
			i++
		}
	}
	d.pos = i
	return false, d.syntax("unterminated string")
}

// readString consumes a string and returns its value.
func (d *decoder) readString() (string, error) {
	start := d.pos
	escaped, err := d.scanString()
	if err != nil {
		return "", err
	}
	if !escaped {
		if d.strBuf == nil {
			d.strBuf = append(make([]byte, 0, len(d.data)), d.data...)
		}
		return bytesString(d.strBuf[start+1 : d.pos-1]), nil
	}
	// Unescaping never lengthens a string, so the body's length bounds the
	// room needed.
	body := d.data[start+1 : d.pos-1]
	if cap(d.arena)-len(d.arena) < len(body) {
		d.arena = make([]byte, 0, max(len(body), len(d.data)/4, 256))
	}
	n := len(d.arena)
	d.arena = unescape(d.arena, body)
	return bytesString(d.arena[n:len(d.arena):len(d.arena)]), nil
}

// plainStringByte marks the bytes that stand for themselves inside a JSON
// string: everything but the quote, the backslash and control characters.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unescape appends the value of a validated JSON string body to dst, the way
// encoding/json does: surrogate pairs combine, lone surrogates become U+FFFD.
func unescape(dst, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		if c != '\\' {
			dst = append(dst, c)
			r++
			continue
		}
		switch s[r+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			rr := getu4(s[r:])
			r += 6
			if utf16.IsSurrogate(rr) {
				if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
					r += 6
					dst = utf8.AppendRune(dst, dec)
					continue
				}
				rr = unicode.ReplacementChar
			}
			dst = utf8.AppendRune(dst, rr)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[r+1])
		}
		r += 2
	}
	return dst
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// bytesString views b as a string for a parse call that does not retain it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
