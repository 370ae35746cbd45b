package sandbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse runs traffic, sends, customer actions, template
// changes, clock jumps and reads at once on the real clock, under -race.
func TestConcurrentUse(t *testing.T) {
	d := StatusDelays{Sent: time.Millisecond, Delivered: 2 * time.Millisecond, Read: 3 * time.Millisecond}
	e := newEnv(t, Config{Clock: NewRealClock(), StatusDelays: &d, Customers: CustomerConfig{Count: 30, ReplyProbability: 0.5, ReplyDelay: 5 * time.Millisecond},
		PhoneNumbers: []PhoneNumber{{ID: DefaultPhoneNumberID, DisplayNumber: DefaultDisplayNumber, Throughput: 1e6}}})
	e.sb.Generate(60)
	e.sb.SetTrafficRate(300)
	customers := e.sb.Customers()
	var wg sync.WaitGroup
	stop := time.Now().Add(700 * time.Millisecond)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				c := customers[(g*7+i)%len(customers)]
				e.send(textMsg(c.WaID, fmt.Sprintf("reply %d", i)))
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(stop); i++ {
			e.sb.CustomerSend(customers[i%len(customers)].WaID, InboundMessage{Type: "text", Text: "ping"})
			e.sb.Stats()
			e.sb.Messages("", 20)
			e.sb.State()
			if i%50 == 0 {
				e.sb.SetTemplateStatus("hello_world:en_US", []string{"PAUSED", "APPROVED"}[i/50%2])
				e.sb.Advance(time.Minute)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	wg.Wait()
	e.sb.SetTrafficRate(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	time.Sleep(20 * time.Millisecond) // let the last timers fire
	if err := e.sb.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st := e.sb.Stats()
	if st.OutboundAccepted == 0 || st.InboundSent < 100 || st.WebhooksDropped != 0 {
		t.Errorf("stats %+v", st)
	}
}
