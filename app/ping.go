package app

import (
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/backend/apierr"
)

// MaxPingNote is the longest note Ping echoes, in characters.
const MaxPingNote = 200

// Pong is Ping's answer.
type Pong struct {
	// Reply is "pong" or "pong: <note>".
	Reply string `json:"reply"`
	// Count is how many pings this process has answered, this one included.
	Count uint64 `json:"count"`
	// ReceivedAt is when Go handled the call (RFC 3339, UTC).
	ReceivedAt string `json:"received_at"`
	// UptimeMS is how long the app has been running.
	UptimeMS int64 `json:"uptime_ms"`
}

// Ping is the shell's round-trip check: the frontend calls it through the
// Wails bridge and shows the answer, and the Pong is also emitted as
// EventPinged so the Go→JS event path is exercised by the same click.
func (a *App) Ping(note string) (Pong, error) {
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) {
		return Pong{}, apierr.Field(apierr.ValidationFailed, "note", "note is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(note); n > MaxPingNote {
		return Pong{}, apierr.Field(apierr.ValidationFailed, "note",
			"note is %d characters; at most %d are allowed", n, MaxPingNote)
	}
	now := a.opts.Now()
	pong := Pong{
		Reply:      "pong",
		Count:      a.pings.Add(1),
		ReceivedAt: now.UTC().Format(time.RFC3339),
		UptimeMS:   now.Sub(a.started).Milliseconds(),
	}
	if note != "" {
		pong.Reply += ": " + note
	}
	a.events.Emit(EventPinged, pong)
	return pong, nil
}
