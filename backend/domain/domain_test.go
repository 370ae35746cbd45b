package domain

import (
	"testing"
	"time"
)

func TestStatusRankNeverMovesBackwards(t *testing.T) {
	order := []MessageStatus{MsgQueued, MsgSent, MsgDelivered, MsgRead, MsgFailed}
	for i := 1; i < len(order); i++ {
		if order[i-1].Rank() >= order[i].Rank() {
			t.Errorf("%s (rank %d) is not before %s (rank %d)", order[i-1], order[i-1].Rank(), order[i], order[i].Rank())
		}
	}
	if MessageStatus("bogus").Rank() != 0 {
		t.Error("unknown status ranks above zero")
	}
}

func TestWindowOpen(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	in := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	tests := []struct {
		name    string
		expires *time.Time
		want    bool
	}{
		{"never wrote", nil, false},
		{"an hour left", in(time.Hour), true},
		{"expired a second ago", in(-time.Second), false},
		{"expires exactly now", in(0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Conversation{WindowExpiresAt: tt.expires}
			if got := c.WindowOpen(now); got != tt.want {
				t.Fatalf("WindowOpen = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversationStatusValid(t *testing.T) {
	for _, s := range []ConversationStatus{StatusOpen, StatusPending, StatusSnoozed, StatusClosed} {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if ConversationStatus("resolved").Valid() {
		t.Error("unknown status accepted")
	}
}
