package hubapi

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hubapi/wire"
)

// Bulk template deliveries: one template, one language, many recipients
// each with their own variables. Each recipient moves
// pending → in_progress → processed_ok | processed_ko (with a reason).
// in_progress lasts until WhatsApp has delivered the message (or it
// failed): Meta accepts sends to numbers that are not on WhatsApp and
// reports the failure in a status webhook moments later, so "sent" alone
// is not success. A message still only "sent" after Config.DeliverySettle
// (the phone is off, say) counts as processed_ok: Meta took it and
// reported no error.

// Recipient states and failure reasons.
const (
	RecipientPending     = "pending"
	RecipientInProgress  = "in_progress"
	RecipientProcessedOK = "processed_ok"
	RecipientProcessedKO = "processed_ko"

	ReasonInvalidNumber = "invalid_number"
	ReasonOptedOut      = "opted_out"
	ReasonTemplateError = "template_error"
	ReasonMetaError     = "meta_error"
	ReasonInternalError = "internal_error"
)

// Bulk limits.
const (
	maxRecipients   = 10000
	maxDeliveryBody = 5 << 20
)

// deliveryRow is a bulk job as stored: its API body plus who started it,
// which decides who may see it but is never shown.
type deliveryRow struct {
	wire.Delivery
	createdBy string
}

type deliveryInput struct {
	AccountID  string `json:"account_id"`
	Template   string `json:"template"`
	Language   string `json:"language"`
	Recipients []struct {
		Phone     string            `json:"phone"`
		Variables map[string]string `json:"variables"`
	} `json:"recipients"`
}

type parsedRecipient struct {
	row       int
	input     string
	vars      map[string]string
	phone     string
	reasonErr string
}

