package hubapi

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
)

// upload sends body with contentType.
func (e *testEnv) upload(path, token, contentType string, body []byte) response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: buf.Bytes()}
}

func (e *testEnv) waitDelivery(id int64) Delivery {
	e.t.Helper()
	var d Delivery
	e.eventually(func() bool {
		d = dataOf[Delivery](e.t, e.do("GET", "/v1/deliveries/"+itoa(int(id))+"?limit=100", e.supervisor.token, nil))
		return d.State == "done"
	}, "delivery %d to finish", id)
	return d
}

func TestBulkDeliveryFromCSV(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.sb.UndeliverableNumbers = []string{"14155550104"} })
	e.do("POST", "/v1/templates/sync", e.admin, nil)
	if res := e.do("POST", "/v1/optouts", e.admin, map[string]string{"phone": "+14155550142"}); res.status != 200 {
		t.Fatal(res.status)
	}
	csv := "\xef\xbb\xbfphone,1,2\n" +
		"+1 415 555 0101,Ana,A-1\n" +
		"not a number,Bo,B-2\n" +
		"+14155550142,Cy,C-3\n" +
		"\n" +
		"0014155550104,Ed,E-5\n" +
		"\"+1 (415) 555-0105\",\"Fe, the second\",F-6\n"
	q := url.Values{"template": {"delivery_update"}, "language": {"ar"}}
	res := e.upload("/v1/deliveries?"+q.Encode(), e.supervisor.token, "text/csv; charset=utf-8", []byte(csv))
	if res.status != 202 {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	job := dataOf[Delivery](t, res)
	if job.Progress.Total != 5 || job.Progress.ProcessedKO < 1 {
		t.Fatalf("job %+v", job)
	}
	d := e.waitDelivery(job.ID)
	want := map[string]struct{ state, reason string }{
		"+1 415 555 0101":   {domain.RecipientProcessedOK, ""},
		"not a number":      {domain.RecipientProcessedKO, domain.ReasonInvalidNumber},
		"+14155550142":      {domain.RecipientProcessedKO, domain.ReasonOptedOut},
		"0014155550104":     {domain.RecipientProcessedKO, domain.ReasonMetaError},
		"+1 (415) 555-0105": {domain.RecipientProcessedOK, ""},
	}
	if len(d.Recipients) != 5 {
		t.Fatalf("%d recipients", len(d.Recipients))
	}
	for _, r := range d.Recipients {
		w, ok := want[r.Input]
		if !ok || r.State != w.state || r.Reason != w.reason {
			t.Errorf("%q: %s %s (%s), want %+v", r.Input, r.State, r.Reason, r.Detail, w)
		}
		if r.Input == "+1 (415) 555-0105" && (r.Variables["1"] != "Fe, the second" || r.Phone != "+14155550105" || r.MessageID == nil) {
			t.Errorf("recipient %+v", r)
		}
	}
	if d.Progress.ProcessedOK != 2 || d.Progress.ProcessedKO != 3 || d.Progress.Pending+d.Progress.InProgress != 0 || d.FinishedAt == nil {
		t.Errorf("progress %+v", d.Progress)
	}
	// The message really left: the sandbox's customer got the template.
	if msgs := e.sb.Messages("14155550101", 10); len(msgs) == 0 {
		t.Error("the sandbox received nothing for +14155550101")
	}
	// Listed by phone and date.
	list := dataOf[[]Delivery](t, e.do("GET", "/v1/deliveries?phone="+url.QueryEscape("+1 415 555 0105"), e.supervisor.token, nil))
	if len(list) != 1 || list[0].ID != job.ID {
		t.Fatalf("by phone: %+v", list)
	}
	if list := dataOf[[]Delivery](t, e.do("GET", "/v1/deliveries?phone=%2B14155550199", e.supervisor.token, nil)); len(list) != 0 {
		t.Fatalf("by other phone: %+v", list)
	}
	if list := dataOf[[]Delivery](t, e.do("GET", "/v1/deliveries?until=2001-01-01", e.supervisor.token, nil)); len(list) != 0 {
		t.Fatalf("by date: %+v", list)
	}
	// Failed recipients only.
	ko := dataOf[Delivery](t, e.do("GET", "/v1/deliveries/"+itoa(int(job.ID))+"?state=processed_ko", e.supervisor.token, nil))
	if len(ko.Recipients) != 3 {
		t.Fatalf("processed_ko: %d", len(ko.Recipients))
	}
	// Agents see only their own jobs.
	if res := e.do("GET", "/v1/deliveries/"+itoa(int(job.ID)), e.agent.token, nil); res.code() != "NOT_FOUND" {
		t.Fatalf("agent sees another's job: %d", res.status)
	}
}

