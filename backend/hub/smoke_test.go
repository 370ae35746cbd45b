package hub

import (
	"context"
	"testing"
	"time"
)

func TestSmokeInboundText(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	e.ingest(inbound("16505550001", "Ana", textMsg(newWAMID(), now.Add(-time.Minute), "hola")))
	convs := e.conversations()
	if len(convs) != 1 {
		t.Fatalf("conversations = %d", len(convs))
	}
	c := convs[0]
	if !c.Unanswered || c.UnreadCount != 1 || c.Contact.Phone != "+16505550001" || c.Contact.Name != "Ana" {
		t.Fatalf("conversation = %+v", c)
	}
	cnt, err := e.svc.Counters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Total != 1 || cnt.Unassigned != 1 {
		t.Fatalf("counters = %+v", cnt)
	}
}