// handleCreateDelivery is POST /v1/deliveries, with a JSON body or a CSV
// (text/csv with ?template=&language=, or multipart/form-data with fields
// template, language, account_id and a file part): a phone column plus
// one column per variable, named like the template's parameters ("1",
// "2", … or the named ones). Invalid numbers do not fail the request:
// they become processed_ko recipients, so one typo in a list of
// thousands does not block the rest.
func (s *Server) handleCreateDelivery(w http.ResponseWriter, r *http.Request) error {
	var (
		in   deliveryInput
		recs []parsedRecipient
	)
	switch mt := mediaType(r); mt {
	case "application/json":
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		for i, rc := range in.Recipients {
			recs = append(recs, parsedRecipient{row: i, input: rc.Phone, vars: rc.Variables})
		}
	case "text/csv":
		q := r.URL.Query()
		in.Template, in.Language, in.AccountID = q.Get("template"), q.Get("language"), q.Get("account_id")
		body, err := readBody(r, maxDeliveryBody)
		if err != nil {
			return err
		}
		if recs, err = parseRecipientsCSV(body); err != nil {
			return err
		}
	case "multipart/form-data":
		var err error
		if recs, err = parseDeliveryMultipart(r, &in); err != nil {
			return err
		}
	default:
		return apierr.New(apierr.UnsupportedMediaType, "send application/json, text/csv or multipart/form-data")
	}
	in.Template, in.Language = strings.TrimSpace(in.Template), strings.TrimSpace(in.Language)
	switch {
	case in.Template == "":
		return apierr.Field(apierr.InvalidRequest, "template", "template is required")
	case in.Language == "":
		return apierr.Field(apierr.InvalidRequest, "language", "language is required")
	case len(recs) == 0:
		return apierr.Field(apierr.InvalidRequest, "recipients", "give at least one recipient")
	case len(recs) > maxRecipients:
		return apierr.Field(apierr.ValidationFailed, "recipients", "at most %d recipients per delivery", maxRecipients)
	}
	ctx := r.Context()
	accountID, err := s.resolveAccount(ctx, in.AccountID)
	if err != nil {
		return err
	}
	ts, err := s.core.ListTemplates(ctx, hub.TemplateQuery{Account: accountID, Name: in.Template, Language: in.Language,
		Status: "APPROVED", PageRequest: hub.PageRequest{Limit: 1}})
	if err != nil {
		return err
	}
	if len(ts.Items) == 0 {
		return apierr.Field(apierr.TemplateNotFound, "template", "no approved template %q in %s", in.Template, in.Language)
	}
	for i := range recs {
		if recs[i].vars == nil {
			recs[i].vars = map[string]string{}
		}
		p, err := normalizePhone("phone", recs[i].input)
		if err != nil {
			recs[i].reasonErr = apierr.As(err).Message
			continue
		}
		recs[i].phone = p
	}
	p := principalFrom(r)
	createdBy := "token:" + strconv.FormatInt(p.TokenID, 10)
	if p.UserID != nil {
		createdBy = "user:" + strconv.FormatInt(*p.UserID, 10)
	}
	now := formatTime(s.now())
	var id int64
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO delivery_jobs (account_id, template, language, created_by, author_id, state, total, created_at)
			VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`, accountID, in.Template, in.Language, createdBy, nullInt(p.UserID), len(recs), now)
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO delivery_recipients (job_id, row, input_phone, phone, variables, state, reason, detail, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, rc := range recs {
			vj, _ := json.Marshal(rc.vars)
			state, reason := RecipientPending, ""
			if rc.reasonErr != "" {
				state, reason = RecipientProcessedKO, ReasonInvalidNumber
			}
			if _, err := stmt.ExecContext(ctx, id, rc.row, rc.input, rc.phone, string(vj), state, reason, rc.reasonErr, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.deliveries.poke()
	d, err := s.getDelivery(ctx, id, pageParams{Limit: 0})
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusAccepted, d)
}

// resolveAccount is the number a bulk delivery or an upload goes from: the
// one named, or the only configured one (hub.Service.ResolveAccount). An
// unknown number in the request's fields is a validation failure here.
func (s *Server) resolveAccount(_ context.Context, id string) (string, error) {
	a, err := s.core.ResolveAccount(id)
	if apierr.CodeOf(err) == apierr.NotFound {
		return "", apierr.Field(apierr.ValidationFailed, "account_id", "no WhatsApp number %q", id)
	}
	return a.ID, err
}

// parseRecipientsCSV reads a header row with a phone column and one
// column per variable, then one recipient per row.
func parseRecipientsCSV(body []byte) ([]parsedRecipient, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")) // Excel's UTF-8 BOM
	cr := csv.NewReader(bytes.NewReader(body))
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apierr.New(apierr.InvalidRequest, "the CSV is empty: the first row names the columns (phone, then one per variable)")
	}
	if err != nil {
		return nil, csvError(err)
	}
	phoneCol := -1
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		names[i] = h
		if strings.EqualFold(h, "phone") {
			if phoneCol >= 0 {
				return nil, apierr.New(apierr.InvalidRequest, "the CSV has two phone columns")
			}
			phoneCol = i
			continue
		}
		if h == "" {
			return nil, apierr.New(apierr.InvalidRequest, "CSV column %d has no name; name each variable column", i+1)
		}
		if seen[h] {
			return nil, apierr.New(apierr.InvalidRequest, "the CSV has two columns named %q", h)
		}
		seen[h] = true
	}
	if phoneCol < 0 {
		return nil, apierr.New(apierr.InvalidRequest, "the CSV needs a column named phone")
	}
	var out []parsedRecipient
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		vars := map[string]string{}
		for i, v := range rec {
			if i != phoneCol {
				vars[names[i]] = v
			}
		}
		out = append(out, parsedRecipient{row: line, input: strings.TrimSpace(rec[phoneCol]), vars: vars})
		if len(out) > maxRecipients {
			return nil, apierr.Field(apierr.ValidationFailed, "recipients", "at most %d recipients per delivery", maxRecipients)
		}
	}
	return out, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apierr.New(apierr.InvalidRequest, "CSV line %d: %s", pe.Line, pe.Err.Error())
	}
	return apierr.New(apierr.InvalidRequest, "the CSV cannot be read: %s", err.Error())
}

// parseDeliveryMultipart reads the form fields and the CSV file part.
func parseDeliveryMultipart(r *http.Request, in *deliveryInput) ([]parsedRecipient, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, apierr.New(apierr.InvalidRequest, "the multipart body has no boundary")
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, maxDeliveryBody+1), params["boundary"])
	var recs []parsedRecipient
	gotFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apierr.New(apierr.InvalidRequest, "the multipart body cannot be read: %s", err.Error())
		}
		data, err := io.ReadAll(io.LimitReader(part, maxDeliveryBody+1))
		if err != nil {
			return nil, apierr.New(apierr.InvalidRequest, "the multipart body cannot be read: %s", err.Error())
		}
		if len(data) > maxDeliveryBody {
			return nil, apierr.New(apierr.PayloadTooLarge, "the upload is larger than %d bytes", maxDeliveryBody)
		}
		switch part.FormName() {
		case "template":
			in.Template = string(data)
		case "language":
			in.Language = string(data)
		case "account_id":
			in.AccountID = string(data)
		case "file":
			if recs, err = parseRecipientsCSV(data); err != nil {
				return nil, err
			}
			gotFile = true
		default:
			return nil, apierr.Field(apierr.InvalidRequest, part.FormName(), "unknown form field %q", part.FormName())
		}
	}
	if !gotFile {
		return nil, apierr.Field(apierr.InvalidRequest, "file", "attach the CSV as the form field \"file\"")
	}
	return recs, nil
}

// canSeeDelivery: agents see the jobs they started; others all jobs.
func canSeeDelivery(p *Principal, d deliveryRow) bool {
	return p.SeesAll() || (p.UserID != nil && d.createdBy == "user:"+strconv.FormatInt(*p.UserID, 10))
}

// handleGetDelivery is GET /v1/deliveries/{id}: progress and a page of
// per-recipient results (?state= filters them).
func (s *Server) handleGetDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	state, err := queryEnum(r, "state", RecipientPending, RecipientInProgress, RecipientProcessedOK, RecipientProcessedKO)
	if err != nil {
		return err
	}
	d, err := s.getDeliveryFiltered(r.Context(), id, page, state)
	if err != nil {
		return err
	}
	if !canSeeDelivery(principalFrom(r), d) {
		return apierr.New(apierr.NotFound, "no delivery %d", id)
	}
	return s.writeData(w, http.StatusOK, d)
}

func (s *Server) getDelivery(ctx context.Context, id int64, page pageParams) (deliveryRow, error) {
	return s.getDeliveryFiltered(ctx, id, page, "")
}

func (s *Server) getDeliveryFiltered(ctx context.Context, id int64, page pageParams, state string) (deliveryRow, error) {
	d, err := scanDelivery(s.db.Read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM delivery_jobs j WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apierr.New(apierr.NotFound, "no delivery %d", id)
	}
	if err != nil {
		return d, err
	}
	if page.Limit == 0 {
		return d, nil
	}
	after, err := decodeIDCursor(page.Cursor)
	if err != nil {
		return d, err
	}
	q := `SELECT id, row, input_phone, phone, variables, state, reason, detail, message_id, updated_at
		FROM delivery_recipients WHERE job_id = ? AND id > ?`
	args := []any{id, after}
	if state != "" {
		q += ` AND state = ?`
		args = append(args, state)
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	d.Recipients = []wire.DeliveryRecipient{}
	for rows.Next() {
		var (
			rc      wire.DeliveryRecipient
			vars    string
			msg     sql.NullInt64
			updated string
		)
		if err := rows.Scan(&rc.ID, &rc.Row, &rc.Input, &rc.Phone, &vars, &rc.State, &rc.Reason, &rc.Detail, &msg, &updated); err != nil {
			return d, err
		}
		_ = json.Unmarshal([]byte(vars), &rc.Variables)
		if msg.Valid {
			rc.MessageID = &msg.Int64
		}
		rc.UpdatedAt = parseTime(updated)
		d.Recipients = append(d.Recipients, rc)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	p := wire.Pagination{}
	if len(d.Recipients) > page.Limit {
		d.Recipients = d.Recipients[:page.Limit]
		p = wire.Pagination{HasMore: true, NextCursor: encodeIDCursor(d.Recipients[len(d.Recipients)-1].ID)}
	}
	d.Pagination = &p
	return d, nil
}

const deliveryColumns = `id, account_id, template, language, state, total, created_at, finished_at, created_by,
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'pending'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'in_progress'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'processed_ok'),
	(SELECT COUNT(*) FROM delivery_recipients WHERE job_id = j.id AND state = 'processed_ko')`

func scanDelivery(row interface{ Scan(...any) error }) (deliveryRow, error) {
	var (
		d        deliveryRow
		created  string
		finished sql.NullString
	)
	err := row.Scan(&d.ID, &d.AccountID, &d.Template, &d.Language, &d.State, &d.Progress.Total, &created, &finished, &d.createdBy,
		&d.Progress.Pending, &d.Progress.InProgress, &d.Progress.ProcessedOK, &d.Progress.ProcessedKO)
	d.CreatedAt = parseTime(created)
	d.FinishedAt = parseNullTime(finished)
	return d, err
}

// handleListDeliveries is GET /v1/deliveries: jobs newest first, by
// recipient phone (?phone=, any format) and creation date (?since=,
// ?until=).
func (s *Server) handleListDeliveries(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	before, err := decodeDescCursor(page.Cursor)
	if err != nil {
		return err
	}
	q := `SELECT ` + deliveryColumns + ` FROM delivery_jobs j WHERE id < ?`
	args := []any{before}
	if ph := r.URL.Query().Get("phone"); ph != "" {
		e164, err := normalizePhone("phone", ph)
		if err != nil {
			return err
		}
		q += ` AND EXISTS (SELECT 1 FROM delivery_recipients WHERE job_id = j.id AND phone = ?)`
		args = append(args, e164)
	}
	for _, b := range []struct{ name, op string }{{"since", ">="}, {"until", "<"}} {
		t, err := queryTime(r, b.name)
		if err != nil {
			return err
		}
		if t != nil {
			q += ` AND created_at ` + b.op + ` ?`
			args = append(args, formatTime(*t))
		}
	}
	p := principalFrom(r)
	if !p.SeesAll() {
		if p.UserID == nil {
			return s.writeList(w, []wire.Delivery{}, wire.Pagination{})
		}
		q += ` AND created_by = ?`
		args = append(args, "user:"+strconv.FormatInt(*p.UserID, 10))
	}
	rows, err := s.db.Read.QueryContext(r.Context(), q+` ORDER BY id DESC LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []wire.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return err
		}
		out = append(out, d.Delivery)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	pg := wire.Pagination{}
	if len(out) > page.Limit {
		out = out[:page.Limit]
		pg = wire.Pagination{HasMore: true, NextCursor: encodeDescCursor(out[len(out)-1].ID)}
	}
	return s.writeList(w, out, pg)
}