func TestBulkDeliveryJSONAndMultipart(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/v1/templates/sync", e.admin, nil)
	// Per-recipient variables; one of them does not fit the template.
	res := e.do("POST", "/v1/deliveries", e.agent.token, map[string]any{
		"template": "delivery_update", "language": "ar",
		"recipients": []map[string]any{
			{"phone": "+14155550101", "variables": map[string]string{"1": "Ana", "2": "7"}},
			{"phone": "+14155550102", "variables": map[string]string{"1": "only one"}},
		},
	})
	if res.status != 202 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	job := dataOf[Delivery](t, res)
	var d Delivery
	e.eventually(func() bool {
		d = dataOf[Delivery](t, e.do("GET", "/v1/deliveries/"+itoa(int(job.ID)), e.agent.token, nil))
		return d.State == "done"
	}, "the job")
	states := map[string]string{}
	for _, r := range d.Recipients {
		states[r.Phone] = r.State + " " + r.Reason
	}
	if states["+14155550101"] != "processed_ok " || states["+14155550102"] != "processed_ko template_error" {
		t.Fatalf("states %v", states)
	}
	if list := dataOf[[]Delivery](t, e.do("GET", "/v1/deliveries", e.agent.token, nil)); len(list) != 1 {
		t.Fatalf("agent's own jobs: %d", len(list))
	}

	// Multipart upload of the same CSV shape.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("template", "delivery_update")
	mw.WriteField("language", "ar")
	fw, _ := mw.CreateFormFile("file", "list.csv")
	fw.Write([]byte("Phone,1,2\n+14155550103,Cy,3\n"))
	mw.Close()
	res = e.upload("/v1/deliveries", e.supervisor.token, mw.FormDataContentType(), buf.Bytes())
	if res.status != 202 {
		t.Fatalf("multipart: %d %s", res.status, res.body)
	}
	if d := e.waitDelivery(dataOf[Delivery](t, res).ID); d.Progress.ProcessedOK != 1 {
		t.Fatalf("multipart job %+v", d.Progress)
	}

	cases := []struct {
		name, ctype, path, body, code string
	}{
		{"unknown template", "application/json", "/v1/deliveries", `{"template":"nope","language":"en_US","recipients":[{"phone":"+14155550101"}]}`, "TEMPLATE_NOT_FOUND"},
		{"paused template", "application/json", "/v1/deliveries", `{"template":"winter_promo","language":"en_US","recipients":[{"phone":"+14155550101"}]}`, "TEMPLATE_NOT_FOUND"},
		{"no recipients", "application/json", "/v1/deliveries", `{"template":"hello_world","language":"en_US","recipients":[]}`, "INVALID_REQUEST"},
		{"no language", "application/json", "/v1/deliveries", `{"template":"hello_world","recipients":[{"phone":"+14155550101"}]}`, "INVALID_REQUEST"},
		{"csv without phone column", "text/csv", "/v1/deliveries?template=hello_world&language=en_US", "number,1\n+14155550101,x\n", "INVALID_REQUEST"},
		{"csv ragged row", "text/csv", "/v1/deliveries?template=hello_world&language=en_US", "phone,1\n+14155550101,x,y\n", "INVALID_REQUEST"},
		{"csv duplicate column", "text/csv", "/v1/deliveries?template=hello_world&language=en_US", "phone,1,1\n+14155550101,x,y\n", "INVALID_REQUEST"},
		{"csv empty", "text/csv", "/v1/deliveries?template=hello_world&language=en_US", "", "INVALID_REQUEST"},
		{"csv header only", "text/csv", "/v1/deliveries?template=hello_world&language=en_US", "phone\n", "INVALID_REQUEST"},
		{"other content type", "application/xml", "/v1/deliveries", "<x/>", "UNSUPPORTED_MEDIA_TYPE"},
		{"multipart without file", "multipart/form-data; boundary=xyz", "/v1/deliveries", "--xyz\r\nContent-Disposition: form-data; name=\"template\"\r\n\r\nhello_world\r\n--xyz--\r\n", "INVALID_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.upload(c.path, e.supervisor.token, c.ctype, []byte(c.body))
			if res.code() != c.code {
				t.Fatalf("%d %s, want %s", res.status, res.body, c.code)
			}
		})
	}
	var jobs int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM delivery_jobs`).Scan(&jobs)
	if jobs != 2 {
		t.Fatalf("%d jobs stored; refused requests must store nothing", jobs)
	}
}

var _ = sandbox.Sign
