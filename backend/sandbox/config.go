package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Defaults used when the matching Config field is zero.
const (
	// DefaultAccessToken is accepted when Config.AccessTokens is empty.
	DefaultAccessToken = "sandbox-access-token"
	// DefaultAppSecret signs webhooks when Config.AppSecret is empty.
	DefaultAppSecret = "sandbox-app-secret"
	// DefaultWABAID is the WhatsApp Business Account id when none is set.
	DefaultWABAID = "102290129340398"
	// DefaultPhoneNumberID is the id of the default business number.
	DefaultPhoneNumberID = "106540352242922"
	// DefaultDisplayNumber is the default business number, digits only.
	DefaultDisplayNumber = "15550783881"
	// DefaultThroughput is Meta's default per-number throughput, msgs/s.
	DefaultThroughput = 80
	// DefaultAPIVersion is what GET responses mention; any vNN.N is accepted.
	DefaultAPIVersion = "v23.0"
)

// PhoneNumber is one business phone number registered on the sandbox's
// WhatsApp Business Account.
type PhoneNumber struct {
	// ID is the phone_number_id used in Graph paths and webhook metadata.
	ID string `json:"id"`
	// DisplayNumber is the number in digits with country code, no "+"
	// (webhook metadata.display_phone_number uses this form).
	DisplayNumber string `json:"display_phone_number"`
	// VerifiedName is the business display name.
	VerifiedName string `json:"verified_name"`
	// QualityRating is GREEN, YELLOW, RED or UNKNOWN.
	QualityRating string `json:"quality_rating"`
	// Throughput is the send limit in messages per second (Meta's default is
	// 80; numbers upgraded by Meta get 1000).
	Throughput float64 `json:"throughput"`
}

// StatusDelays are the pauses between an accepted send and its status
// webhooks. Zero values are allowed (benchmarks): the statuses are then
// produced inline, in order.
type StatusDelays struct {
	// Sent is the delay from acceptance to the "sent" (or "failed") status.
	Sent time.Duration
	// Delivered is the delay from "sent" to "delivered".
	Delivered time.Duration
	// Read is the delay from "delivered" to the customer reading the message
	// (only if the customer reads it, see CustomerConfig.ReadProbability).
	Read time.Duration
}

// DefaultStatusDelays are small, realistic delays for demos.
var DefaultStatusDelays = StatusDelays{Sent: 300 * time.Millisecond, Delivered: 700 * time.Millisecond, Read: 2 * time.Second}

// CustomerConfig shapes the simulated customer population.
type CustomerConfig struct {
	// Count is the population size (default 40; negative for none).
	Count int
	// Rate is how many unprompted inbound messages per second the population
	// sends while traffic is running (0 = none; 0.2 is a quiet demo, 5000 a
	// load test). Change it at runtime with SetTrafficRate.
	Rate float64
	// Autostart starts the traffic generator in New when Rate > 0.
	Autostart bool
	// ReadProbability is the chance a customer reads a delivered message
	// (default 0.9; set 1 for deterministic tests, -1 for never).
	ReadProbability float64
	// ReplyProbability is the chance a customer answers an agent's message
	// after reading it (default 0.6; -1 for never).
	ReplyProbability float64
	// ReplyDelay is how long after reading a customer answers (default 3 s).
	ReplyDelay time.Duration
	// Locales limits the population to these locales (en, es, pt_BR, ar, he,
	// hi); empty means all of them.
	Locales []string
}

