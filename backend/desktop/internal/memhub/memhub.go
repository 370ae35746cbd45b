// Package memhub is an in-memory hub for the desktop packages' tests: it
// keeps an event log, serves snapshots and the stream, de-duplicates sends
// by idempotency key, and can be told to fail the way a network does (go
// down, cut streams mid-replay, lose a send's response after acting on it).
//
// It stands in for the real hub only where a test needs a fault at an
// exact point; the end-to-end tests run the real hub on loopback.
package memhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// Hub is the fake. The zero value is not usable; call New.
type Hub struct {
	mu        sync.Mutex
	changed   chan struct{}
	log       []domain.Event // log[i].Seq == firstSeq+i
	firstSeq  int64
	seq       int64
	nextID    int64
	convs     map[int64]*domain.Conversation
	msgs      map[int64][]domain.Message // by conversation, oldest first
	notes     []domain.Note
	noteKeys  map[int64]string // note id → the Idempotency-Key it was added with
	templates []domain.Template
	users     []domain.User
	idem      map[string]domain.Message
	uploads   map[string]wire.UploadedMedia
	uploaded  [][]byte
	me        domain.User

	down         bool
	cutAfter     int
	loseResponse int
	loseUpload   int
	uploadCalls  int
	// refuseUploads, when set, answers every upload.
	refuseUploads error
	sendCalls     int
	streams       map[*stream]bool
	sendHook      func()
}

// New returns an empty hub whose signed-in user is agent 1.
func New() *Hub {
	return &Hub{
		changed:  make(chan struct{}),
		firstSeq: 1,
		nextID:   1000,
		convs:    map[int64]*domain.Conversation{},
		msgs:     map[int64][]domain.Message{},
		idem:     map[string]domain.Message{},
		uploads:  map[string]wire.UploadedMedia{},
		me:       domain.User{ID: 1, Email: "agent@example.com", Name: "Agent One", Role: domain.RoleAgent},
		users:    []domain.User{{ID: 1, Email: "agent@example.com", Name: "Agent One", Role: domain.RoleAgent}},
		templates: []domain.Template{{ID: "t1", Name: "order_ready", Language: "en_US", Status: "APPROVED",
			Category: "UTILITY", ParameterFormat: "POSITIONAL", Components: json.RawMessage(`[{"type":"BODY","text":"Hi {{1}}"}]`)}},
		streams: map[*stream]bool{},
	}
}

var _ remote.Hub = (*Hub)(nil)

func unreachable() error { return remote.Unreachable(errors.New("memhub: down")) }

// emit appends an event; the caller holds mu.
func (h *Hub) emit(typ string, convID int64, v any) {
	data, _ := json.Marshal(v)
	h.seq++
	h.log = append(h.log, domain.Event{Seq: h.seq, Type: typ, ConversationID: convID, At: time.Now().UTC(), Data: data})
	close(h.changed)
	h.changed = make(chan struct{})
}

// SetDown makes every call fail as if the hub were unreachable, and cuts
// open streams.
func (h *Hub) SetDown(down bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down = down
	close(h.changed)
	h.changed = make(chan struct{})
}

// CutStreamsAfter makes every stream opened from now on fail after
// delivering n events (0: never).
func (h *Hub) CutStreamsAfter(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cutAfter = n
}

// LoseSendResponses makes the next n sends create their message and then
// fail as if the response were lost on the way back.
func (h *Hub) LoseSendResponses(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.loseResponse = n
}

// OnSend runs fn inside every Send call, before the message is created
// (with the hub unlocked), so a test can act mid-request.
func (h *Hub) OnSend(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sendHook = fn
}

// Trim forgets events up to and including seq, as a hub whose log keeps
// only recent events does.
func (h *Hub) Trim(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := int(min(seq-h.firstSeq+1, int64(len(h.log))))
	if n <= 0 {
		return
	}
	h.log = append([]domain.Event(nil), h.log[n:]...)
	h.firstSeq += int64(n)
}

// Seq is the newest event's sequence number.
func (h *Hub) Seq() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// SendCalls counts Send requests received (retries included).
func (h *Hub) SendCalls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sendCalls
}

