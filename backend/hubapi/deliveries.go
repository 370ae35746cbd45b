package hubapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// Bulk template deliveries (the job, its recipients and the runner that
// sends them live in the hub: hub/deliveries.go). This file reads the
// request (JSON or CSV) and writes the answer.

// maxDeliveryBody bounds a delivery request's body.
const maxDeliveryBody = 5 << 20

// parsedRecipient is a recipient as read from the request.
type parsedRecipient = hub.RecipientInput

// handleCreateDelivery is POST /v1/deliveries, with a JSON body or a CSV
// (text/csv with ?template=&language=, or multipart/form-data with fields
// template, language, account_id and a file part): a phone column plus
// one column per variable, named like the template's parameters ("1",
// "2", … or the named ones). Invalid numbers do not fail the request:
// they become processed_ko recipients, so one typo in a list of
// thousands does not block the rest.
func (s *Server) handleCreateDelivery(w http.ResponseWriter, r *http.Request) error {
	var (
		in   wire.DeliveryRequest
		recs []parsedRecipient
	)
	switch mt := mediaType(r); mt {
	case "application/json":
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		for i, rc := range in.Recipients {
			recs = append(recs, parsedRecipient{Row: i, Input: rc.Phone, Variables: rc.Variables})
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
	p := principalFrom(r)
	req := hub.DeliveryRequest{Template: strings.TrimSpace(in.Template), Language: strings.TrimSpace(in.Language),
		Recipients: recs, CreatedBy: creatorOf(p), AuthorID: p.UserID}
	if err := req.Validate(); err != nil {
		return err
	}
	ctx := r.Context()
	var err error
	if req.AccountID, err = s.resolveAccount(ctx, in.AccountID); err != nil {
		return err
	}
	for i := range recs {
		p, err := normalizePhone("phone", recs[i].Input)
		if err != nil {
			recs[i].Invalid = apierr.As(err).Message
			continue
		}
		recs[i].Phone = p
	}
	d, err := s.core.CreateDelivery(ctx, req)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusAccepted, wire.Delivery{Delivery: d.Delivery})
}

// creatorOf is who a delivery is recorded as started by: the user, or the
// integration's token.
func creatorOf(p *Principal) string {
	if p.UserID != nil {
		return "user:" + strconv.FormatInt(*p.UserID, 10)
	}
	return "token:" + strconv.FormatInt(p.TokenID, 10)
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
		out = append(out, parsedRecipient{Row: line, Input: strings.TrimSpace(rec[phoneCol]), Variables: vars})
		if len(out) > hub.MaxRecipients {
			return nil, apierr.Field(apierr.ValidationFailed, "recipients", "at most %d recipients per delivery", hub.MaxRecipients)
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
func parseDeliveryMultipart(r *http.Request, in *wire.DeliveryRequest) ([]parsedRecipient, error) {
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
func canSeeDelivery(p *Principal, d hub.Delivery) bool {
	return p.SeesAll() || (p.UserID != nil && d.CreatedBy == creatorOf(p))
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
	state, err := queryEnum(r, "state", domain.RecipientPending, domain.RecipientInProgress, domain.RecipientProcessedOK, domain.RecipientProcessedKO)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, err := s.core.GetDelivery(ctx, id)
	if err != nil {
		return err
	}
	rs, err := s.core.ListRecipients(ctx, id, hub.RecipientQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit}, State: state})
	if err != nil {
		return err
	}
	if !canSeeDelivery(principalFrom(r), d) {
		return apierr.New(apierr.NotFound, "no delivery %d", id)
	}
	pg := pageOf(rs.NextCursor, rs.HasMore)
	return s.writeData(w, http.StatusOK, wire.Delivery{Delivery: d.Delivery, Recipients: rs.Items, Pagination: &pg})
}

// handleListDeliveries is GET /v1/deliveries: jobs newest first, by
// recipient phone (?phone=, any format) and creation date (?since=,
// ?until=).
func (s *Server) handleListDeliveries(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	q := hub.DeliveryQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit}}
	if ph := r.URL.Query().Get("phone"); ph != "" {
		if q.Phone, err = normalizePhone("phone", ph); err != nil {
			return err
		}
	}
	if q.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if q.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	p := principalFrom(r)
	if !p.SeesAll() {
		if p.UserID == nil {
			return s.writeList(w, []wire.Delivery{}, wire.Pagination{})
		}
		q.CreatedBy = creatorOf(p)
	}
	res, err := s.core.ListDeliveries(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]domain.Delivery, len(res.Items))
	for i, d := range res.Items {
		out[i] = d.Delivery
	}
	return s.writeList(w, out, pageOf(res.NextCursor, res.HasMore))
}
