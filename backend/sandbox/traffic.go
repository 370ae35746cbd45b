package sandbox

import (
	"sync"
	"time"
)

// trafficGen makes the population send unprompted messages at a rate.
type trafficGen struct {
	s       *Sandbox
	mu      sync.Mutex
	rate    float64
	stopCh  chan struct{}
	stopped chan struct{}
}

func newTrafficGen(s *Sandbox) *trafficGen { return &trafficGen{s: s} }

// setRate changes the rate; rate <= 0 stops the generator.
func (t *trafficGen) setRate(rate float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.s.closed.Load() {
		return
	}
	t.rate = rate
	if rate <= 0 {
		t.stopLocked()
		return
	}
	if t.stopCh == nil {
		t.stopCh, t.stopped = make(chan struct{}), make(chan struct{})
		go t.loop(t.stopCh, t.stopped)
	}
}

func (t *trafficGen) currentRate() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopCh == nil {
		return 0
	}
	return t.rate
}

func (t *trafficGen) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopLocked()
}

func (t *trafficGen) stopLocked() {
	if t.stopCh != nil {
		close(t.stopCh)
		stopped := t.stopped
		t.stopCh, t.stopped = nil, nil
		t.mu.Unlock()
		<-stopped
		t.mu.Lock()
	}
}

// loop ticks every 10 ms and sends however many messages the rate has
// accumulated, so both 0.2 msg/s and thousands of msg/s work.
func (t *trafficGen) loop(stop, stopped chan struct{}) {
	defer close(stopped)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	last := time.Now()
	acc := 0.0
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			t.mu.Lock()
			rate := t.rate
			t.mu.Unlock()
			acc += rate * now.Sub(last).Seconds()
			last = now
			if max := rate / 2; acc > max && max >= 1 {
				acc = max // after a stall, do not burst more than half a second
			}
			if n := int(acc); n > 0 {
				acc -= float64(n)
				t.s.Generate(n)
			}
		}
	}
}

// SetTrafficRate starts (rate > 0), retunes or stops (rate <= 0) the
// population's unprompted messages, in messages per second across all
// customers: 0.2 is a quiet demo, thousands a load test.
func (s *Sandbox) SetTrafficRate(rate float64) { s.traffic.setRate(rate) }

// TrafficRate returns the current rate (0 when stopped).
func (s *Sandbox) TrafficRate() float64 { return s.traffic.currentRate() }