// deliveryRunner sends pending recipients through the core's queue and
// settles in-progress ones from the messages' statuses in the event log.
type deliveryRunner struct {
	s    *Server
	wake chan struct{}
	// inflight maps queued message ids to their recipient, to settle them
	// from message.updated events without a query per event.
	mu       sync.Mutex
	inflight map[int64]*inflightSend
}

type inflightSend struct {
	recipient int64
	// sentAt is when Meta accepted the message (zero before).
	sentAt time.Time
}

func newDeliveryRunner(s *Server) *deliveryRunner {
	return &deliveryRunner{s: s, wake: make(chan struct{}, 1), inflight: map[int64]*inflightSend{}}
}

func (d *deliveryRunner) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliveryRunner) run(ctx context.Context) {
	// Settle first what a previous run left in progress.
	cursor := d.s.broker.headSeq()
	if _, h, err := d.s.core.EventBounds(ctx); err == nil {
		cursor = h
	}
	d.reconcile(ctx)
	for ctx.Err() == nil {
		wake := d.s.broker.wakeChan()
		for d.sendBatch(ctx) {
		}
		cursor = d.follow(ctx, cursor)
		d.settleQuiet(ctx)
		d.finishJobs(ctx)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-wake:
		case <-time.After(5 * time.Second):
			d.reconcile(ctx)
			d.s.pruneLoginFailures(ctx)
		}
	}
}

