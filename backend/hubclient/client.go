// Package hubclient is a typed Go client of a Switchboard hub: its REST
// API (/v1/...) and its realtime stream (/v1/stream). The desktop
// console's sync engine and the hub's own end-to-end tests use it.
//
// Every method returns nil or an *apierr.Error: the hub's error envelope
// decoded into the same value the hub produced, or HUB_UNREACHABLE when
// the hub could not be reached (the transport error is kept as the cause).
//
// Every body it sends and every answer it reads (the send request, the
// conversation patch, sign-in, token, user, contact, template, delivery
// and webhook bodies, pages of lists, the stream's frames and close
// codes, …) is a type of package wire (backend/wire), which the server
// decodes into and encodes from: one definition, so client and server
// cannot disagree on a field. This package declares none of its own
// (wire's shapes_test checks).
package hubclient

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// Client talks to one hub as one token. Set Token after Login (or use a
// token from an admin). A Client is safe for concurrent use once
// configured.
type Client struct {
	// BaseURL is the hub's address, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Token is sent as Authorization: Bearer.
	Token string
	// HTTP does the requests (default: 30 s timeout).
	HTTP *http.Client
	// UserAgent, when set, is sent on every request.
	UserAgent string
}

// New returns a client for the hub at baseURL.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

type envelope[T any] struct {
	Data       T                `json:"data"`
	Pagination *wire.Pagination `json:"pagination"`
}

// RateLimit is what the hub said about the token's budget on the last
// answer (zero before any).
type RateLimit struct {
	Limit, Remaining, Reset int
}

// Unreachable wraps a transport failure as HUB_UNREACHABLE.
func Unreachable(err error) *apierr.Error {
	return apierr.Wrap(err, apierr.HubUnreachable, "the hub cannot be reached")
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// request describes one call.
type request struct {
	method, path string
	query        url.Values
	body         any
	rawBody      []byte
	// stream is a body read as it is sent (uploads); its length is unknown.
	stream      io.Reader
	contentType string
	header      http.Header
	noAuth      bool
	// untimed drops the HTTP client's overall Timeout for this request,
	// leaving ctx to bound it: an upload of 100 MB may take minutes.
	untimed bool
}

// do sends r and decodes {"data": …} into out (when non-nil), returning
// the raw response for callers that need headers.
func (c *Client) do(ctx context.Context, r request, out any) (*http.Response, error) {
	u := strings.TrimRight(c.BaseURL, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	ct := r.contentType
	switch {
	case r.stream != nil:
		body = r.stream
	case r.rawBody != nil:
		body = bytes.NewReader(r.rawBody)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, apierr.Wrap(err, apierr.Internal, "encoding the request failed")
		}
		body = bytes.NewReader(b)
		ct = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, apierr.Wrap(err, apierr.InvalidRequest, "building the request failed")
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" && !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	hc := c.httpClient()
	if r.untimed && hc.Timeout > 0 {
		untimed := *hc
		untimed.Timeout = 0
		hc = &untimed
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, apierr.Wrap(ctx.Err(), apierr.HubUnreachable, "the request was cancelled")
		}
		return nil, Unreachable(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp, Unreachable(err)
	}
	if resp.StatusCode >= 400 {
		return resp, decodeError(resp, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, apierr.Wrap(err, apierr.Internal, "the hub answered with unexpected JSON")
		}
	}
	return resp, nil
}

// decodeError turns an error answer into the *apierr.Error it carries.
func decodeError(resp *http.Response, data []byte) error {
	var env apierr.Envelope
	if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
		e := env.Error.Err()
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = ra
		}
		return e
	}
	// Not our envelope: a proxy or a load balancer answered.
	code := apierr.Internal
	switch {
	case resp.StatusCode == http.StatusNotFound:
		code = apierr.NotFound
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		code = apierr.HubUnreachable
	}
	return apierr.New(code, "the hub answered %d", resp.StatusCode)
}

func getData[T any](ctx context.Context, c *Client, path string, q url.Values) (T, error) {
	var env envelope[T]
	_, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &env)
	return env.Data, err
}

func getPage[T any](ctx context.Context, c *Client, path string, q url.Values) (wire.Page[T], error) {
	var env envelope[[]T]
	_, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &env)
	p := wire.Page[T]{Items: env.Data}
	if env.Pagination != nil {
		p.NextCursor, p.HasMore = env.Pagination.NextCursor, env.Pagination.HasMore
	}
	return p, err
}