// Outbound lists the messages agents have sent, oldest first.
func (h *Hub) Outbound() []domain.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []domain.Message
	for _, ms := range h.msgs {
		for _, m := range ms {
			if m.Direction == domain.Outbound {
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddConversation creates a conversation with a new contact.
func (h *Hub) AddConversation(name, phone string) domain.Conversation {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	now := time.Now().UTC()
	c := &domain.Conversation{ID: h.nextID, AccountID: "acc1", Status: domain.StatusOpen,
		Contact:        domain.Contact{ID: h.nextID, Name: name, Phone: phone, CreatedAt: now, UpdatedAt: now},
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	h.convs[c.ID] = c
	h.emit(domain.EventConversationUpdated, c.ID, c)
	return *c
}

// DeleteConversation deletes a conversation, as an admin or a retention
// rule does on the hub: the log gets conversation.deleted with the
// conversation as it was.
func (h *Hub) DeleteConversation(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.convs[id]
	delete(h.convs, id)
	delete(h.msgs, id)
	h.emit(domain.EventConversationDeleted, id, c)
}

// Announce logs an event of any type with v as its data, for what the hub
// does that this fake has no method for (account.updated, a type a newer
// hub sends).
func (h *Hub) Announce(typ string, v any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.emit(typ, 0, v)
}

// CustomerSays records an inbound text message and opens the window.
func (h *Hub) CustomerSays(convID int64, text string) domain.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.convs[convID]
	now := time.Now().UTC()
	m := h.newMessage(c, domain.Inbound, "text", mustJSON(map[string]string{"body": text}), text, now)
	m.Status = domain.MsgReceived
	h.msgs[convID] = append(h.msgs[convID], m)
	h.emit(domain.EventMessageCreated, convID, m)
	exp := now.Add(24 * time.Hour)
	c.WindowExpiresAt, c.Unanswered, c.WaitingSince = &exp, true, &now
	c.UnreadCount++
	h.touch(c, m)
	return m
}

func (h *Hub) newMessage(c *domain.Conversation, dir domain.Direction, typ string, content json.RawMessage, preview string, now time.Time) domain.Message {
	h.nextID++
	m := domain.Message{ID: h.nextID, ConversationID: c.ID, AccountID: c.AccountID, Direction: dir, Type: typ,
		Content: content, Preview: preview, Reactions: []domain.Reaction{}, Timestamp: now, CreatedAt: now, UpdatedAt: now}
	if dir == domain.Inbound {
		m.From, m.To = c.Contact.Phone, "+15550000000"
	} else {
		m.From, m.To = "+15550000000", c.Contact.Phone
	}
	return m
}

func (h *Hub) touch(c *domain.Conversation, m domain.Message) {
	c.LastMessage = &domain.MessagePreview{ID: m.ID, Direction: m.Direction, Type: m.Type, Preview: m.Preview, Status: m.Status, At: m.Timestamp}
	c.LastActivityAt, c.UpdatedAt = m.Timestamp, m.Timestamp
	h.emit(domain.EventConversationUpdated, c.ID, c)
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// Password is the demo agent's password; Token the token Login answers.
const (
	Email    = "agent@example.com"
	Password = "correct horse"
	Token    = "memhub-token"
)

// Login implements remote.Authenticator for the one agent.
func (h *Hub) Login(_ context.Context, email, password string) (remote.Session, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return remote.Session{}, unreachable()
	}
	if email != Email || password != Password {
		return remote.Session{}, apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	return remote.Session{Token: Token, User: h.me}, nil
}

// Me implements remote.Hub.
func (h *Hub) Me(context.Context) (domain.User, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return domain.User{}, unreachable()
	}
	return h.me, nil
}

// Head implements remote.Hub.
func (h *Hub) Head(context.Context) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return 0, unreachable()
	}
	return h.seq, nil
}

// Conversations implements remote.Hub (newest activity first).
func (h *Hub) Conversations(_ context.Context, cursor string, limit int) (wire.Page[domain.Conversation], error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return wire.Page[domain.Conversation]{}, unreachable()
	}
	all := make([]domain.Conversation, 0, len(h.convs))
	for _, c := range h.convs {
		all = append(all, *c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	return page(all, cursor, limit), nil
}

func page[T any](all []T, cursor string, limit int) wire.Page[T] {
	off, _ := strconv.Atoi(cursor)
	end := min(off+limit, len(all))
	p := wire.Page[T]{Items: append([]T(nil), all[min(off, len(all)):end]...)}
	if end < len(all) {
		p.HasMore, p.NextCursor = true, strconv.Itoa(end)
	}
	return p
}

// Messages implements remote.Hub (newest first).
func (h *Hub) Messages(_ context.Context, convID int64, cursor string, limit int) (wire.Page[domain.Message], error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return wire.Page[domain.Message]{}, unreachable()
	}
	ms := h.msgs[convID]
	rev := make([]domain.Message, len(ms))
	for i, m := range ms {
		rev[len(ms)-1-i] = m
	}
	return page(rev, cursor, limit), nil
}

// Templates implements remote.Hub.
func (h *Hub) Templates(context.Context) ([]domain.Template, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return nil, unreachable()
	}
	return append([]domain.Template(nil), h.templates...), nil
}

// Users implements remote.Hub.
func (h *Hub) Users(context.Context) ([]domain.User, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return nil, unreachable()
	}
	return append([]domain.User(nil), h.users...), nil
}

