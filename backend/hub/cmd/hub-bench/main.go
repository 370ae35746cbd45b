// Command hub-bench measures the hub's messaging core on this machine and
// prints the figures `make bench` reports:
//
//   - signed webhook ingest throughput (messages/s with durable commit:
//     synchronous=FULL, a caller returns only after its body is on disk),
//     bodies made by the sandbox's generator and delivered by 512 concurrent
//     callers, next to a raw SQLite baseline measured in the same run: the
//     very rows the ingest run wrote (raw bodies, messages, events,
//     contacts, conversations), copied into a fresh database file with the
//     same schema and pragmas by plain prepared inserts, 1000 messages'
//     rows per transaction (no signature, parsing, lookups or rules); and
//     the ratio. For context it also copies them in as many transactions as
//     the ingest run used. Other processes make single runs noisy, so the
//     ingest is run in rounds and medians are reported, with the load
//     average and the CPU time per message;
//   - the send pipeline: Send's rate with 32 concurrent callers (each send
//     validated and durably queued), messages/s through the queue to the
//     sandbox over real HTTP, and how closely pacing holds a configured rate
//     as the sandbox saw it (its own acceptance timestamps): achieved rate,
//     deviation, drops.
//
// Usage: go run ./backend/hub/cmd/hub-bench [-messages 50000] [-per-body 1]
// [-concurrency 512] [-rounds 3] [-rate 200] [-seconds 5] [-cpuprofile f]
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
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/phone"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

func main() {
	messages := flag.Int("messages", 50000, "inbound messages to ingest")
	perBody := flag.Int("per-body", 1, "messages per webhook body")
	conc := flag.Int("concurrency", 512, "concurrent webhook deliveries (Little's law: 10,000/s at ~50 ms per delivery is ~500 in flight)")
	sendRate := flag.Int("rate", 200, "configured send rate (messages/s) for the pacing run")
	seconds := flag.Float64("seconds", 5, "length of the pacing run")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the ingest run to this file")
	rounds := flag.Int("rounds", 3, "ingest rounds (the median is reported: other processes make single runs noisy)")
	flag.Parse()
	profile = *cpuprofile

	dir, err := os.MkdirTemp("", "hub-bench-")
	check(err)
	defer os.RemoveAll(dir)

	fmt.Printf("hub-bench: %d inbound messages, %d per body, %d concurrent deliveries, %d rounds\n", *messages, *perBody, *conc, *rounds)
	var ratios, sameRatios, rates, bases []float64
	for r := range *rounds {
		rdir := filepath.Join(dir, fmt.Sprint("round", r))
		check(os.MkdirAll(rdir, 0o755))
		fmt.Printf("round %d (load average %s)\n", r+1, loadAverage())
		res := benchIngest(rdir, *messages, *perBody, *conc)
		fmt.Printf("  ingest:   %8.0f messages/s (signed webhooks, durable group commit)\n", res.ingest)
		fmt.Printf("  baseline: %8.0f messages/s (raw SQLite batched inserts of the same rows, same pragmas, 1000 messages' rows per transaction)\n", res.bulk)
		fmt.Printf("  ratio:    %8.2f\n", res.ingest/res.bulk)
		fmt.Printf("  (the same rows in the ingest run's own %d transactions: %.0f messages/s, ratio %.2f)\n", res.txs, res.same, res.ingest/res.same)
		ratios = append(ratios, res.ingest/res.bulk)
		sameRatios = append(sameRatios, res.ingest/res.same)
		rates = append(rates, res.ingest)
		bases = append(bases, res.bulk)
	}
	fmt.Printf("ingest:   %10.0f messages/s (median of %d rounds; goal >= 10000)\n", median(rates), *rounds)
	fmt.Printf("baseline: %10.0f messages/s (median)\n", median(bases))
	fmt.Printf("ratio:    %10.2f (median; goal >= 0.50)   same-transactions ratio %.2f\n", median(ratios), median(sameRatios))

	benchSend(dir, *sendRate, *seconds)
}

var profile string

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "hub-bench:", err)
		os.Exit(1)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type ingestResult struct {
	ingest, bulk, same float64 // messages per second
	txs                int64   // the ingest run's transactions
}