// all walks every page of a list.
func all[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", "100")
	var out []T
	for {
		p, err := getPage[T](ctx, c, path, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if !p.HasMore || p.NextCursor == "" {
			return out, nil
		}
		q.Set("cursor", p.NextCursor)
	}
}

func pageQuery(cursor string, limit int) url.Values {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

func send[T any](ctx context.Context, c *Client, method, path string, body any) (T, error) {
	return sendKeyed[T](ctx, c, "", method, path, body)
}

// sendKeyed is send with an Idempotency-Key ("" for none): the hub answers
// a retry with the same key with the first answer and changes nothing.
func sendKeyed[T any](ctx context.Context, c *Client, idempotencyKey, method, path string, body any) (T, error) {
	var env envelope[T]
	h := http.Header{}
	if idempotencyKey != "" {
		h.Set("Idempotency-Key", idempotencyKey)
	}
	_, err := c.do(ctx, request{method: method, path: path, body: body, header: h}, &env)
	return env.Data, err
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// --- Sign-in and tokens ---------------------------------------------------

// Login signs in with e-mail and password. It does not change c.Token:
// callers decide where the token goes (the desktop keeps it in the OS
// keychain). name labels the token in the hub's token list.
func (c *Client) Login(ctx context.Context, email, password, name string) (wire.LoginResult, error) {
	var env envelope[wire.LoginResult]
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/login", noAuth: true,
		body: wire.LoginRequest{Email: email, Password: password, Name: name}}, &env)
	return env.Data, err
}

// Logout revokes the client's token.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/logout"}, nil)
	return err
}

// Me returns the calling token's identity; it also proves the token works.
func (c *Client) Me(ctx context.Context) (wire.Me, error) {
	return getData[wire.Me](ctx, c, "/v1/me", nil)
}

// CreateToken creates an API token (admin scope).
func (c *Client) CreateToken(ctx context.Context, r wire.TokenRequest) (wire.NewToken, error) {
	return send[wire.NewToken](ctx, c, http.MethodPost, "/v1/tokens", r)
}

// Tokens lists active tokens (admin scope).
func (c *Client) Tokens(ctx context.Context) ([]wire.TokenInfo, error) {
	return all[wire.TokenInfo](ctx, c, "/v1/tokens", nil)
}

// RevokeToken revokes one token (admin scope).
func (c *Client) RevokeToken(ctx context.Context, tokenID int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/tokens/" + id(tokenID)}, nil)
	return err
}

// --- Users ------------------------------------------------------------------

// Users lists every user.
func (c *Client) Users(ctx context.Context) ([]domain.User, error) {
	return all[domain.User](ctx, c, "/v1/users", nil)
}

// User returns one user.
func (c *Client) User(ctx context.Context, userID int64) (domain.User, error) {
	return getData[domain.User](ctx, c, "/v1/users/"+id(userID), nil)
}

// PutUser creates the user with this e-mail or replaces it (admin).
func (c *Client) PutUser(ctx context.Context, u wire.UserInput) (domain.User, error) {
	return send[domain.User](ctx, c, http.MethodPut, "/v1/users", u)
}

// PatchUser changes some fields of a user (admin).
func (c *Client) PatchUser(ctx context.Context, userID int64, u wire.UserInput) (domain.User, error) {
	return send[domain.User](ctx, c, http.MethodPatch, "/v1/users/"+id(userID), u)
}

// DeleteUser deletes a user and revokes their tokens (admin).
func (c *Client) DeleteUser(ctx context.Context, userID int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/users/" + id(userID)}, nil)
	return err
}

// --- Accounts, conversations, counters --------------------------------------

// Accounts lists the hub's WhatsApp numbers.
func (c *Client) Accounts(ctx context.Context) ([]domain.Account, error) {
	return getData[[]domain.Account](ctx, c, "/v1/accounts", nil)
}

// ConversationFilter narrows Conversations; zero fields do not filter.
type ConversationFilter struct {
	Status string
	// Assignee is a user id, "me" or "none".
	Assignee string
	// Phone is a customer's number in any format.
	Phone      string
	Team       string
	Unanswered *bool
	Account    string
}

