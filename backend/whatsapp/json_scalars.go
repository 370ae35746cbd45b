package whatsapp

import (
	"bytes"
	"strconv"
	"time"
)

// Meta is inconsistent about scalars: message timestamps are decimal strings,
// entry times are numbers, template ids are numbers in one webhook and strings
// in the API, and button indexes appear both ways in Meta's own examples. The
// types below accept either form, so one surprising quote never fails a whole
// webhook, and marshal in the form Meta documents for that field.

// A value of the wrong shape decodes as zero instead of failing: an
// Unmarshaler's error aborts the whole json.Unmarshal, and one odd timestamp
// must not cost a webhook its other messages.

// unquoteScalar strips the quotes of a JSON string literal without
// unescaping: the values we accept are plain digits, so an escape means the
// value is not one of ours anyway. null and "" yield empty input.
func unquoteScalar(b []byte) []byte {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

// Timestamp is a Unix time in seconds. Meta sends it as a decimal string
// ("1749416383"); a bare number is accepted too. The zero value means absent.
type Timestamp int64

// Time converts t to a time.Time in UTC (the zero time when t is zero).
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// TimestampOf converts a time to a Timestamp.
func TimestampOf(tm time.Time) Timestamp {
	if tm.IsZero() {
		return 0
	}
	return Timestamp(tm.Unix())
}

// MarshalJSON writes the quoted decimal form Meta uses.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(t), 10)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts "123", 123, "", and null. Anything else decodes as
// zero.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := unquoteScalar(b)
	if len(s) == 0 {
		*t = 0
		return nil
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		n = 0
	}
	*t = Timestamp(n)
	return nil
}

// FlexInt is an integer that Meta sometimes quotes (a button "index" is "0"
// in older examples and 0 in newer ones). It marshals as a bare number.
type FlexInt int64

// MarshalJSON writes a bare number.
func (n FlexInt) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(n), 10), nil
}

// UnmarshalJSON accepts 3, "3", "" and null.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	s := unquoteScalar(b)
	if len(s) == 0 {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		v = 0
	}
	*n = FlexInt(v)
	return nil
}

// NumericID is an identifier Meta sends as a JSON number in some payloads
// (message_template_id in template webhooks) and as a string elsewhere. It is
// kept as a string, because ids are labels, not quantities, and may exceed
// what a float64 holds exactly. It marshals as a bare number when it is all
// digits, as Meta does, and as a string otherwise.
type NumericID string

// MarshalJSON writes digits bare and anything else quoted.
func (id NumericID) MarshalJSON() ([]byte, error) {
	if id != "" && isDigits(string(id)) {
		return []byte(id), nil
	}
	return strconv.AppendQuote(nil, string(id)), nil
}

// UnmarshalJSON accepts a number or a string. A quoted value is unquoted
// with escapes honoured.
func (id *NumericID) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*id = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			s = ""
		}
		*id = NumericID(s)
		return nil
	}
	if !isNumberLiteral(b) {
		*id = ""
		return nil
	}
	*id = NumericID(b)
	return nil
}

// Decimal is a number Meta may send bare or quoted (an order's quantity and
// item_price). It keeps the literal text so no precision is lost, and
// marshals as a bare number.
type Decimal string

// Float returns the value as a float64 (0 when empty or unparsable).
func (d Decimal) Float() float64 {
	f, _ := strconv.ParseFloat(string(d), 64)
	return f
}

// MarshalJSON writes the number bare (0 when empty).
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("0"), nil
	}
	if !isNumberLiteral([]byte(d)) {
		return strconv.AppendQuote(nil, string(d)), nil
	}
	return []byte(d), nil
}

// UnmarshalJSON accepts 2, 2.5, "2.5", "" and null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := unquoteScalar(b)
	if len(s) == 0 {
		*d = ""
		return nil
	}
	if !isNumberLiteral(s) {
		s = nil
	}
	*d = Decimal(s)
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isNumberLiteral reports whether b is a JSON number literal.
func isNumberLiteral(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if b[start] == '0' && i-start > 1 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		fs := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == fs {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		es := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == es {
			return false
		}
	}
	return i == len(b)
}
