package sandbox

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Customer is a simulated WhatsApp user as the sandbox knows them.
type Customer struct {
	// WaID is the WhatsApp id: country code and number, no "+".
	WaID string `json:"wa_id"`
	// Name is the profile name sent in webhook contacts.
	Name string `json:"name"`
	// Locale is the language the customer writes in (en, es, pt_BR, ar, he, hi).
	Locale string `json:"locale"`
	// Country is the ISO 3166 region of the number.
	Country string `json:"country"`
	// PhoneNumberID is the business number the customer writes to.
	PhoneNumberID string `json:"phone_number_id"`
	// OptedOut is set after the customer sent STOP and cleared by START.
	// Marketing templates to an opted-out customer fail with 131050.
	OptedOut bool `json:"opted_out"`
	// Simulated customers read and answer on their own; others only do
	// what CustomerSend tells them.
	Simulated bool `json:"simulated"`
	// LastInboundAt is when the customer last wrote; the 24-hour customer
	// service window runs from it.
	LastInboundAt *time.Time `json:"last_inbound_at,omitempty"`
}

// customer is the internal state of one customer, guarded by Sandbox.mu.
type customer struct {
	info       Customer
	rng        *rand.Rand
	loc        *locale
	started    bool
	referralAt time.Time
	lastAgent  string   // wamid of the latest delivered agent message
	unread     []string // delivered, unread agent messages, oldest first
	lastSendAt time.Time
	convs      map[string]wireConversation // open pricing conversations by category
	convExp    map[string]time.Time
}

func (c *customer) lastInbound() time.Time {
	if c.info.LastInboundAt == nil {
		return time.Time{}
	}
	return *c.info.LastInboundAt
}

// buildPopulation creates the simulated customers from the seed.
func (s *Sandbox) buildPopulation() {
	allowed := s.cfg.Customers.Locales
	if len(allowed) == 0 {
		allowed = localeOrder
	}
	total := 0
	for _, l := range allowed {
		total += localeWeights[l]
	}
	for i := 0; i < s.cfg.Customers.Count; i++ {
		n := s.rng.IntN(total)
		var loc *locale
		for _, l := range allowed {
			if n < localeWeights[l] {
				loc = locales[l]
				break
			}
			n -= localeWeights[l]
		}
		ctry := loc.randomCountry(s.rng)
		var waID string
		for {
			waID = ctry.waID(s.rng)
			if s.customers[waID] == nil && !s.isBusinessNumber(waID) {
				break
			}
		}
		rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(i)+1))
		c := &customer{
			info: Customer{WaID: waID, Name: loc.randomName(rng), Locale: loc.code, Country: ctry.region,
				PhoneNumberID: s.numberList[i%len(s.numberList)].ID, Simulated: true},
			rng: rng, loc: loc,
		}
		s.customers[waID] = c
		s.customerList = append(s.customerList, c)
	}
}

func (s *Sandbox) isBusinessNumber(d string) bool {
	for _, p := range s.numberList {
		if p.DisplayNumber == d {
			return true
		}
	}
	return false
}

// lookupCustomer finds a customer by any equivalent form of the number.
func (s *Sandbox) lookupCustomer(digits string) *customer {
	for _, v := range numberVariants(digits) {
		if c := s.customers[v]; c != nil {
			return c
		}
	}
	return nil
}

// newCustomer registers a customer that is not in the population yet, e.g.
// a number an agent messages first. Its locale is guessed from the country
// code so its replies read naturally.
func (s *Sandbox) newCustomer(waID, name, phoneID string, simulated bool) *customer {
	loc, region := locales["en"], ""
	best := 0
	for _, rp := range regionPrefixes {
		if len(rp.prefix) > best && hasAnyPrefix(waID, rp.prefix) {
			best, loc, region = len(rp.prefix), locales[rp.locale], rp.region
		}
	}
	h := uint64(0)
	for _, b := range []byte(waID) {
		h = h*31 + uint64(b)
	}
	rng := rand.New(rand.NewPCG(s.cfg.Seed, h))
	if name == "" {
		name = loc.randomName(rng)
	}
	c := &customer{
		info: Customer{WaID: waID, Name: name, Locale: loc.code, Country: region, PhoneNumberID: phoneID, Simulated: simulated},
		rng:  rng, loc: loc,
	}
	s.customers[waID] = c
	s.customerList = append(s.customerList, c)
	return c
}

