package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"switchboard/backend/sandbox"
)

// A sandbox answers Graph requests like graph.facebook.com: here a
// template message is sent with only the base URL changed.
func ExampleNew() {
	sb, err := sandbox.New(sandbox.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	body := `{"messaging_product":"whatsapp","to":"+1 555 010 2030","type":"template",
		"template":{"name":"hello_world","language":{"code":"en_US"}}}`
	req, _ := http.NewRequest("POST", base+"/v23.0/"+sb.PhoneNumbers()[0].ID+"/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sb.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(answer), `"wa_id":"15550102030"`))
	// Output: 200 true
}

// Tests and end-to-end runs make a customer write and move time past the
// 24-hour customer service window.
func ExampleSandbox_CustomerSend() {
	clock := sandbox.NewManualClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	sb, _ := sandbox.New(sandbox.Config{Seed: 1, Clock: clock})
	defer sb.Close()
	rec, _ := sb.CustomerSend("+52 1 55 1234 5678", sandbox.InboundMessage{Type: "text", Text: "¿Siguen abiertos? 🕘", ProfileName: "Lupita"})
	c, _ := sb.Customer(rec.WaID)
	fmt.Println(rec.WaID, c.Locale, rec.Direction)
	_ = sb.Advance(25 * time.Hour) // statuses and replies due by then fire now
	// Output: 5215512345678 es inbound
}