// Conversations returns one page of conversations, newest activity first.
func (c *Client) Conversations(ctx context.Context, f ConversationFilter, cursor string, limit int) (wire.Page[domain.Conversation], error) {
	q := pageQuery(cursor, limit)
	for k, v := range map[string]string{"status": f.Status, "assignee": f.Assignee, "team": f.Team, "account": f.Account, "phone": f.Phone} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Unanswered != nil {
		q.Set("unanswered", strconv.FormatBool(*f.Unanswered))
	}
	return getPage[domain.Conversation](ctx, c, "/v1/conversations", q)
}

// Conversation returns one conversation with its 50 most recent messages.
func (c *Client) Conversation(ctx context.Context, conversationID int64) (wire.ConversationDetail, error) {
	return getData[wire.ConversationDetail](ctx, c, "/v1/conversations/"+id(conversationID), nil)
}

// Messages pages backwards through a conversation, newest first.
func (c *Client) Messages(ctx context.Context, conversationID int64, cursor string, limit int) (wire.Page[domain.Message], error) {
	return getPage[domain.Message](ctx, c, "/v1/conversations/"+id(conversationID)+"/messages", pageQuery(cursor, limit))
}

// PatchConversation changes status, assignee or team; an
// idempotencyKey ("" for none) makes a retry change nothing (the hub
// answers it with the first answer).
func (c *Client) PatchConversation(ctx context.Context, idempotencyKey string, conversationID int64, p wire.ConversationPatch) (domain.Conversation, error) {
	return sendKeyed[domain.Conversation](ctx, c, idempotencyKey, http.MethodPatch, "/v1/conversations/"+id(conversationID), p)
}

// AddNote adds an internal note to a conversation; a retry with the same
// idempotencyKey gets the first note instead of adding another.
func (c *Client) AddNote(ctx context.Context, idempotencyKey string, conversationID int64, body string) (domain.Note, error) {
	return sendKeyed[domain.Note](ctx, c, idempotencyKey, http.MethodPost, "/v1/conversations/"+id(conversationID)+"/notes", wire.NoteInput{Body: body})
}

// Notes lists a conversation's notes, newest first.
func (c *Client) Notes(ctx context.Context, conversationID int64) ([]domain.Note, error) {
	return all[domain.Note](ctx, c, "/v1/conversations/"+id(conversationID)+"/notes", nil)
}

// Counters returns the unanswered counters the token may see.
func (c *Client) Counters(ctx context.Context) (domain.Counters, error) {
	return getData[domain.Counters](ctx, c, "/v1/counters", nil)
}

// --- Messages -----------------------------------------------------------------

// Send queues a message (wire.NewSend and wire.NewText build the common
// ones). A non-empty idempotencyKey is sent as the Idempotency-Key
// header: retrying with the same key and request returns the first
// message instead of sending twice, so a send retried after any failure
// is safe.
func (c *Client) Send(ctx context.Context, idempotencyKey string, r wire.SendRequest) (domain.Message, error) {
	return sendKeyed[domain.Message](ctx, c, idempotencyKey, http.MethodPost, "/v1/messages", r)
}

// MessageQuery narrows QueryMessages; zero fields do not filter.
type MessageQuery struct {
	Phone, Direction, Status, Type string
	ConversationID                 int64
	Since, Until                   *time.Time
	Cursor                         string
	Limit                          int
}

// QueryMessages looks messages up (newest first), e.g. delivery statuses
// by phone.
func (c *Client) QueryMessages(ctx context.Context, mq MessageQuery) (wire.Page[domain.Message], error) {
	q := pageQuery(mq.Cursor, mq.Limit)
	for k, v := range map[string]string{"phone": mq.Phone, "direction": mq.Direction, "status": mq.Status, "type": mq.Type} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if mq.ConversationID != 0 {
		q.Set("conversation_id", id(mq.ConversationID))
	}
	if mq.Since != nil {
		q.Set("since", mq.Since.UTC().Format(time.RFC3339Nano))
	}
	if mq.Until != nil {
		q.Set("until", mq.Until.UTC().Format(time.RFC3339Nano))
	}
	return getPage[domain.Message](ctx, c, "/v1/messages", q)
}

// Message returns one message.
func (c *Client) Message(ctx context.Context, messageID int64) (domain.Message, error) {
	return getData[domain.Message](ctx, c, "/v1/messages/"+id(messageID), nil)
}