// sendBatch queues up to 100 pending recipients; true when there may be
// more.
func (d *deliveryRunner) sendBatch(ctx context.Context) bool {
	rows, err := d.s.db.Read.QueryContext(ctx, `SELECT r.id, r.job_id, r.phone, r.variables, j.account_id, j.template, j.language, j.author_id
		FROM delivery_recipients r JOIN delivery_jobs j ON j.id = r.job_id
		WHERE r.state = 'pending' ORDER BY r.id LIMIT 100`)
	if err != nil {
		return false
	}
	type item struct {
		id, job                          int64
		phone, vars, account, tmpl, lang string
		author                           sql.NullInt64
	}
	var items []item
	for rows.Next() {
		var it item
		if rows.Scan(&it.id, &it.job, &it.phone, &it.vars, &it.account, &it.tmpl, &it.lang, &it.author) == nil {
			items = append(items, it)
		}
	}
	rows.Close()
	// A few sends at once: each waits for its commit, and the core
	// commits concurrent sends together.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.sendOne(ctx, it.id, it.job, it.phone, it.vars, it.account, it.tmpl, it.lang, it.author)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false
	}
	return len(items) == 100
}

// sendOne queues one recipient's message.
func (d *deliveryRunner) sendOne(ctx context.Context, id, job int64, phone, varsJSON, account, tmpl, lang string, author sql.NullInt64) {
	d.setState(ctx, id, RecipientInProgress, "", "", nil)
	var vars map[string]string
	_ = json.Unmarshal([]byte(varsJSON), &vars)
	tv := hub.TemplateVariables{}
	for k, v := range vars {
		tv[k], _ = json.Marshal(v)
	}
	req := hub.SendRequest{AccountID: account, To: phone, Type: "template",
		Template:       &hub.TemplateRequest{Name: tmpl, Language: hub.LanguageCode(lang), Variables: tv},
		IdempotencyKey: "delivery:" + strconv.FormatInt(job, 10) + ":" + strconv.FormatInt(id, 10)}
	if author.Valid {
		req.AuthorID = &author.Int64
	}
	m, err := d.s.core.Send(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			d.setState(context.WithoutCancel(ctx), id, RecipientPending, "", "", nil)
			return
		}
		e := apierr.As(err)
		d.settle(ctx, id, RecipientProcessedKO, reasonFor(e.Code), e.Message, nil)
		return
	}
	d.mu.Lock()
	d.inflight[m.ID] = &inflightSend{recipient: id}
	d.mu.Unlock()
	d.setState(ctx, id, RecipientInProgress, "", "", &m.ID)
	d.settleMessage(ctx, m)
}