// benchIngest measures ingestion, then the baselines on the rows it wrote.
func benchIngest(dir string, n, perBody, conc int) ingestResult {
	sb, err := sandbox.New(sandbox.Config{Seed: 7, Customers: sandbox.CustomerConfig{Count: 2000}})
	check(err)
	defer sb.Close()
	bodies := sb.InboundBodies((n+perBody-1)/perBody, perBody)
	pn := sb.PhoneNumbers()[0]

	db, err := sqlitedb.Open(filepath.Join(dir, "ingest.db"), sqlitedb.Options{})
	check(err)
	defer db.Close()
	ctx := context.Background()
	st := sqlitestore.New(db)
	svc, err := hub.New(ctx, hub.Config{Store: st, AppSecret: sb.AppSecret(), Logger: quiet(),
		Accounts: []domain.Account{{ID: pn.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: pn.DisplayNumber}}})
	check(err)

	var next atomic.Int64
	var wg sync.WaitGroup
	if profile != "" {
		f, err := os.Create(profile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer f.Close()
	}
	cpu0 := cpuTime()
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
	cpu := cpuTime() - cpu0
	if profile != "" {
		pprof.StopCPUProfile()
	}
	txs, writes := svc.WriterStats()
	check(svc.Close(ctx))
	check(st.Close())
	fmt.Printf("  ingest:   %d transactions carried %d writes (%.1f per commit)\n", txs, writes, float64(writes)/float64(max(txs, 1)))

	var stored int
	check(db.Read.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&stored))
	ingestRate := float64(stored) / elapsed.Seconds()
	fmt.Printf("  ingest:   %d messages stored in %v, %.1f µs of CPU per message (both cores)\n", stored, elapsed.Round(time.Millisecond),
		float64(cpu.Microseconds())/float64(stored))

	return ingestResult{ingest: ingestRate, txs: txs,
		bulk: baseline(dir, "bulk", db, stored, max(1, stored/1000)),
		same: baseline(dir, "same", db, stored, int(max(1, txs)))}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// loadAverage is the 1-minute load average, for context.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// baseline copies every row the ingest run wrote into a fresh database with
// the same schema and pragmas, by prepared inserts in nTx transactions, and
// returns the rate in messages per second.
func baseline(dir, name string, src *sqlitedb.DB, messages, nTx int) float64 {
	// Parents first: accounts, contacts, conversations and referrals.
	tables := []string{"hub_accounts", "contacts", "conversations", "conversation_referrals", "messages", "webhook_bodies", "events"}
	const parents = 4
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

	db, err := sqlitedb.Open(filepath.Join(dir, name+".db"), sqlitedb.Options{})
	check(err)
	defer db.Close()
	check(sqlitestore.New(db).Migrate(context.Background()))
	// The hub checkpoints the WAL in the background, off its commit path;
	// the baseline does not checkpoint at all during its run, which can
	// only flatter it.
	_, err = db.Write.Exec(`PRAGMA wal_autocheckpoint = 0`)
	check(err)

	// Parents first (accounts, contacts, conversations: one transaction),
	// then the high-volume tables interleaved in transactions of about 1000
	// messages' worth of rows, as a bulk loader would.
	insert := func(tx *sql.Tx, tr tableRows, rows [][]any) {
		if len(rows) == 0 {
			return
		}
		ph := "?"
		for i := 1; i < tr.cols; i++ {
			ph += ",?"
		}
		st, err := tx.Prepare(`INSERT INTO ` + tr.name + ` VALUES (` + ph + `)`)
		check(err)
		for _, r := range rows {
			_, err := st.Exec(r...)
			check(err)
		}
		st.Close()
	}
	cpu0 := cpuTime()
	start := time.Now()
	tx, err := db.Write.Begin()
	check(err)
	for _, tr := range all[:parents] {
		insert(tx, tr, tr.rows)
	}
	check(tx.Commit())
	nb := nTx
	for b := range nb {
		tx, err := db.Write.Begin()
		check(err)
		for _, tr := range all[parents:] {
			lo, hi := len(tr.rows)*b/nb, len(tr.rows)*(b+1)/nb
			insert(tx, tr, tr.rows[lo:hi])
		}
		check(tx.Commit())
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	fmt.Printf("  baseline (%s, %d transactions): the same rows (%s) copied in %v, %.1f µs of CPU per message\n", name, nTx,
		rowCounts(all), elapsed.Round(time.Millisecond), float64(cpu.Microseconds())/float64(messages))
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

// benchSend measures the send pipeline against the sandbox over HTTP. For
// each run it first queues every message with no Cloud API client (so the
// queue fills without sending: this measures Send, i.e. validation plus a
// durable commit, with concurrent callers), then restarts the hub with the
// client and times the drain as the sandbox saw it: the sandbox's own
// acceptance timestamps, first to last. The pacing run configures the
// account at rate messages/s; the throughput run at a rate no queue here
// reaches.
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
	var customers []sandbox.Customer
	for _, c := range sb.Customers() {
		if _, err := phone.Normalize("+" + c.WaID); err == nil {
			customers = append(customers, c)
		}
	}
	client := whatsapp.NewClient(base, sb.AccessToken())
	ctx := context.Background()

	run := func(name string, mps, total int) {
		path := filepath.Join(dir, name+".db")
		open := func(api hub.CloudAPI) (*sqlitestore.Store, *hub.Service) {
			st, err := sqlitestore.Open(path, sqlitedb.Options{})
			check(err)
			cfg := hub.Config{Store: st, Logger: quiet(), AppSecret: sb.AppSecret(),
				Accounts: []domain.Account{{ID: pn.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: pn.DisplayNumber, ThroughputMPS: mps}}}
			if api != nil {
				cfg.API = api
			}
			svc, err := hub.New(ctx, cfg)
			check(err)
			return st, svc
		}
		// Queue everything (templates: no service window needed).
		st, svc := open(client)
		_, err := svc.SyncTemplates(ctx, pn.ID)
		check(err)
		tpl := pickTemplate(svc)
		check(svc.Close(ctx))
		st.Close()
		st, svc = open(nil)
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= total {
						return
					}
					c := customers[i%len(customers)]
					_, err := svc.Send(ctx, hub.SendRequest{To: "+" + c.WaID, Type: "template",
						Template: &hub.TemplateRequest{Name: tpl.Name, Language: hub.LanguageCode(tpl.Language)}})
					check(err)
				}
			}()
		}
		wg.Wait()
		queued := time.Since(start)
		svc.Close(ctx) // reports the queue it leaves behind, on purpose
		st.Close()
		// Drain through the sandbox.
		before := len(outbound(sb))
		st, svc = open(client)
		for svc.QueueLength() > 0 {
			time.Sleep(2 * time.Millisecond)
		}
		check(svc.Close(ctx))
		var failed int
		check(st.DB().Read.QueryRow(`SELECT COUNT(*) FROM messages WHERE status = 'failed'`).Scan(&failed))
		st.Close()
		recs := outbound(sb)[before:]
		drops := total - len(recs)
		times := make([]time.Time, len(recs))
		for i, r := range recs {
			times[i] = r.Timestamp
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		achieved := 0.0
		if len(times) > 1 {
			achieved = float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
		}
		fmt.Printf("%s: Send accepted %d messages in %v (%.0f/s, 32 callers, each durably queued)\n",
			name, total, queued.Round(time.Millisecond), float64(total)/queued.Seconds())
		if name == "send-pacing" {
			dev := (achieved - float64(mps)) / float64(mps) * 100
			fmt.Printf("%s: configured %d msg/s, achieved %.1f msg/s at the sandbox, deviation %+.2f%%, drops %d, failed %d (goal within 2%%, zero drops)\n",
				name, mps, achieved, dev, drops, failed)
		} else {
			fmt.Printf("%s: %.0f messages/s through the queue to the sandbox over HTTP, drops %d, failed %d\n", name, achieved, drops, failed)
		}
	}
	run("send-throughput", 1_000_000, 5000)
	run("send-pacing", rate, int(float64(rate)*seconds))
}

// outbound lists the sandbox's outbound messages, oldest first.
func outbound(sb *sandbox.Sandbox) []sandbox.MessageRecord {
	all := sb.Messages("", 0)
	var out []sandbox.MessageRecord
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Direction == sandbox.DirectionOutbound {
			out = append(out, all[i])
		}
	}
	return out
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

// cpuTime is the process's user+system CPU time, which other processes on
// a busy machine distort far less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