// MarkRead marks an inbound message read (blue ticks for the customer).
func (c *Client) MarkRead(ctx context.Context, idempotencyKey string, messageID int64) (domain.Message, error) {
	return sendKeyed[domain.Message](ctx, c, idempotencyKey, http.MethodPost, "/v1/messages/"+id(messageID)+"/read", nil)
}

// Media is a downloaded media file.
type Media struct {
	ContentType string
	Data        []byte
}

// Media downloads a message's media (the hub proxies and caches it).
func (c *Client) Media(ctx context.Context, mediaID string) (Media, error) {
	u := strings.TrimRight(c.BaseURL, "/") + "/v1/media/" + url.PathEscape(mediaID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Media{}, apierr.Wrap(err, apierr.InvalidRequest, "building the request failed")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return Media{}, Unreachable(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 101<<20))
	if err != nil {
		return Media{}, Unreachable(err)
	}
	if resp.StatusCode >= 400 {
		return Media{}, decodeError(resp, data)
	}
	return Media{ContentType: resp.Header.Get("Content-Type"), Data: data}, nil
}

// MediaURL is a URL for the media that carries the token, for places that
// cannot set headers (an <img> in the console's webview).
func (c *Client) MediaURL(mediaID string) string {
	return strings.TrimRight(c.BaseURL, "/") + "/v1/media/" + url.PathEscape(mediaID) + "?access_token=" + url.QueryEscape(c.Token)
}

// --- Templates ------------------------------------------------------------------

// Templates lists every synced template.
func (c *Client) Templates(ctx context.Context) ([]domain.Template, error) {
	return all[domain.Template](ctx, c, "/v1/templates", nil)
}

// CreateTemplate submits a template for approval (templates:write).
func (c *Client) CreateTemplate(ctx context.Context, t wire.TemplateDraft) (domain.Template, error) {
	return send[domain.Template](ctx, c, http.MethodPost, "/v1/templates", t)
}

// SyncTemplates reloads the templates from Meta (templates:write).
func (c *Client) SyncTemplates(ctx context.Context) ([]domain.Template, error) {
	return send[[]domain.Template](ctx, c, http.MethodPost, "/v1/templates/sync", nil)
}

// DeleteTemplate deletes a template in every language (templates:write).
func (c *Client) DeleteTemplate(ctx context.Context, name string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/templates/" + url.PathEscape(name)}, nil)
	return err
}

// --- Bulk deliveries --------------------------------------------------------------

// CreateDelivery starts a bulk template send.
func (c *Client) CreateDelivery(ctx context.Context, r wire.DeliveryRequest) (wire.Delivery, error) {
	return send[wire.Delivery](ctx, c, http.MethodPost, "/v1/deliveries", r)
}

// UploadDeliveryCSV starts a bulk send from a CSV (a phone column plus one
// column per variable), uploaded as multipart/form-data.
func (c *Client) UploadDeliveryCSV(ctx context.Context, template, language string, csv []byte) (wire.Delivery, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("template", template)
	_ = mw.WriteField("language", language)
	fw, _ := mw.CreateFormFile("file", "recipients.csv")
	_, _ = fw.Write(csv)
	_ = mw.Close()
	var env envelope[wire.Delivery]
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/deliveries", rawBody: buf.Bytes(), contentType: mw.FormDataContentType()}, &env)
	return env.Data, err
}

// Delivery returns a job with a page of its recipients.
func (c *Client) Delivery(ctx context.Context, deliveryID int64, cursor string, limit int) (wire.Delivery, error) {
	return getData[wire.Delivery](ctx, c, "/v1/deliveries/"+id(deliveryID), pageQuery(cursor, limit))
}

// Deliveries lists jobs, newest first, optionally those with a recipient
// phone.
func (c *Client) Deliveries(ctx context.Context, phone, cursor string, limit int) (wire.Page[wire.Delivery], error) {
	q := pageQuery(cursor, limit)
	if phone != "" {
		q.Set("phone", phone)
	}
	return getPage[wire.Delivery](ctx, c, "/v1/deliveries", q)
}

// --- Contacts and opt-outs ----------------------------------------------------------

// UpsertContact updates a contact by id, or by phone (created when new).
func (c *Client) UpsertContact(ctx context.Context, in wire.ContactInput) (domain.Contact, error) {
	return send[domain.Contact](ctx, c, http.MethodPatch, "/v1/contacts", in)
}