// Counters implements remote.Hub.
func (h *Hub) Counters(context.Context) (domain.Counters, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return domain.Counters{}, unreachable()
	}
	k := domain.Counters{ByAgent: map[string]int{}, ByTeam: map[string]int{}}
	for _, c := range h.convs {
		if c.Unanswered {
			k.Total++
		}
	}
	return k, nil
}

// Accounts implements remote.Hub.
func (h *Hub) Accounts(context.Context) ([]domain.Account, error) {
	return nil, apierr.New(apierr.Forbidden, "agents may not list accounts")
}

// Send implements remote.Hub, honouring the idempotency key.
func (h *Hub) Send(_ context.Context, key string, req wire.SendRequest) (domain.Message, error) {
	h.mu.Lock()
	h.sendCalls++
	hook := h.sendHook
	down := h.down
	h.mu.Unlock()
	if down {
		return domain.Message{}, unreachable()
	}
	if hook != nil {
		hook()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return domain.Message{}, unreachable()
	}
	m, seen := h.idem[key]
	if !seen {
		c, ok := h.convs[req.ConversationID]
		if !ok {
			return domain.Message{}, apierr.New(apierr.NotFound, "no such conversation")
		}
		now := time.Now().UTC()
		if req.Type != "template" && !c.WindowOpen(now) {
			return domain.Message{}, apierr.New(apierr.SessionExpired, "the customer service window is closed")
		}
		content, preview := req.Payload(), ""
		if req.Type == "template" {
			content = mustJSON(req.Template)
			preview = req.Template.Name
		} else {
			var t struct{ Body string }
			_ = json.Unmarshal(content, &t)
			preview = t.Body
		}
		m = h.newMessage(c, domain.Outbound, req.Type, content, preview, now)
		m.Status, m.AuthorID = domain.MsgQueued, &h.me.ID
		if req.ReplyTo != 0 {
			reply := req.ReplyTo
			m.ReplyTo = &reply
		}
		h.msgs[c.ID] = append(h.msgs[c.ID], m)
		h.idem[key] = m
		h.emit(domain.EventMessageCreated, c.ID, m)
		c.Unanswered, c.WaitingSince = false, nil
		h.touch(c, m)
	}
	if h.loseResponse > 0 {
		h.loseResponse--
		return domain.Message{}, remote.Unreachable(errors.New("memhub: response lost"))
	}
	return m, nil
}

// SetStatus moves a message's delivery status, as Meta's webhooks do.
func (h *Hub) SetStatus(msgID int64, status domain.MessageStatus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for convID, ms := range h.msgs {
		for i := range ms {
			if ms[i].ID == msgID {
				ms[i].Status, ms[i].UpdatedAt = status, time.Now().UTC()
				h.emit(domain.EventMessageUpdated, convID, ms[i])
				return
			}
		}
	}
}

// PatchConversation implements remote.Hub.
func (h *Hub) PatchConversation(_ context.Context, _ string, id int64, p wire.ConversationPatch) (domain.Conversation, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return domain.Conversation{}, unreachable()
	}
	c, ok := h.convs[id]
	if !ok {
		return domain.Conversation{}, apierr.New(apierr.NotFound, "no such conversation")
	}
	if p.Status != nil {
		c.Status = *p.Status
	}
	if p.Unassign {
		c.AssigneeID = nil
	} else if p.AssigneeID != nil {
		a := *p.AssigneeID
		c.AssigneeID = &a
	}
	if p.Team != nil {
		c.Team = *p.Team
	}
	c.SnoozedUntil = p.SnoozedUntil
	c.UpdatedAt = time.Now().UTC()
	h.emit(domain.EventConversationUpdated, id, c)
	return *c, nil
}

// AddNote implements remote.Hub.
func (h *Hub) AddNote(_ context.Context, key string, convID int64, body string) (domain.Note, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return domain.Note{}, unreachable()
	}
	for _, n := range h.notes {
		if key != "" && h.noteKeys[n.ID] == key {
			return n, nil
		}
	}
	h.nextID++
	if h.noteKeys == nil {
		h.noteKeys = map[int64]string{}
	}
	h.noteKeys[h.nextID] = key
	n := domain.Note{ID: h.nextID, ConversationID: convID, AuthorID: h.me.ID, Body: body, CreatedAt: time.Now().UTC()}
	h.notes = append(h.notes, n)
	h.emit(domain.EventNoteCreated, convID, n)
	return n, nil
}

// MarkRead implements remote.Hub.
func (h *Hub) MarkRead(_ context.Context, _ string, msgID int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return unreachable()
	}
	for convID, ms := range h.msgs {
		for i := range ms {
			if ms[i].ID == msgID {
				c := h.convs[convID]
				c.UnreadCount, c.UpdatedAt = 0, time.Now().UTC()
				h.emit(domain.EventConversationUpdated, convID, c)
				return nil
			}
		}
	}
	return apierr.New(apierr.NotFound, "no such message")
}