// WebhookConfig tunes delivery of outbound webhooks.
type WebhookConfig struct {
	// Client is the HTTP client used to post webhooks (default: 10 s timeout).
	Client *http.Client
	// Workers is how many deliveries run in parallel (default 4). Events for
	// one customer always go through the same worker, so they stay in order.
	Workers int
	// BatchMax is the most messages or statuses put in one body when several
	// are waiting (default 8; 1 disables batching). Meta batches too.
	BatchMax int
	// QueueSize bounds the events waiting per worker (default 65536).
	// When it is full producers block, which is the sandbox's backpressure;
	// without a webhook URL the oldest events are dropped instead.
	QueueSize int
	// RetryBase is the first retry delay; it doubles up to RetryMax
	// (defaults 200 ms and 30 s).
	RetryBase time.Duration
	// RetryMax caps the retry delay.
	RetryMax time.Duration
	// UTF8 sends bodies as plain UTF-8. By default they are written as Meta
	// writes them: non-ASCII characters as lowercase \uXXXX escapes and "/"
	// as "\/", and the signature covers those escaped bytes.
	UTF8 bool
	// MaxAttempts is how many times one body is tried before it is dropped
	// (default 12; Meta keeps trying for up to 7 days).
	MaxAttempts int
}

// Config configures a Sandbox. The zero value is a working sandbox with one
// business number, the default token and secret, real time and a quiet
// customer population.
type Config struct {
	// AppSecret signs outbound webhooks (X-Hub-Signature-256).
	AppSecret string
	// AccessTokens are the bearer tokens the Graph endpoints accept.
	AccessTokens []string
	// WebhookURL is where notifications are posted. It can be empty at start
	// and set later with SetWebhookURL; events wait until it is set.
	WebhookURL string
	// VerifyToken is what SubscribeWebhook sends as hub.verify_token.
	VerifyToken string
	// WABAID is the WhatsApp Business Account id.
	WABAID string
	// WABAName is the account's name in GET /{waba-id}.
	WABAName string
	// PhoneNumbers are the business numbers (default: one number).
	PhoneNumbers []PhoneNumber
	// Clock drives all sandbox time (default NewRealClock()).
	Clock Clock
	// Seed makes ids, the population and customer behaviour reproducible.
	Seed uint64
	// IDSeed, when set, seeds the ids instead of Seed, keeping the
	// population. A sandbox restarted in front of a hub that keeps its
	// database needs a new one each run: Meta never hands out a wamid
	// twice, so a hub takes a repeated one for a message it already has.
	IDSeed uint64
	// StatusDelays are the delays of sent/delivered/read; nil means
	// DefaultStatusDelays, a pointer to the zero value means no delay.
	StatusDelays *StatusDelays
	// Customers shapes the simulated population.
	Customers CustomerConfig
	// Webhook tunes webhook delivery.
	Webhook WebhookConfig
	// TemplateReviewDelay is how long a created template stays PENDING
	// (default 2 s of sandbox time; negative means review at once).
	TemplateReviewDelay time.Duration
	// NoStarterTemplates leaves the account without the starter templates.
	NoStarterTemplates bool
	// MaxStoredMessages caps the messages kept in memory (default 100000);
	// the oldest are forgotten first.
	MaxStoredMessages int
	// MaxMediaBytes caps uploaded media kept in memory (default 256 MiB).
	MaxMediaBytes int64
	// MediaURLTTL is how long a media download URL stays valid (default 5 min,
	// as Meta's).
	MediaURLTTL time.Duration
	// PublicURL is the base URL put in media download URLs. Empty means the
	// scheme and Host of the request that asked for the URL.
	PublicURL string
	// PricingModel is "PMP" (per-message pricing, default) or "CBP" (the
	// older conversation-based shape) for status pricing objects.
	PricingModel string
	// PairRateLimit, when > 0, is the minimum gap between two messages to the
	// same customer; faster sends get 131056. Zero disables it.
	PairRateLimit time.Duration
	// UndeliverableNumbers are wa_ids that are not on WhatsApp: sends to them
	// are accepted and then fail with 131026.
	UndeliverableNumbers []string
	// AdminToken, when set, is required as a bearer token by the /_sandbox
	// admin endpoints.
	AdminToken string
	// Logger receives delivery problems (default: discard).
	Logger *slog.Logger
}

var versionRe = regexp.MustCompile(`^v\d{1,2}\.\d$`)

