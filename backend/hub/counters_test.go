package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// storeMessage is an outbound text already accepted by Meta (status queued,
// wamid known), for tests that drive statuses by webhook.
func storeMessage(convID int64, accountID, wamid string, now time.Time) store.Message {
	return store.Message{Message: domain.Message{WAMID: wamid, ConversationID: convID, AccountID: accountID,
		Direction: domain.Outbound, Type: "text", Content: json.RawMessage(`{"body":"hello"}`), Preview: "hello",
		Status: domain.MsgQueued, Timestamp: now, CreatedAt: now, UpdatedAt: now}}
}

// recount computes the counters from scratch from every conversation.
func recount(t testing.TB, s *Service) domain.Counters {
	t.Helper()
	states, err := s.Store().AllConversationStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Counters{ByAgent: map[string]int{}, ByTeam: map[string]int{}}
	for i := range states {
		c := &states[i]
		if !counted(c) {
			continue
		}
		want.Total++
		if c.AssigneeID == nil {
			want.Unassigned++
		} else {
			want.ByAgent[strconv.FormatInt(*c.AssigneeID, 10)]++
		}
		if c.Team != "" {
			want.ByTeam[c.Team]++
		}
		if c.WaitingSince != nil && (want.OldestWaitingSince == nil || c.WaitingSince.Before(*want.OldestWaitingSince)) {
			w := *c.WaitingSince
			want.OldestWaitingSince = &w
		}
	}
	return want
}

// checkCounters fails when the maintained counters differ from a
// from-scratch recomputation.
func checkCounters(t testing.TB, e *env) {
	t.Helper()
	got, err := e.svc.Counters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := recount(t, e.svc)
	if got.Total != want.Total || got.Unassigned != want.Unassigned || !reflect.DeepEqual(got.ByAgent, want.ByAgent) ||
		!reflect.DeepEqual(got.ByTeam, want.ByTeam) || !sameTime(got.OldestWaitingSince, want.OldestWaitingSince) {
		t.Fatalf("counters drifted:\n got %+v oldest %v\nwant %+v oldest %v", got, got.OldestWaitingSince, want, want.OldestWaitingSince)
	}
}

// TestCountersEqualARecomputationAfterRandomOperations is a property test:
// whatever sequence of customer messages, replies, status changes,
// assignments, snoozes, deletions and merges happens, the incrementally
// maintained counters equal a recomputation from scratch, and the last
// counters.updated event carries them.
func TestCountersEqualARecomputationAfterRandomOperations(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, 42))
			customers := []string{"15552000001", "15552000002", "15552000003", "15552000004", "15552000005", "5215512345678", "525512345679"}
			teams := []string{"", "sales", "support"}
			statuses := []domain.ConversationStatus{domain.StatusOpen, domain.StatusPending, domain.StatusSnoozed, domain.StatusClosed}
			pickConv := func() (domain.Conversation, bool) {
				cs := e.conversations()
				if len(cs) == 0 {
					return domain.Conversation{}, false
				}
				return cs[rng.IntN(len(cs))], true
			}
			for step := range 150 {
				e.clock.Advance(time.Duration(rng.IntN(600)) * time.Second)
				switch op := rng.IntN(10); op {
				case 0, 1, 2: // a customer writes (sometimes from the past or the future)
					ts := e.clock.Now().Add(time.Duration(rng.IntN(7200)-3600) * time.Second)
					e.ingest(inbound(customers[rng.IntN(len(customers))], "C", textMsg(newWAMID(), ts, "msg")))
				case 3: // an agent replies
					if c, ok := pickConv(); ok && c.WindowOpen(e.clock.Now()) && !c.Contact.OptedOut {
						author := int64(1 + rng.IntN(3))
						if _, err := e.svc.Send(ctx, SendRequest{ConversationID: c.ID, Type: "text", Text: []byte(`{"body":"reply"}`), AuthorID: &author}); err != nil {
							t.Fatalf("step %d: send: %v", step, err)
						}
					}
				case 4, 5: // status, assignee, team
					if c, ok := pickConv(); ok {
						u := ConversationUpdate{}
						if rng.IntN(2) == 0 {
							st := statuses[rng.IntN(len(statuses))]
							u.Status = &st
							if st == domain.StatusSnoozed {
								until := e.clock.Now().Add(time.Duration(1+rng.IntN(3600)) * time.Second)
								u.SnoozedUntil = &until
							}
						}
						if rng.IntN(2) == 0 {
							if a := rng.IntN(4); a > 0 {
								id := int64(a)
								u.AssigneeID = &id
							} else {
								u.Unassign = true
							}
						}
						if rng.IntN(3) == 0 {
							team := teams[rng.IntN(len(teams))]
							u.Team = &team
						}
						if _, err := e.svc.UpdateConversation(ctx, c.ID, u); err != nil {
							t.Fatalf("step %d: update: %v", step, err)
						}
					}
				case 6: // snoozes wake
					if err := e.svc.WakeSnoozed(ctx); err != nil {
						t.Fatal(err)
					}
				case 7: // a contact is erased
					if rng.IntN(4) == 0 {
						if c, ok := pickConv(); ok {
							if err := e.svc.DeleteContact(ctx, c.Contact.ID); err != nil {
								t.Fatalf("step %d: delete: %v", step, err)
							}
						}
					}
				case 8: // a customer changes number onto another customer's
					from, to := customers[rng.IntN(len(customers))], customers[rng.IntN(len(customers))]
					sys := map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(e.clock.Now().Unix(), 10), "type": "system",
						"system": map[string]any{"body": "changed", "wa_id": to, "type": "user_changed_number"}}
					e.ingest(inbound(from, "C", sys))
				case 9: // read
					if c, ok := pickConv(); ok && c.LastMessage != nil && c.LastMessage.Direction == domain.Inbound {
						if err := e.svc.MarkRead(ctx, c.LastMessage.ID, false); err != nil {
							t.Fatalf("step %d: mark read: %v", step, err)
						}
					}
				}
				checkCounters(t, e)
			}
			// The newest counters.updated event equals the counters.
			evs, err := e.svc.EventsSince(ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var last json.RawMessage
			for _, ev := range evs {
				if ev.Type == domain.EventCountersUpdated {
					last = ev.Data
				}
			}
			got, _ := e.svc.Counters(ctx)
			want, _ := json.Marshal(got)
			if last != nil && string(last) != string(want) {
				t.Fatalf("last counters.updated = %s\ncounters now        = %s", last, want)
			}
		})
	}
}
