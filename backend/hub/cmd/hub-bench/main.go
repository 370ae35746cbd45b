// Command hub-bench measures the hub's messaging core on this machine and
// prints the figures `make bench` reports:
//
//   - signed webhook ingest throughput (messages/s with durable commit:
//     synchronous=FULL, the caller returns only after its body is on disk),
//     bodies made by the sandbox's generator, next to a raw SQLite baseline
//     measured in the same run: the very rows the ingest run wrote, copied
//     into a fresh database file with the same schema and pragmas by plain
//     batched inserts (no parsing, no lookups, no rules); and their ratio;
//   - the send pipeline: messages/s through the durable queue to the sandbox
//     over real HTTP, and how closely pacing holds a configured rate
//     (achieved rate, deviation, drops).
//
// Usage: go run ./backend/hub/cmd/hub-bench [-messages 50000] [-per-body 1]
// [-concurrency 64] [-rate 200] [-seconds 5]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

func main() {
	messages := flag.Int("messages", 50000, "inbound messages to ingest")
	perBody := flag.Int("per-body", 1, "messages per webhook body")
	conc := flag.Int("concurrency", 64, "concurrent webhook deliveries")
	sendRate := flag.Int("rate", 200, "configured send rate (messages/s) for the pacing run")
	seconds := flag.Float64("seconds", 5, "length of the pacing run")
	flag.Parse()

	dir, err := os.MkdirTemp("", "hub-bench-")
	check(err)
	defer os.RemoveAll(dir)

	fmt.Printf("hub-bench: %d inbound messages, %d per body, %d concurrent deliveries\n", *messages, *perBody, *conc)
	ingestRate, baseRate := benchIngest(dir, *messages, *perBody, *conc)
	fmt.Printf("ingest:   %10.0f messages/s (signed webhooks, durable group commit)\n", ingestRate)
	fmt.Printf("baseline: %10.0f messages/s (raw SQLite batched inserts of the same rows, same pragmas)\n", baseRate)
	fmt.Printf("ratio:    %10.2f (goal >= 0.50; goal >= 10000 messages/s)\n", ingestRate/baseRate)

	benchSend(dir, *sendRate, *seconds)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "hub-bench:", err)
		os.Exit(1)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// benchIngest returns the ingest and baseline rates in messages per second.
func benchIngest(dir string, n, perBody, conc int) (float64, float64) {
	sb, err := sandbox.New(sandbox.Config{Seed: 7, Customers: sandbox.CustomerConfig{Count: 2000}})
	check(err)
	defer sb.Close()
	bodies := sb.InboundBodies((n+perBody-1)/perBody, perBody)
	pn := sb.PhoneNumbers()[0]

	db, err := sqlitedb.Open(filepath.Join(dir, "ingest.db"), sqlitedb.Options{})
	check(err)
	defer db.Close()
	ctx := context.Background()
	svc, err := hub.New(ctx, hub.Config{DB: db, AppSecret: sb.AppSecret(), Logger: quiet(),
		Accounts: []domain.Account{{ID: pn.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: pn.DisplayNumber}}})
	check(err)

	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				if err := svc.IngestWebhook(ctx, bodies[i].Body, bodies[i].Signature); err != nil {
					check(err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	txs, writes := svc.WriterStats()
	check(svc.Close(ctx))
	fmt.Printf("ingest:   %d transactions carried %d writes (%.1f per commit)\n", txs, writes, float64(writes)/float64(max(txs, 1)))

	var stored int
	check(db.Read.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&stored))
	ingestRate := float64(stored) / elapsed.Seconds()
	fmt.Printf("ingest:   %d messages stored in %v\n", stored, elapsed.Round(time.Millisecond))

	baseRate := baseline(dir, db, stored)
	return ingestRate, baseRate
}

// baseline copies every row the ingest run wrote into a fresh database with
// the same schema and pragmas, by batched prepared inserts, and returns the
// rate in messages per second.
func baseline(dir string, src *sqlitedb.DB, messages int) float64 {
	tables := []string{"hub_accounts", "contacts", "conversations", "messages", "webhook_bodies", "events"}
	var all []tableRows
	for _, t := range tables {
		rows, err := src.Read.Query(`SELECT * FROM ` + t + ` ORDER BY rowid`)
		check(err)
		cols, err := rows.Columns()
		check(err)
		tr := tableRows{name: t, cols: len(cols)}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			check(rows.Scan(ptrs...))
			tr.rows = append(tr.rows, vals)
		}
		check(rows.Err())
		rows.Close()
		all = append(all, tr)
	}

	db, err := sqlitedb.Open(filepath.Join(dir, "baseline.db"), sqlitedb.Options{})
	check(err)
	defer db.Close()
	check(sqlitestore.New(db).Migrate(context.Background()))

	// Interleave the tables in batches of about 1000 messages' worth of
	// rows per transaction, as a bulk loader would.
	const batches = 1000
	nb := max(1, messages/batches)
	start := time.Now()
	for b := range nb {
		tx, err := db.Write.Begin()
		check(err)
		for _, tr := range all {
			lo, hi := len(tr.rows)*b/nb, len(tr.rows)*(b+1)/nb
			if lo == hi {
				continue
			}
			ph := "?"
			for i := 1; i < tr.cols; i++ {
				ph += ",?"
			}
			st, err := tx.Prepare(`INSERT INTO ` + tr.name + ` VALUES (` + ph + `)`)
			check(err)
			for _, r := range tr.rows[lo:hi] {
				_, err := st.Exec(r...)
				check(err)
			}
			st.Close()
		}
		check(tx.Commit())
	}
	elapsed := time.Since(start)
	fmt.Printf("baseline: the same rows (%s) copied in %v\n", rowCounts(all), elapsed.Round(time.Millisecond))
	return float64(messages) / elapsed.Seconds()
}