// withDefaults returns a copy of c with zero fields filled and checks it.
func (c Config) withDefaults() (Config, error) {
	if c.AppSecret == "" {
		c.AppSecret = DefaultAppSecret
	}
	if len(c.AccessTokens) == 0 {
		c.AccessTokens = []string{DefaultAccessToken}
	}
	if c.WABAID == "" {
		c.WABAID = DefaultWABAID
	}
	if c.WABAName == "" {
		c.WABAName = "Switchboard Sandbox"
	}
	if len(c.PhoneNumbers) == 0 {
		c.PhoneNumbers = []PhoneNumber{{ID: DefaultPhoneNumberID, DisplayNumber: DefaultDisplayNumber}}
	}
	numbers := make([]PhoneNumber, len(c.PhoneNumbers))
	seen := map[string]bool{}
	for i, p := range c.PhoneNumbers {
		if p.ID == "" || !isDigits(p.ID) {
			return c, fmt.Errorf("sandbox: phone number %d: id %q must be digits", i, p.ID)
		}
		if seen[p.ID] || p.ID == c.WABAID {
			return c, fmt.Errorf("sandbox: phone number id %q is used twice", p.ID)
		}
		seen[p.ID] = true
		p.DisplayNumber = strings.TrimPrefix(p.DisplayNumber, "+")
		if !isDigits(p.DisplayNumber) || len(p.DisplayNumber) < 8 || len(p.DisplayNumber) > 15 {
			return c, fmt.Errorf("sandbox: phone number %s: display number %q must be 8 to 15 digits", p.ID, p.DisplayNumber)
		}
		if p.VerifiedName == "" {
			p.VerifiedName = "Switchboard Demo"
		}
		if p.QualityRating == "" {
			p.QualityRating = "GREEN"
		}
		if p.Throughput == 0 {
			p.Throughput = DefaultThroughput
		}
		if p.Throughput < 0 {
			return c, fmt.Errorf("sandbox: phone number %s: negative throughput", p.ID)
		}
		numbers[i] = p
	}
	c.PhoneNumbers = numbers
	if c.Clock == nil {
		c.Clock = NewRealClock()
	}
	if c.StatusDelays == nil {
		d := DefaultStatusDelays
		c.StatusDelays = &d
	}
	cc := &c.Customers
	if cc.Count == 0 {
		cc.Count = 40
	}
	if cc.Count < 0 {
		cc.Count = 0
	}
	if cc.ReadProbability == 0 {
		cc.ReadProbability = 0.9
	}
	if cc.ReplyProbability == 0 {
		cc.ReplyProbability = 0.6
	}
	if cc.ReplyDelay == 0 {
		cc.ReplyDelay = 3 * time.Second
	}
	for _, l := range cc.Locales {
		if _, ok := locales[l]; !ok {
			return c, fmt.Errorf("sandbox: unknown customer locale %q", l)
		}
	}
	wc := &c.Webhook
	if wc.Client == nil {
		wc.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if wc.Workers <= 0 {
		wc.Workers = 4
	}
	if wc.BatchMax <= 0 {
		wc.BatchMax = 8
	}
	if wc.QueueSize <= 0 {
		wc.QueueSize = 65536
	}
	if wc.RetryBase <= 0 {
		wc.RetryBase = 200 * time.Millisecond
	}
	if wc.RetryMax <= 0 {
		wc.RetryMax = 30 * time.Second
	}
	if wc.MaxAttempts <= 0 {
		wc.MaxAttempts = 12
	}
	if c.TemplateReviewDelay == 0 {
		c.TemplateReviewDelay = 2 * time.Second
	}
	if c.MaxStoredMessages <= 0 {
		c.MaxStoredMessages = 100_000
	}
	if c.MaxMediaBytes <= 0 {
		c.MaxMediaBytes = 256 << 20
	}
	if c.MediaURLTTL <= 0 {
		c.MediaURLTTL = 5 * time.Minute
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch strings.ToUpper(c.PricingModel) {
	case "", "PMP":
		c.PricingModel = "PMP"
	case "CBP":
		c.PricingModel = "CBP"
	default:
		return c, errors.New("sandbox: PricingModel must be PMP or CBP")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
