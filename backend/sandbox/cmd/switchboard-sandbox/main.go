// Command switchboard-sandbox runs the WhatsApp Cloud API sandbox on its own:
// a local Graph API endpoint plus simulated customers that post signed
// webhooks to the hub.
//
//	switchboard-sandbox -addr 127.0.0.1:8090 -webhook http://127.0.0.1:8080/webhook -rate 0.2
//
// Point the hub's Cloud API base URL at the printed address and use the
// printed token, app secret, phone number id and WABA id.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"switchboard/backend/sandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard-sandbox:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		addr        = flag.String("addr", "127.0.0.1:8090", "listen address")
		token       = flag.String("token", sandbox.DefaultAccessToken, "accepted access token (comma-separated for several)")
		secret      = flag.String("app-secret", sandbox.DefaultAppSecret, "app secret signing webhooks")
		webhook     = flag.String("webhook", "", "webhook URL to post notifications to")
		verifyToken = flag.String("verify-token", "", "verify token; with -verify, perform Meta's GET handshake first")
		verify      = flag.Bool("verify", false, "verify the webhook URL with the hub.challenge handshake before using it")
		waba        = flag.String("waba", sandbox.DefaultWABAID, "WhatsApp Business Account id")
		phoneID     = flag.String("phone-id", sandbox.DefaultPhoneNumberID, "business phone_number_id")
		number      = flag.String("number", sandbox.DefaultDisplayNumber, "business number, digits with country code")
		name        = flag.String("name", "Switchboard Demo", "verified business name")
		mps         = flag.Float64("mps", sandbox.DefaultThroughput, "throughput limit, messages per second")
		seed        = flag.Uint64("seed", 1, "random seed")
		customers   = flag.Int("customers", 40, "simulated customers")
		rate        = flag.Float64("rate", 0, "unprompted customer messages per second (0 = none)")
		replyProb   = flag.Float64("reply-probability", 0.6, "chance a customer answers an agent message (-1 never)")
		delays      = flag.Duration("status-delay", 300*time.Millisecond, "delay before each of sent and delivered (read waits 3x)")
		review      = flag.Duration("template-review", 2*time.Second, "how long new templates stay PENDING")
		pricing     = flag.String("pricing", "PMP", "pricing object shape: PMP or CBP")
		verbose     = flag.Bool("v", false, "log webhook delivery problems")
	)
	flag.Parse()
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	sd := sandbox.StatusDelays{Sent: *delays, Delivered: *delays, Read: 3 * *delays}
	sb, err := sandbox.New(sandbox.Config{
		AppSecret:    *secret,
		AccessTokens: strings.Split(*token, ","),
		VerifyToken:  *verifyToken,
		WABAID:       *waba,
		PhoneNumbers: []sandbox.PhoneNumber{{ID: *phoneID, DisplayNumber: *number, VerifiedName: *name, Throughput: *mps}},
		Seed:         *seed,
		StatusDelays: &sd,
		Customers: sandbox.CustomerConfig{
			Count: *customers, Rate: *rate, Autostart: *rate > 0, ReplyProbability: *replyProb,
		},
		TemplateReviewDelay: *review,
		PricingModel:        *pricing,
		Logger:              logger,
	})
	if err != nil {
		return err
	}
	defer sb.Close()
	base, err := sb.Start(*addr)
	if err != nil {
		return err
	}
	if *webhook != "" {
		if *verify {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := sb.SubscribeWebhook(ctx, *webhook)
			cancel()
			if err != nil {
				return err
			}
		} else {
			sb.SetWebhookURL(*webhook)
		}
	}
	fmt.Printf("sandbox listening on %s\n", base)
	fmt.Printf("  graph base URL:   %s/v23.0\n", base)
	fmt.Printf("  access token:     %s\n", sb.AccessToken())
	fmt.Printf("  app secret:       %s\n", sb.AppSecret())
	fmt.Printf("  WABA id:          %s\n", sb.WABAID())
	for _, p := range sb.PhoneNumbers() {
		fmt.Printf("  phone number id:  %s (+%s, %s)\n", p.ID, p.DisplayNumber, p.VerifiedName)
	}
	fmt.Printf("  webhook URL:      %s\n", valueOr(sb.WebhookURL(), "(none; PUT /_sandbox/webhook to set)"))
	fmt.Printf("  admin:            %s/_sandbox/state\n", base)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

func valueOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
