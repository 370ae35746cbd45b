package hub

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestMediaIDsOf(t *testing.T) {
	for _, tc := range []struct {
		typ, content string
		want         []string
	}{
		{"image", `{"id":"1001","mime_type":"image/jpeg"}`, []string{"1001"}},
		{"sticker", `{"id":"1002","animated":true}`, []string{"1002"}},
		{"image", `{"link":"https://example.com/a.jpg"}`, nil},
		{"image", `{"id":".."}`, nil},
		{"document", `{"id":"me"}`, nil},
		{"text", `{"body":"{\"id\":\"1003\"}"}`, nil},
		{"template", `{"name":"t","components":[{"type":"header","parameters":[{"type":"document","document":{"id":"1004","filename":"a.pdf"}}]},
			{"type":"body","parameters":[{"type":"text","text":"x"}]}]}`, []string{"1004"}},
		{"interactive", `{"type":"button","header":{"type":"image","image":{"id":"1005"}},"body":{"text":"x"}}`, []string{"1005"}},
		{"interactive", `{"type":"list","action":{"sections":[{"rows":[{"id":"1006","title":"row"}]}]}}`, nil},
		{"location", `{"latitude":1,"longitude":2}`, nil},
	} {
		got := mediaIDsOf(tc.typ, json.RawMessage(tc.content))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.typ, tc.content, got, tc.want)
		}
	}
}
