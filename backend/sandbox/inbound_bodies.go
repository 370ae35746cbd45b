package sandbox

// SignedBody is one webhook body and its X-Hub-Signature-256 value, ready to
// POST to a webhook receiver.
type SignedBody struct {
	// Body is the exact JSON bytes.
	Body []byte
	// Signature is "sha256=<hex>" over Body with the app secret.
	Signature string
}

// InboundBodies produces n signed notification bodies of inbound customer
// messages, each holding perBody messages (perBody < 1 means 1), made by the
// simulated population exactly as they would be posted, without posting
// them. Benchmarks feed them straight to the hub's webhook handler. The
// messages are recorded in the sandbox (they count as sent), so the media
// they reference can be downloaded.
func (s *Sandbox) InboundBodies(n, perBody int) []SignedBody {
	if perBody < 1 {
		perBody = 1
	}
	out := make([]SignedBody, 0, n)
	batch := make([]event, 0, perBody)
	for len(out) < n {
		batch = batch[:0]
		s.mu.Lock()
		if len(s.customerList) == 0 {
			s.mu.Unlock()
			return out
		}
		var phoneID string
		for tries := 0; len(batch) < perBody && tries < perBody*4; tries++ {
			c := s.customerList[s.rng.IntN(len(s.customerList))]
			if phoneID != "" && c.info.PhoneNumberID != phoneID {
				continue
			}
			ev, err := s.customerMessageLocked(c, InboundMessage{})
			if err != nil {
				continue
			}
			phoneID = ev.phoneID
			batch = append(batch, ev)
		}
		s.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		body, err := s.buildBody(batch)
		if err != nil {
			continue
		}
		out = append(out, SignedBody{Body: body, Signature: Sign(s.cfg.AppSecret, body)})
	}
	return out
}

// StatusBodies produces n signed bodies of status notifications (sent,
// delivered and read in turn for made-up outbound messages), each with
// perBody statuses, for benchmarking status ingestion. The wamids are
// random; nothing is recorded.
func (s *Sandbox) StatusBodies(n, perBody int) []SignedBody {
	if perBody < 1 {
		perBody = 1
	}
	statuses := []string{"sent", "delivered", "read"}
	out := make([]SignedBody, 0, n)
	for i := 0; i < n; i++ {
		s.mu.Lock()
		if len(s.customerList) == 0 {
			s.mu.Unlock()
			return out
		}
		c := s.customerList[s.rng.IntN(len(s.customerList))]
		now := s.clock.Now()
		batch := make([]event, 0, perBody)
		for j := 0; j < perBody; j++ {
			m := &storedMessage{MessageRecord: MessageRecord{ID: s.ids.wamid(c.info.WaID, false), WaID: c.info.WaID,
				PhoneNumberID: c.info.PhoneNumberID, Type: "text", Status: "accepted"}}
			s.priceLocked(c, m, now)
			st := statuses[(i*perBody+j)%3]
			if st != "sent" {
				m.Status = statuses[(i*perBody+j)%3-1]
			}
			ev, _ := s.statusEventLocked(m, st, nil)
			batch = append(batch, ev)
		}
		s.mu.Unlock()
		body, _ := s.buildBody(batch)
		out = append(out, SignedBody{Body: body, Signature: Sign(s.cfg.AppSecret, body)})
	}
	return out
}
