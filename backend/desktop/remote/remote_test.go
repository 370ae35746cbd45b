package remote

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"switchboard/backend/apierr"
)

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{Unreachable(errors.New("connection refused")), true},
		{apierr.New(apierr.RateLimited, "slow down"), true},
		{apierr.New(apierr.Unavailable, "starting"), true},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), true},
		{apierr.New(apierr.SessionExpired, "window closed"), false},
		{apierr.New(apierr.OptedOut, "stop"), false},
		{apierr.New(apierr.ValidationFailed, "too long"), false},
		{apierr.New(apierr.Unauthorized, "revoked"), false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := Retryable(tc.err); got != tc.want {
				t.Fatalf("Retryable = %v, want %v", got, tc.want)
			}
		})
	}
}
