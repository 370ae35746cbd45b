package wire

import (
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// Frame kinds on GET /v1/stream. Every frame is one JSON text message
// with a "kind" (Frame).
//
// Server to client:
//
//	hello      {"kind":"hello","since":S,"head":H,"oldest":O}   first frame
//	event      {"kind":"event","event":{seq,type,conversation_id,at,data}}
//	hidden     {"kind":"hidden","seq":N,"conversation_id":C}    (agents) the
//	           conversation is no longer yours or unassigned: drop it
//	live       {"kind":"live","seq":N}    replay done, live events follow
//	heartbeat  {"kind":"heartbeat","seq":N,"head":H,"at":T}     seq: you
//	           have everything you may see up to N
//	resync     {"kind":"resync","head":H,"oldest":O,"error":{…}} since is
//	           older than the log keeps: load a snapshot, reconnect
//	error      {"kind":"error","error":{…}}   then the connection closes
//
// Client to server (optional, ResumeFrame):
//
//	resume     {"kind":"resume","since":N}    when ?since= was not given
const (
	FrameHello     = "hello"
	FrameEvent     = "event"
	FrameHidden    = "hidden"
	FrameLive      = "live"
	FrameHeartbeat = "heartbeat"
	FrameResync    = "resync"
	FrameError     = "error"
	FrameResume    = "resume"
)

// Close codes the stream ends with (4000–4999 are the application's).
const (
	// CloseResync: since is older than the log keeps (or from another
	// database); load a snapshot and reconnect from its seq.
	CloseResync = 4000
	// CloseRevoked: the token was revoked; sign in again.
	CloseRevoked = 4001
	// CloseBadResume: the resume message was malformed.
	CloseBadResume = 4002
	// CloseSlow: the client fell too far behind; reconnect from the last
	// seq applied.
	CloseSlow = 4008
)

// Frame is one server-to-client message of the stream; Kind says which
// fields are set (see FrameHello…FrameError). Empty fields are left out,
// so each kind encodes as documented above.
type Frame struct {
	Kind           string        `json:"kind"`
	Event          *domain.Event `json:"event,omitempty"`
	Seq            int64         `json:"seq,omitempty"`
	Since          *int64        `json:"since,omitempty"`
	Head           *int64        `json:"head,omitempty"`
	Oldest         *int64        `json:"oldest,omitempty"`
	ConversationID int64         `json:"conversation_id,omitempty"`
	At             *time.Time    `json:"at,omitempty"`
	Error          *apierr.Body  `json:"error,omitempty"`
}

// ResumeFrame is the one message a client may send, first, when it did not
// give ?since=: the seq to resume after (null: from the live edge).
type ResumeFrame struct {
	Kind  string `json:"kind"`
	Since *int64 `json:"since"`
}

// Events is the body of GET /v1/events, for systems that poll instead of
// holding a websocket: the frames the caller may see after ?since= (kind
// event or hidden, as on the stream), with the log's bounds.
// Pagination.NextCursor is the seq to poll from next time. F is the frame
// as each side holds it: the server's already encoded frames, the
// client's Frame.
type Events[F any] struct {
	Data       []F        `json:"data"`
	Pagination Pagination `json:"pagination"`
	Head       int64      `json:"head"`
	Oldest     int64      `json:"oldest"`
}
