package sandbox

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the sandbox's notion of time. Every timestamp the sandbox writes
// (webhook timestamps, the 24-hour customer service window, template review,
// media URL expiry) and every delayed event (statuses, customer replies,
// template approval) goes through it, so tests and end-to-end runs can move
// time forward instead of waiting.
type Clock interface {
	// Now returns the current sandbox time.
	Now() time.Time
	// AfterFunc runs f once the sandbox time has advanced by d. It returns a
	// Timer that can cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// Advancer is implemented by clocks whose time can be moved forward on
// demand. Both clocks in this package implement it.
type Advancer interface {
	// Advance moves the clock forward by d and runs every timer that became
	// due, in deadline order, before returning.
	Advance(d time.Duration)
}

// timerHeap orders pending timers by deadline, then by creation order so two
// timers with the same deadline fire in the order they were created.
type timerHeap []*clockTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].deadline.Equal(h[j].deadline) {
		return h[i].seq < h[j].seq
	}
	return h[i].deadline.Before(h[j].deadline)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*clockTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}

// clockTimer is one pending call on a ManualClock or RealClock.
type clockTimer struct {
	deadline time.Time
	seq      uint64
	index    int
	f        func()
	fired    bool
	real     *time.Timer // RealClock only
	owner    timerOwner
}

// timerOwner lets a clockTimer remove itself from its clock.
type timerOwner interface {
	remove(t *clockTimer) bool
}

// Stop cancels the timer.
func (t *clockTimer) Stop() bool { return t.owner.remove(t) }

// ManualClock is a clock that only moves when Advance is called. Timers fire
// synchronously inside Advance, in deadline order, which makes tests fully
// deterministic. The zero value is not usable; call NewManualClock.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	seq     uint64
	pending timerHeap
}

// NewManualClock returns a ManualClock set to start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run when the clock has advanced by d. A timer with
// d <= 0 fires on the next Advance call (Advance(0) is enough).
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		d = 0
	}
	c.seq++
	t := &clockTimer{deadline: c.now.Add(d), seq: c.seq, f: f, owner: c}
	heap.Push(&c.pending, t)
	return t
}

// Advance moves the clock forward by d, running due timers in order. Timers
// scheduled by a running timer fire in the same call if they are due. Time
// is set to each timer's deadline while it runs, so timestamps it records
// are the ones it was scheduled for.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for c.pending.Len() > 0 && !c.pending[0].deadline.After(target) {
		t := heap.Pop(&c.pending).(*clockTimer)
		t.fired = true
		if t.deadline.After(c.now) {
			c.now = t.deadline
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	if target.After(c.now) {
		c.now = target
	}
	c.mu.Unlock()
}

// Pending reports how many timers are waiting to fire.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending.Len()
}

func (c *ManualClock) remove(t *clockTimer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.fired || t.index < 0 {
		return false
	}
	heap.Remove(&c.pending, t.index)
	t.fired = true
	return true
}

// RealClock follows the wall clock plus an offset that Advance increases.
// Timers fire on their own after real time passes, and Advance fires every
// timer the jump made due, immediately. It is the sandbox's default clock:
// the demo runs in real time, and an end-to-end test can still jump 25 hours
// ahead to see the customer service window close.
type RealClock struct {
	mu      sync.Mutex
	offset  time.Duration
	seq     uint64
	pending timerHeap
}

// NewRealClock returns a RealClock with no offset.
func NewRealClock() *RealClock { return &RealClock{} }

// Now returns wall-clock time plus the accumulated offset.
func (c *RealClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Offset returns how far the clock has been advanced past the wall clock.
func (c *RealClock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// AfterFunc runs f in its own goroutine after d of real time, or earlier if
// Advance jumps past its deadline.
func (c *RealClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		d = 0
	}
	c.seq++
	t := &clockTimer{deadline: time.Now().Add(c.offset + d), seq: c.seq, f: f, owner: c}
	heap.Push(&c.pending, t)
	t.real = time.AfterFunc(d, func() {
		if c.remove(t) {
			f()
		}
	})
	return t
}

// Advance adds d to the offset and runs every timer that became due, in
// deadline order, before returning.
func (c *RealClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	now := time.Now().Add(c.offset)
	var due []*clockTimer
	for c.pending.Len() > 0 && !c.pending[0].deadline.After(now) {
		t := heap.Pop(&c.pending).(*clockTimer)
		t.fired = true
		t.real.Stop()
		due = append(due, t)
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

func (c *RealClock) remove(t *clockTimer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.fired || t.index < 0 {
		return false
	}
	heap.Remove(&c.pending, t.index)
	t.fired = true
	if t.real != nil {
		t.real.Stop()
	}
	return true
}