// Contacts returns a page of contacts (phone: any format; q: search).
func (c *Client) Contacts(ctx context.Context, phone, search, cursor string, limit int) (wire.Page[domain.Contact], error) {
	q := pageQuery(cursor, limit)
	if phone != "" {
		q.Set("phone", phone)
	}
	if search != "" {
		q.Set("q", search)
	}
	return getPage[domain.Contact](ctx, c, "/v1/contacts", q)
}

// OptOut opts a number (any format) out of all messages; the answer is
// its contact (created when the number is unknown).
func (c *Client) OptOut(ctx context.Context, phone string) (domain.Contact, error) {
	return send[domain.Contact](ctx, c, http.MethodPost, "/v1/optouts", wire.OptOutRequest{Phone: phone})
}

// OptIn removes a number's opt-out.
func (c *Client) OptIn(ctx context.Context, phone string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/optouts/" + url.PathEscape(phone)}, nil)
	return err
}

// OptOuts returns a page of the contacts who opted out.
func (c *Client) OptOuts(ctx context.Context, cursor string, limit int) (wire.Page[domain.Contact], error) {
	return getPage[domain.Contact](ctx, c, "/v1/optouts", pageQuery(cursor, limit))
}

// --- Webhooks -----------------------------------------------------------------------

// PutWebhook sets the subscription for url (admin). An empty secret has
// one generated; the answer carries it in full, once.
func (c *Client) PutWebhook(ctx context.Context, url, secret string, events []string) (wire.Webhook, error) {
	return send[wire.Webhook](ctx, c, http.MethodPut, "/v1/webhooks", wire.WebhookRequest{URL: url, Secret: secret, Events: events})
}

// Webhooks lists the subscriptions (secrets masked).
func (c *Client) Webhooks(ctx context.Context) ([]wire.Webhook, error) {
	return getData[[]wire.Webhook](ctx, c, "/v1/webhooks", nil)
}

// DeleteWebhook removes a subscription.
func (c *Client) DeleteWebhook(ctx context.Context, webhookID int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/webhooks/" + id(webhookID)}, nil)
	return err
}

// --- Events and snapshots -------------------------------------------------------------

// Head returns the log's newest and oldest seq.
func (c *Client) Head(ctx context.Context) (wire.EventHead, error) {
	return getData[wire.EventHead](ctx, c, "/v1/events/head", nil)
}

// Snapshot is everything a console needs to start, consistent with Head:
// stream from Head afterwards and nothing is lost (events between Head
// and the lists are replayed; applying them again is harmless because
// every event carries the whole object).
type Snapshot struct {
	Head          int64
	Conversations []domain.Conversation
	Templates     []domain.Template
	Counters      domain.Counters
	Users         []domain.User
	Accounts      []domain.Account
}

// Snapshot reads the head first, then every visible conversation, the
// templates, counters, users and accounts.
func (c *Client) Snapshot(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	h, err := c.Head(ctx)
	if err != nil {
		return s, err
	}
	s.Head = h.Head
	if s.Conversations, err = all[domain.Conversation](ctx, c, "/v1/conversations", nil); err != nil {
		return s, err
	}
	if s.Templates, err = c.Templates(ctx); err != nil {
		return s, err
	}
	if s.Counters, err = c.Counters(ctx); err != nil {
		return s, err
	}
	if s.Users, err = c.Users(ctx); err != nil {
		return s, err
	}
	if s.Accounts, err = c.Accounts(ctx); err != nil {
		return s, err
	}
	return s, nil
}

// EventsPage is one page of GET /v1/events.
type EventsPage struct {
	Frames []wire.Frame
	// Next is the seq to poll from next time.
	Next         int64
	HasMore      bool
	Head, Oldest int64
}

// Events polls the log after since (RESYNC_REQUIRED when too old).
func (c *Client) Events(ctx context.Context, since int64, limit int) (EventsPage, error) {
	q := url.Values{"since": {id(since)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var body wire.Events[wire.Frame]
	_, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/events", query: q}, &body)
	if err != nil {
		return EventsPage{}, err
	}
	next, _ := strconv.ParseInt(body.Pagination.NextCursor, 10, 64)
	return EventsPage{Frames: body.Data, Next: next, HasMore: body.Pagination.HasMore, Head: body.Head, Oldest: body.Oldest}, nil
}