// regionPrefixes map country calling codes to a region and the language a
// customer from there writes in.
var regionPrefixes = []struct{ prefix, region, locale string }{
	{"1", "US", "en"}, {"44", "GB", "en"}, {"52", "MX", "es"}, {"34", "ES", "es"}, {"54", "AR", "es"},
	{"57", "CO", "es"}, {"56", "CL", "es"}, {"51", "PE", "es"}, {"55", "BR", "pt_BR"}, {"966", "SA", "ar"},
	{"20", "EG", "ar"}, {"971", "AE", "ar"}, {"974", "QA", "ar"}, {"212", "MA", "ar"}, {"972", "IL", "he"},
	{"91", "IN", "hi"},
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

// Customers returns every known customer, population first.
func (s *Sandbox) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Customer, len(s.customerList))
	for i, c := range s.customerList {
		out[i] = c.snapshot()
	}
	return out
}

// Customer returns one customer by wa_id (any equivalent form).
func (s *Sandbox) Customer(waID string) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.lookupCustomer(digitsOnly(waID)); c != nil {
		return c.snapshot(), true
	}
	return Customer{}, false
}

func (c *customer) snapshot() Customer {
	out := c.info
	if c.info.LastInboundAt != nil {
		t := *c.info.LastInboundAt
		out.LastInboundAt = &t
	}
	return out
}

// AddCustomer registers a customer. Empty fields are filled: the name from
// the number's country, the business number with the first one. Simulated
// decides whether it reads and answers by itself.
func (s *Sandbox) AddCustomer(c Customer) (Customer, error) {
	waID := digitsOnly(c.WaID)
	if len(waID) < 8 || len(waID) > 15 {
		return Customer{}, fmt.Errorf("sandbox: wa_id %q must be 8 to 15 digits", c.WaID)
	}
	phoneID := c.PhoneNumberID
	if phoneID == "" {
		phoneID = s.numberList[0].ID
	} else if s.numbers[phoneID] == nil {
		return Customer{}, fmt.Errorf("sandbox: unknown phone number id %q", phoneID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookupCustomer(waID) != nil {
		return Customer{}, fmt.Errorf("sandbox: customer %s already exists", waID)
	}
	nc := s.newCustomer(waID, c.Name, phoneID, c.Simulated)
	if c.Locale != "" {
		if l, ok := locales[c.Locale]; ok {
			nc.loc, nc.info.Locale = l, l.code
		}
	}
	if c.Country != "" {
		nc.info.Country = c.Country
	}
	return nc.snapshot(), nil
}

// MarkUndeliverable makes sends to waID fail with 131026 from now on, as if
// the number had left WhatsApp.
func (s *Sandbox) MarkUndeliverable(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.undeliverable[digitsOnly(waID)] = true
}

// customerRead marks the customer's delivered messages up to and including
// upTo as read and returns their read status events.
func (s *Sandbox) customerRead(c *customer, upTo string) []event {
	idx := slices.Index(c.unread, upTo)
	if idx < 0 {
		return nil
	}
	ids := c.unread[:idx+1]
	c.unread = append([]string(nil), c.unread[idx+1:]...)
	var evs []event
	for _, id := range ids {
		if m := s.messages.get(id); m != nil {
			if e, ok := s.statusEventLocked(m, "read", nil); ok {
				evs = append(evs, e)
			}
		}
	}
	return evs
}

func (c *customer) rngInt64N(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return c.rng.Int64N(n)
}

// replySpec decides how a customer answers an agent message: a tap on the
// offered buttons or list, a location when asked for one, otherwise text, a
// reaction, a quoted reply, media, or now and then STOP.
func (s *Sandbox) replySpec(c *customer, agentMsgID string) InboundMessage {
	m := s.messages.get(agentMsgID)
	r := c.rng
	if m != nil {
		if m.wantsLocation {
			return InboundMessage{Type: "location", ReplyTo: agentMsgID}
		}
		if len(m.replies) > 0 && r.IntN(10) < 8 {
			opt := m.replies[r.IntN(len(m.replies))]
			if opt.kind == "button" {
				return InboundMessage{Type: "button", ReplyTo: agentMsgID, ButtonPayload: opt.id, ButtonText: opt.title}
			}
			return InboundMessage{Type: "interactive", InteractiveType: opt.kind, ReplyTo: agentMsgID,
				ReplyID: opt.id, ReplyTitle: opt.title, ReplyDescription: opt.description}
		}
	}
	switch n := r.IntN(100); {
	case n < 55:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.replies))}
	case n < 67:
		return InboundMessage{Type: "reaction", ReactTo: agentMsgID, Emoji: pick(r, reactionEmoji)}
	case n < 77:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.replies)), ReplyTo: agentMsgID}
	case n < 83:
		return InboundMessage{Type: "image", Text: pick(r, c.loc.captions)}
	case n < 89:
		return InboundMessage{Type: "audio", Voice: true}
	case n < 92:
		return InboundMessage{Type: "document", Filename: pick(r, c.loc.docNames)}
	case n < 95 && !c.info.OptedOut:
		return InboundMessage{Type: "text", Text: "STOP"}
	default:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.followups))}
	}
}

