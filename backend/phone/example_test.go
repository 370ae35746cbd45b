package phone_test

import (
	"fmt"

	"switchboard/backend/phone"
)

func ExampleNormalizer_Normalize() {
	n, err := phone.New("BR")
	if err != nil {
		panic(err)
	}
	for _, in := range []string{"(11) 98765-4321", "(11) 8765-4321", "+44 121 234 5678", "0800 FLORES"} {
		e164, err := n.Normalize(in)
		if err != nil {
			fmt.Println("error:", phone.ReasonOf(err))
			continue
		}
		fmt.Println(e164)
	}
	// Output:
	// +5511987654321
	// +5511987654321
	// +441212345678
	// error: invalid_characters
}

func ExampleSamePerson() {
	fmt.Println(phone.SamePerson("5215512345678", "+52 55 1234 5678"))    // Mexico, legacy 1
	fmt.Println(phone.SamePerson("551187654321", "+55 11 98765-4321"))    // Brazil, no ninth digit
	fmt.Println(phone.SamePerson("+54 11 15 1234-5678", "5491112345678")) // Argentina, 15 and 9
	fmt.Println(phone.SamePerson("551137654321", "+55 11 93765-4321"))    // Brazil landline: no 9
	// Output:
	// true
	// true
	// true
	// false
}

func ExampleCanonicalKey() {
	key, _ := phone.CanonicalKey("551187654321") // a wa_id from a webhook
	fmt.Println(key, phone.WaID(key), phone.Format(key, phone.International), phone.Region(key))
	// Output: +5511987654321 5511987654321 +55 11 98765-4321 BR
}
