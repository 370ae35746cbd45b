package whatsapp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

// textLength is one entry of testdata/text_lengths.json, the table of
// strings the frontend's textLength (frontend/src/lib/text.test.ts) is
// checked against too, so both sides count a limit in the same unit.
type textLength struct {
	Name       string `json:"name"`
	Text       string `json:"text"`
	CodePoints int    `json:"code_points"`
	UTF16Units int    `json:"utf16_units"`
}

func TestCharsCountCodePointsLikeTheFrontend(t *testing.T) {
	b, err := os.ReadFile("testdata/text_lengths.json")
	if err != nil {
		t.Fatal(err)
	}
	var table []textLength
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	if len(table) < 10 {
		t.Fatalf("only %d vectors", len(table))
	}
	for _, v := range table {
		t.Run(v.Name, func(t *testing.T) {
			if got := chars(v.Text); got != v.CodePoints {
				t.Errorf("chars(%q) = %d, want %d", v.Text, got, v.CodePoints)
			}
		})
	}
}

// TestTextLimitCountsEmojiOnce: 4096 emoji are 8192 UTF-16 units but 4096
// characters, and a text of them is within the limit on both sides.
func TestTextLimitCountsEmojiOnce(t *testing.T) {
	at := strings.Repeat("👍", MaxTextBody)
	if err := Validate(NewText("15551234567", at)); err != nil {
		t.Fatalf("%d emoji refused: %v", MaxTextBody, err)
	}
	err := Validate(NewText("15551234567", at+"👍"))
	if e := apierr.As(err); e.Code != apierr.ValidationFailed || e.Field != "text.body" {
		t.Fatalf("%d emoji: %v", MaxTextBody+1, err)
	}
}