// unpromptedSpec decides what a customer sends on their own: the first
// message is a question (sometimes from an ad), later ones are follow-ups,
// media, locations, shared contacts, forwards, reactions, and START after a
// STOP.
func (s *Sandbox) unpromptedSpec(c *customer) InboundMessage {
	r := c.rng
	if !c.started {
		spec := InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.openers))}
		if r.IntN(5) == 0 {
			spec.Referral = s.randomReferral(r)
		}
		return spec
	}
	if c.info.OptedOut {
		if r.IntN(3) == 0 {
			return InboundMessage{Type: "text", Text: "START"}
		}
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.followups))}
	}
	switch n := r.IntN(100); {
	case n < 40:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.followups))}
	case n < 50:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.openers))}
	case n < 58:
		return InboundMessage{Type: "image", Text: pick(r, c.loc.captions)}
	case n < 65:
		return InboundMessage{Type: "audio", Voice: true}
	case n < 69:
		return InboundMessage{Type: "document", Filename: pick(r, c.loc.docNames), Text: pick(r, c.loc.captions)}
	case n < 73:
		return InboundMessage{Type: "sticker"}
	case n < 77:
		return InboundMessage{Type: "location"}
	case n < 79:
		return InboundMessage{Type: "contacts"}
	case n < 83:
		return InboundMessage{Type: "text", Text: pick(r, c.loc.forwarded), Forwarded: true}
	case n < 84:
		return InboundMessage{Type: "text", Text: pick(r, c.loc.forwarded), FrequentlyForwarded: true}
	case n < 90 && c.lastAgent != "":
		return InboundMessage{Type: "reaction", ReactTo: c.lastAgent, Emoji: pick(r, reactionEmoji)}
	case n < 95 && c.lastAgent != "":
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.replies)), ReplyTo: c.lastAgent}
	case n < 96:
		return InboundMessage{Type: "unsupported"}
	case n < 98 && c.lastAgent != "":
		return InboundMessage{Type: "text", Text: "STOP"}
	default:
		return InboundMessage{Type: "text", Text: fill(r, pick(r, c.loc.replies))}
	}
}

func (s *Sandbox) randomReferral(r *rand.Rand) *Referral {
	const clidChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	clid := make([]byte, 64)
	for i := range clid {
		clid[i] = clidChars[r.IntN(len(clidChars))]
	}
	ads := []struct{ headline, body string }{
		{"Chat with us on WhatsApp", "Spring sale: 25% off everything 🌷"},
		{"Free shipping this week", "Order by Sunday and get free delivery 🚚"},
		{"¿Tienes dudas? Escríbenos", "Envíos gratis en todo México 🇲🇽"},
	}
	ad := ads[r.IntN(len(ads))]
	return &Referral{
		SourceURL: "https://fb.me/" + strconv.FormatUint(r.Uint64N(1e10), 36), SourceID: "1202" + digits(r, 14), SourceType: "ad",
		Body: ad.body, Headline: ad.headline, MediaType: "image",
		ImageURL: "https://scontent.xx.fbcdn.net/v/t45.1600-4/sandbox_ad_" + digits(r, 6) + ".jpg",
		CtwaClid: string(clid),
	}
}
