package sandbox

import (
	"sync"
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	c := NewManualClock(testStart)
	var got []string
	var at []time.Time
	rec := func(name string) func() {
		return func() { got = append(got, name); at = append(at, c.Now()) }
	}
	c.AfterFunc(3*time.Second, rec("c"))
	c.AfterFunc(time.Second, rec("a"))
	c.AfterFunc(time.Second, rec("a2")) // same deadline: creation order
	stopped := c.AfterFunc(2*time.Second, rec("never"))
	c.AfterFunc(2*time.Second, func() {
		rec("b")()
		c.AfterFunc(500*time.Millisecond, rec("nested")) // due within the same Advance
	})
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop should report true once")
	}
	c.Advance(2600 * time.Millisecond)
	want := []string{"a", "a2", "b", "nested"}
	if len(got) != len(want) {
		t.Fatalf("fired %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
	if !at[3].Equal(testStart.Add(2500 * time.Millisecond)) {
		t.Errorf("nested timer saw %v", at[3])
	}
	if !c.Now().Equal(testStart.Add(2600 * time.Millisecond)) {
		t.Errorf("now %v", c.Now())
	}
	if c.Pending() != 1 {
		t.Errorf("pending %d", c.Pending())
	}
	c.Advance(time.Hour)
	if got[len(got)-1] != "c" {
		t.Errorf("c did not fire")
	}
}

func TestRealClock(t *testing.T) {
	c := NewRealClock()
	before := time.Now()
	var mu sync.Mutex
	var fired []string
	done := make(chan struct{}, 4)
	rec := func(name string) func() {
		return func() {
			mu.Lock()
			fired = append(fired, name)
			mu.Unlock()
			done <- struct{}{}
		}
	}
	c.AfterFunc(10*time.Millisecond, rec("soon"))
	c.AfterFunc(time.Hour, rec("hour"))
	c.AfterFunc(48*time.Hour, rec("two days"))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("real timer did not fire")
	}
	c.Advance(25 * time.Hour)
	<-done
	mu.Lock()
	if len(fired) != 2 || fired[1] != "hour" {
		t.Errorf("fired %v", fired)
	}
	mu.Unlock()
	if c.Offset() != 25*time.Hour || c.Now().Sub(before) < 25*time.Hour {
		t.Errorf("offset %v now %v", c.Offset(), c.Now())
	}
}
