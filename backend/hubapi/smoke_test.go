package hubapi

import "testing"

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/healthz", "", nil)
	if res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	c := e.customerWrites("15551230001", "hello there")
	t.Logf("conversation %+v", c.ID)
}