// reasonFor maps a refusal by the core to the recipient's reason.
func reasonFor(c apierr.Code) string {
	switch c {
	case apierr.InvalidPhone:
		return ReasonInvalidNumber
	case apierr.OptedOut:
		return ReasonOptedOut
	case apierr.TemplateNotFound, apierr.TemplateParamsMismatch, apierr.ValidationFailed, apierr.InvalidRequest:
		return ReasonTemplateError
	case apierr.UpstreamError, apierr.UpstreamUnavailable, apierr.SessionExpired:
		return ReasonMetaError
	}
	return ReasonInternalError
}

func messageErrorText(m domain.Message) string {
	if m.Error == nil {
		return "the message failed"
	}
	return strconv.Itoa(m.Error.Code) + " " + m.Error.Title
}

// follow reads message.updated events after cursor and settles the
// recipients whose message was sent or failed.
func (d *deliveryRunner) follow(ctx context.Context, cursor int64) int64 {
	for ctx.Err() == nil {
		d.mu.Lock()
		n := len(d.inflight)
		d.mu.Unlock()
		evs, err := d.s.core.EventsSince(ctx, cursor, 1000)
		if apierr.CodeOf(err) == apierr.ResyncRequired {
			// Events were pruned past us: settle from the messages
			// themselves instead.
			if o, _, err := d.s.core.EventBounds(ctx); err == nil {
				cursor = o - 1
			}
			d.reconcile(ctx)
			continue
		}
		if err != nil || len(evs) == 0 {
			return cursor
		}
		if n > 0 {
			for _, ev := range evs {
				if ev.Type != domain.EventMessageUpdated && ev.Type != domain.EventMessageCreated {
					continue
				}
				var m domain.Message
				if json.Unmarshal(ev.Data, &m) != nil {
					continue
				}
				d.settleMessage(ctx, m)
			}
		}
		cursor = evs[len(evs)-1].Seq
	}
	return cursor
}