type tableRows struct {
	name string
	cols int
	rows [][]any
}

func rowCounts(all []tableRows) string {
	s := ""
	for _, tr := range all {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", tr.name, len(tr.rows))
	}
	return s
}

// benchSend measures the send pipeline against the sandbox over HTTP:
// first unpaced throughput (the account at a high rate), then pacing at
// rate for seconds.
func benchSend(dir string, rate int, seconds float64) {
	zero := sandbox.StatusDelays{}
	sb, err := sandbox.New(sandbox.Config{Seed: 9, StatusDelays: &zero,
		PhoneNumbers: []sandbox.PhoneNumber{{ID: "100000000000001", DisplayNumber: "15550000001", Throughput: 100000}},
		Customers:    sandbox.CustomerConfig{Count: 500, ReadProbability: -1, ReplyProbability: -1}})
	check(err)
	defer sb.Close()
	base, err := sb.Start("127.0.0.1:0")
	check(err)
	pn := sb.PhoneNumbers()[0]
	customers := sb.Customers()

	run := func(name string, mps, total int) {
		db, err := sqlitedb.Open(filepath.Join(dir, name+".db"), sqlitedb.Options{})
		check(err)
		defer db.Close()
		client := whatsapp.NewClient(base, sb.AccessToken())
		ctx := context.Background()
		svc, err := hub.New(ctx, hub.Config{DB: db, API: client, Logger: quiet(), AppSecret: sb.AppSecret(),
			Accounts: []domain.Account{{ID: pn.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: pn.DisplayNumber, ThroughputMPS: mps}}})
		check(err)
		// Templates may go out without a customer service window.
		_, err = svc.SyncTemplates(ctx, pn.ID)
		check(err)
		tpl := pickTemplate(svc)
		before := sb.Stats().OutboundAccepted
		start := time.Now()
		for i := range total {
			c := customers[i%len(customers)]
			_, err := svc.Send(ctx, hub.SendRequest{To: "+" + c.WaID, Type: "template",
				Template: &hub.TemplateRequest{Name: tpl.Name, Language: hub.LanguageCode(tpl.Language)}})
			check(err)
		}
		queued := time.Since(start)
		// Wait for the queue to drain, recording when each message left.
		for svc.QueueLength() > 0 {
			time.Sleep(2 * time.Millisecond)
		}
		elapsed := time.Since(start)
		check(svc.Close(ctx))
		accepted := sb.Stats().OutboundAccepted - before
		times := sentTimes(db)
		achieved := 0.0
		if len(times) > 1 {
			achieved = float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
		}
		var failed int
		check(db.Read.QueryRow(`SELECT COUNT(*) FROM messages WHERE status = 'failed'`).Scan(&failed))
		drops := int64(total) - accepted
		fmt.Printf("%s: %d queued in %v (%.0f/s accepted by Send), all sent in %v; sandbox accepted %d, failed %d, drops %d\n",
			name, total, queued.Round(time.Millisecond), float64(total)/queued.Seconds(), elapsed.Round(time.Millisecond), accepted, failed, drops)
		if mps > 0 {
			dev := (achieved - float64(mps)) / float64(mps) * 100
			fmt.Printf("%s: configured %d msg/s, achieved %.1f msg/s, deviation %+.2f%% (goal within 2%%, zero drops)\n", name, mps, achieved, dev)
		} else {
			fmt.Printf("%s: %.0f messages/s through the queue to the sandbox\n", name, achieved)
		}
	}
	run("send-throughput", 100000, 5000)
	run("send-pacing", rate, int(float64(rate)*seconds))
}

func pickTemplate(svc *hub.Service) domain.Template {
	page, err := svc.ListTemplates(context.Background(), hub.TemplateQuery{Status: "APPROVED", PageRequest: hub.PageRequest{Limit: 100}})
	check(err)
	for _, t := range page.Items {
		if len(t.Components) > 0 && !containsPlaceholder(string(t.Components)) {
			return t
		}
	}
	check(fmt.Errorf("the sandbox has no approved template without parameters"))
	return domain.Template{}
}

func containsPlaceholder(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && s[i+1] == '{' {
			return true
		}
	}
	return false
}

// sentTimes reads when each message was accepted by the Cloud API.
func sentTimes(db *sqlitedb.DB) []time.Time {
	rows, err := db.Read.Query(`SELECT sent_at FROM messages WHERE sent_at IS NOT NULL`)
	check(err)
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var ns sql.NullInt64
		check(rows.Scan(&ns))
		out = append(out, time.Unix(0, ns.Int64))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