// Media implements remote.Hub.
func (h *Hub) Media(_ context.Context, id string) (remote.MediaFile, error) {
	if h.down {
		return remote.MediaFile{}, unreachable()
	}
	return remote.MediaFile{MimeType: "image/png", Filename: id + ".png", Data: []byte("\x89PNG fake " + id)}, nil
}

// UploadMedia implements remote.Hub, honouring the idempotency key.
func (h *Hub) UploadMedia(_ context.Context, key string, up remote.Upload) (wire.UploadedMedia, error) {
	data, err := io.ReadAll(up.Body)
	if err != nil {
		return wire.UploadedMedia{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.uploadCalls++
	if h.down {
		return wire.UploadedMedia{}, unreachable()
	}
	if h.refuseUploads != nil {
		return wire.UploadedMedia{}, h.refuseUploads
	}
	m, seen := h.uploads[key]
	if !seen {
		h.nextID++
		m = wire.UploadedMedia{ID: "media-" + strconv.FormatInt(h.nextID, 10), MimeType: up.MimeType, FileSize: int64(len(data)), Filename: up.Filename}
		h.uploads[key] = m
		h.uploaded = append(h.uploaded, data)
	}
	if h.loseUpload > 0 {
		h.loseUpload--
		return wire.UploadedMedia{}, remote.Unreachable(errors.New("memhub: upload response lost"))
	}
	return m, nil
}

// LoseUploadResponses makes the next n uploads succeed on the hub but fail
// for the caller, as if the answer was lost.
func (h *Hub) LoseUploadResponses(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.loseUpload = n
}

// RefuseUploads makes every upload fail with err (nil: accept again).
func (h *Hub) RefuseUploads(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refuseUploads = err
}

// UploadCalls counts UploadMedia calls, failed and repeated ones included.
func (h *Hub) UploadCalls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.uploadCalls
}

// Uploaded returns the files the hub stored, one per distinct upload.
func (h *Hub) Uploaded() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.uploaded...)
}

// Stream implements remote.Hub.
func (h *Hub) Stream(_ context.Context, since int64) (remote.Stream, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return nil, unreachable()
	}
	if since < h.firstSeq-1 {
		return nil, apierr.New(apierr.ResyncRequired, "seq %d is older than the log keeps", since)
	}
	s := &stream{h: h, cursor: since, cutAfter: h.cutAfter, closed: make(chan struct{})}
	h.streams[s] = true
	return s, nil
}

type stream struct {
	h         *Hub
	cursor    int64
	cutAfter  int
	delivered int
	caught    bool
	closed    chan struct{}
	once      sync.Once
}

func (s *stream) Next(ctx context.Context) (remote.Batch, error) {
	h := s.h
	for {
		h.mu.Lock()
		select {
		case <-s.closed:
			h.mu.Unlock()
			return remote.Batch{}, unreachable()
		default:
		}
		if h.down {
			h.mu.Unlock()
			return remote.Batch{}, unreachable()
		}
		if s.cutAfter > 0 && s.delivered >= s.cutAfter {
			h.mu.Unlock()
			return remote.Batch{}, remote.Unreachable(fmt.Errorf("memhub: stream cut after %d events", s.delivered))
		}
		if s.cursor < h.firstSeq-1 {
			h.mu.Unlock()
			return remote.Batch{}, apierr.New(apierr.ResyncRequired, "fell behind the log")
		}
		start := int(s.cursor - h.firstSeq + 1)
		if start < len(h.log) {
			end := min(start+100, len(h.log))
			if s.cutAfter > 0 {
				end = min(end, start+s.cutAfter-s.delivered)
			}
			evs := append([]domain.Event(nil), h.log[start:end]...)
			s.cursor = evs[len(evs)-1].Seq
			s.delivered += len(evs)
			f := remote.Batch{Events: evs, CaughtUp: s.cursor == h.seq}
			s.caught = s.caught || f.CaughtUp
			h.mu.Unlock()
			return f, nil
		}
		if !s.caught {
			s.caught = true
			h.mu.Unlock()
			return remote.Batch{CaughtUp: true}, nil
		}
		ch := h.changed
		h.mu.Unlock()
		select {
		case <-ctx.Done():
			return remote.Batch{}, ctx.Err()
		case <-s.closed:
		case <-ch:
		}
	}
}

func (s *stream) Close() error {
	s.once.Do(func() {
		close(s.closed)
		s.h.mu.Lock()
		delete(s.h.streams, s)
		s.h.mu.Unlock()
	})
	return nil
}