func (d *deliveryRunner) settleMessage(ctx context.Context, m domain.Message) {
	d.mu.Lock()
	in, ok := d.inflight[m.ID]
	if ok && m.Status == domain.MsgSent && in.sentAt.IsZero() {
		in.sentAt = d.s.now()
		if m.SentAt != nil {
			in.sentAt = *m.SentAt
		}
	}
	d.mu.Unlock()
	if !ok {
		return
	}
	switch m.Status {
	case domain.MsgDelivered, domain.MsgRead:
		d.settle(ctx, in.recipient, RecipientProcessedOK, "", "", &m.ID)
	case domain.MsgFailed:
		d.settle(ctx, in.recipient, RecipientProcessedKO, ReasonMetaError, messageErrorText(m), &m.ID)
	default:
		return
	}
	d.mu.Lock()
	delete(d.inflight, m.ID)
	d.mu.Unlock()
}

// settleQuiet marks processed_ok the messages Meta accepted longer than
// DeliverySettle ago without reporting a failure.
func (d *deliveryRunner) settleQuiet(ctx context.Context) {
	now := d.s.now()
	var done []int64
	d.mu.Lock()
	for mid, in := range d.inflight {
		if !in.sentAt.IsZero() && now.Sub(in.sentAt) >= d.s.cfg.DeliverySettle {
			done = append(done, mid)
		}
	}
	d.mu.Unlock()
	for _, mid := range done {
		d.mu.Lock()
		in := d.inflight[mid]
		delete(d.inflight, mid)
		d.mu.Unlock()
		id := mid
		d.settle(ctx, in.recipient, RecipientProcessedOK, "", "accepted by WhatsApp; no delivery report yet", &id)
	}
}

// reconcile reloads in-progress recipients with a message (after a restart
// or a missed event) and settles them from the message's current status.
func (d *deliveryRunner) reconcile(ctx context.Context) {
	rows, err := d.s.db.Read.QueryContext(ctx, `SELECT id, message_id FROM delivery_recipients WHERE state = 'in_progress' AND message_id IS NOT NULL`)
	if err != nil {
		return
	}
	pairs := map[int64]int64{}
	for rows.Next() {
		var rid, mid int64
		if rows.Scan(&rid, &mid) == nil {
			pairs[mid] = rid
		}
	}
	rows.Close()
	d.mu.Lock()
	for mid, rid := range pairs {
		if _, ok := d.inflight[mid]; !ok {
			d.inflight[mid] = &inflightSend{recipient: rid}
		}
	}
	d.mu.Unlock()
	for mid := range pairs {
		if m, err := d.s.core.GetMessage(ctx, mid); err == nil {
			d.settleMessage(ctx, m)
		}
	}
	// A recipient left in_progress without a message was interrupted
	// before its send was committed: send it again (the idempotency key
	// makes that safe).
	_, _ = d.s.db.Write.ExecContext(ctx, `UPDATE delivery_recipients SET state = 'pending' WHERE state = 'in_progress' AND message_id IS NULL AND updated_at < ?`,
		formatTime(d.s.now().Add(-time.Minute)))
}

func (d *deliveryRunner) setState(ctx context.Context, id int64, state, reason, detail string, msg *int64) {
	_, _ = d.s.db.Write.ExecContext(ctx, `UPDATE delivery_recipients SET state = ?, reason = ?, detail = ?, message_id = COALESCE(?, message_id), updated_at = ? WHERE id = ?`,
		state, reason, detail, nullInt(msg), formatTime(d.s.now()), id)
}

func (d *deliveryRunner) settle(ctx context.Context, id int64, state, reason, detail string, msg *int64) {
	d.setState(ctx, id, state, reason, detail, msg)
	d.s.metrics.deliveryOutcomes.WithLabelValues(state, reason).Inc()
}

// finishJobs marks jobs with no recipient left to process as done.
func (d *deliveryRunner) finishJobs(ctx context.Context) {
	_, _ = d.s.db.Write.ExecContext(ctx, `UPDATE delivery_jobs SET state = 'done', finished_at = ?
		WHERE state = 'running' AND NOT EXISTS (
			SELECT 1 FROM delivery_recipients WHERE job_id = delivery_jobs.id AND state IN ('pending', 'in_progress'))`,
		formatTime(d.s.now()))
}
