// Command desktop-bench prints the desktop console's benchmark figures for
// make bench, each next to a baseline measured in the same run:
//
//   - opening a conversation of 100,000 messages (its latest page) from the
//     cache, against the same SQL on the same file without the cache layer
//     (goal: under 100 ms);
//
//   - listing an inbox of 50,000 conversations (tab counts and the first
//     page the virtualised list shows), and scrolling through all of it by
//     keyset pages, against the bare SQL (goal: under 50 ms);
//
//   - applying 10,000 events missed while offline, through the sync engine
//     after it reconnects, against inserting the same 10,000 events into a
//     plain SQLite table in one transaction (goal: under 1 s); and the
//     same replay from the real hub over a loopback websocket;
//
//   - the app's memory (the app process plus its WebKit processes, RSS
//     summed from /proc) with 10,000 conversations cached, against an empty
//     Wails window, both under Xvfb (goal: within 1.15×). This part needs
//     a built frontend, Xvfb and the GTK/WebKit build packages; it is
//     skipped, saying why, when they are missing. For information, it
//     also prints the memory of a new user's console on its demo hub,
//     the child process (switchboard-hub --demo) included.
//
//     go run ./backend/desktop/cmd/desktop-bench [-memory=false] [-realhub=false]
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"switchboard/backend/demo"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/desktop/internal/fixture"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
)

var quiet = slog.New(slog.DiscardHandler)

func main() {
	memory := flag.Bool("memory", true, "measure the app's memory under Xvfb (needs a desktop build)")
	realHub := flag.Bool("realhub", true, "also replay 10,000 events from the real hub over loopback")
	runs := flag.Int("runs", 30, "repetitions of each timed read")
	timings := flag.Bool("timings", true, "run the timed cache benchmarks (-timings=false with -realhub=false measures memory only)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "desktop-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)

	fmt.Println("desktop console benchmarks (median of", *runs, "runs; ratio = console / baseline)")
	if *timings {
		benchOpen(dir, *runs)
		benchInbox(dir, *runs)
		benchApply(dir)
	}
	if *realHub {
		benchApplyRealHub(dir)
	}
	if *memory {
		benchMemory(dir)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "desktop-bench:", err)
	os.Exit(1)
}

func must(err error) {
	if err != nil {
		fail(err)
	}
}

// median times fn runs times.
func median(runs int, fn func()) time.Duration {
	fn() // warm the page cache and the statement cache
	ds := make([]time.Duration, runs)
	for i := range ds {
		start := time.Now()
		fn()
		ds[i] = time.Since(start)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

func verdict(d, goal time.Duration) string {
	if d < goal {
		return "ok (goal < " + goal.String() + ")"
	}
	return "MISSED (goal < " + goal.String() + ")"
}

func report(name string, ours, base time.Duration, goal time.Duration) {
	fmt.Printf("  %-58s %10s   baseline %10s   ratio %5.2fx   %s\n", name, ms(ours), ms(base),
		float64(ours)/float64(max(base, time.Microsecond)), verdict(ours, goal))
}

func openCache(dir, name string) *cache.Cache {
	c, err := cache.Open(context.Background(), filepath.Join(dir, name))
	must(err)
	return c
}

func benchOpen(dir string, runs int) {
	ctx := context.Background()
	c := openCache(dir, "open.db")
	defer c.Close()
	const n = 100_000
	start := time.Now()
	batch := make([]domain.Message, 0, 10_000)
	for id := int64(1); id <= n; id++ {
		batch = append(batch, fixture.Message(1, id))
		if len(batch) == cap(batch) {
			must(c.UpsertMessages(ctx, batch))
			batch = batch[:0]
		}
	}
	// Some neighbours, so the index holds other conversations too.
	for conv := int64(2); conv <= 200; conv++ {
		batch = append(batch, fixture.Message(conv, n+conv*10), fixture.Message(conv, n+conv*10+1))
	}
	must(c.UpsertMessages(ctx, batch))
	fmt.Printf("conversation of %d messages cached in %.1f s\n", n, time.Since(start).Seconds())

	ours := median(runs, func() {
		p, err := c.Messages(ctx, 1, "", cache.DefaultMessageLimit)
		must(err)
		if len(p.Messages) != cache.DefaultMessageLimit {
			fail(errors.New("short page"))
		}
	})
	base := median(runs, func() { rawPage(c.DB(), 1) })
	report("open a conversation of 100,000 messages (latest 50)", ours, base, 100*time.Millisecond)

	// Scrolling to the very top, page by page.
	var cursor string
	pages := 0
	start = time.Now()
	for {
		p, err := c.Messages(ctx, 1, cursor, cache.MaxMessageLimit)
		must(err)
		pages++
		if !p.HasMore {
			break
		}
		cursor = p.Cursor
	}
	fmt.Printf("  (scrolling all 100,000 messages in %d pages of %d: %s, %s per page)\n", pages, cache.MaxMessageLimit,
		ms(time.Since(start)), ms(time.Since(start)/time.Duration(pages)))
}

// rawPage is the baseline: the same index range scan, bytes only, no
// decoding into messages.
func rawPage(db *sqlitedb.DB, conv int64) {
	rows, err := db.Read.Query(`SELECT data FROM messages WHERE conversation_id = ? ORDER BY ts DESC, id DESC LIMIT 51`, conv)
	must(err)
	defer rows.Close()
	for rows.Next() {
		var b sql.RawBytes
		must(rows.Scan(&b))
	}
	must(rows.Err())
}

func benchInbox(dir string, runs int) {
	ctx := context.Background()
	c := openCache(dir, "inbox.db")
	defer c.Close()
	const n = 50_000
	start := time.Now()
	snap := cache.Snapshot{Seq: 1}
	for i := int64(1); i <= n; i++ {
		snap.Conversations = append(snap.Conversations, fixture.Conversation(i))
	}
	must(c.ReplaceSnapshot(ctx, snap))
	fmt.Printf("inbox of %d conversations cached in %.1f s\n", n, time.Since(start).Seconds())

	for _, tab := range []cache.Tab{cache.TabAll, cache.TabMine, cache.TabUnassigned} {
		ours := median(runs, func() {
			_, err := c.InboxCounts(ctx, 1, "")
			must(err)
			p, err := c.Inbox(ctx, 1, cache.InboxQuery{Tab: tab, Limit: cache.DefaultInboxLimit})
			must(err)
			if len(p.Conversations) != cache.DefaultInboxLimit {
				fail(errors.New("short inbox page"))
			}
		})
		base := median(runs, func() { rawInbox(c.DB(), tab) })
		report(fmt.Sprintf("list 50,000 conversations: %s tab (counts + first 100)", tab), ours, base, 50*time.Millisecond)
	}
	ours := median(runs, func() {
		_, err := c.InboxCounts(ctx, 1, domain.StatusOpen)
		must(err)
		_, err = c.Inbox(ctx, 1, cache.InboxQuery{Tab: cache.TabMine, Status: domain.StatusOpen, Limit: cache.DefaultInboxLimit})
		must(err)
	})
	report("list 50,000 conversations: mine + status open", ours, median(runs, func() { rawInbox(c.DB(), "mine-open") }), 50*time.Millisecond)

	start = time.Now()
	cursor, rows := "", 0
	for {
		p, err := c.Inbox(ctx, 1, cache.InboxQuery{Tab: cache.TabAll, Cursor: cursor, Limit: cache.MaxInboxLimit})
		must(err)
		rows += len(p.Conversations)
		if !p.HasMore {
			break
		}
		cursor = p.NextCursor
	}
	fmt.Printf("  (scrolling all %d conversations in pages of %d: %s)\n", rows, cache.MaxInboxLimit, ms(time.Since(start)))
}

func rawInbox(db *sqlitedb.DB, tab cache.Tab) {
	var n, u int
	must(db.Read.QueryRow(`SELECT COUNT(*), COALESCE(SUM(unanswered), 0) FROM conversations`).Scan(&n, &u))
	where := ""
	switch tab {
	case cache.TabMine:
		where = "WHERE assignee = 1"
	case cache.TabUnassigned:
		where = "WHERE assignee = 0"
	case "mine-open":
		where = "WHERE assignee = 1 AND status = 'open'"
	}
	rows, err := db.Read.Query(`SELECT data FROM conversations ` + where + ` ORDER BY activity DESC, id DESC LIMIT 101`)
	must(err)
	defer rows.Close()
	for rows.Next() {
		var b sql.RawBytes
		must(rows.Scan(&b))
	}
	must(rows.Err())
}

type nopEmitter struct{}

func (nopEmitter) Emit(string, any) {}

// runUntil runs a sync engine on c until the cache reaches seq and
// returns how long that took.
func runUntil(c *cache.Cache, hub remote.Hub, seq int64) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := syncer.New(syncer.Config{Cache: c, Hub: hub, Emit: nopEmitter{}, Log: quiet})
	done := make(chan struct{})
	start := time.Now()
	go func() { e.Run(ctx); close(done) }()
	for {
		if s, _ := c.Seq(context.Background()); s >= seq {
			d := time.Since(start)
			cancel()
			<-done
			return d
		}
		time.Sleep(time.Millisecond)
	}
}

func benchApply(dir string) {
	ctx := context.Background()
	hub := memhub.New()
	convs := make([]domain.Conversation, 0, 1000)
	for i := range 1000 {
		convs = append(convs, hub.AddConversation(fmt.Sprintf("Customer %d", i), fmt.Sprintf("+1555%07d", i)))
	}
	c := openCache(dir, "apply.db")
	defer c.Close()
	runUntil(c, hub, hub.Seq())
	from := hub.Seq()
	// Offline: 5,000 customer messages, each a message.created and a
	// conversation.updated — 10,000 events.
	for i := range 5000 {
		hub.CustomerSays(convs[i%len(convs)].ID, fixture.Text(int64(i)))
	}
	head := hub.Seq()
	ours := runUntil(c, hub, head)

	// Baseline: the same 10,000 events stored as rows in one transaction,
	// with nothing decoded or indexed for search.
	var events []domain.Event
	s, err := hub.Stream(ctx, from)
	must(err)
	for int64(len(events)) < head-from {
		f, err := s.Next(ctx)
		must(err)
		events = append(events, f.Events...)
	}
	s.Close()
	db, err := sqlitedb.Open(filepath.Join(dir, "raw-apply.db"), sqlitedb.Options{Synchronous: "NORMAL"})
	must(err)
	defer db.Close()
	_, err = db.Write.Exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)`)
	must(err)
	start := time.Now()
	must(db.WriteTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO events (seq, type, data) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, e := range events {
			if _, err := st.Exec(e.Seq, e.Type, string(e.Data)); err != nil {
				return err
			}
		}
		return nil
	}))
	base := time.Since(start)
	report(fmt.Sprintf("apply %d missed events after reconnect (in-process hub)", head-from), ours, base, time.Second)
}

// benchApplyRealHub replays from the real hub over a loopback websocket:
// the hub's replay, the wire and the console's apply together.
func benchApplyRealHub(dir string) {
	ctx := context.Background()
	h, err := demo.Start(ctx, demo.Config{Dir: filepath.Join(dir, "hub"), Log: quiet, TrafficRate: -1,
		FirstRunMessages: -1, FastLogin: true, Sandbox: func(c *sandbox.Config) {
			c.StatusDelays = &sandbox.StatusDelays{}
			c.Customers.ReadProbability, c.Customers.ReplyProbability = -1, -1
		}})
	if err != nil {
		fmt.Println("  real hub replay: skipped:", err)
		return
	}
	defer h.Close()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	must(err)
	c := openCache(dir, "apply-real.db")
	defer c.Close()
	hub := remote.NewHubClient(h.URL(), token)
	headOf := func() int64 { eh, err := h.Admin().Head(ctx); must(err); return eh.Head }
	runUntil(c, hub, headOf())
	from, _ := c.Seq(ctx)
	start := time.Now()
	for i := 0; headOf()-from < 10_000; i++ {
		for j := range 200 {
			phone := fmt.Sprintf("4479110%05d", (i*200+j)%1000)
			if _, err := h.Raw().CustomerSend(phone, sandbox.InboundMessage{Type: "text", Text: fixture.Text(int64(i*200 + j))}); err != nil {
				fail(err)
			}
		}
		must(h.Raw().Flush(ctx))
		if time.Since(start) > 3*time.Minute {
			fmt.Println("  real hub replay: skipped: the hub took too long to ingest the backlog")
			return
		}
	}
	// Let the last webhooks land.
	for last := int64(-1); ; {
		time.Sleep(200 * time.Millisecond)
		if now := headOf(); now == last {
			break
		} else {
			last = now
		}
	}
	head := headOf()
	ingest := time.Since(start)
	ours := runUntil(c, hub, head)
	fmt.Printf("  %-58s %10s   (%d events; the hub ingested them in %.1f s)   %s\n",
		"apply missed events after reconnect (real hub, websocket)", ms(ours), head-from, ingest.Seconds(),
		verdict(ours*10_000/time.Duration(max(head-from, 1)), time.Second))
}

// --- Memory -------------------------------------------------------------------

func benchMemory(dir string) {
	skip := func(why string) { fmt.Println("  memory: skipped:", why) }
	root, err := repoRoot()
	if err != nil {
		skip(err.Error())
		return
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip(tool + " is not installed (apt install xvfb xdotool)")
			return
		}
	}
	if _, err := os.Stat(filepath.Join(root, "frontend/dist/index.html")); err != nil {
		skip("the frontend is not built (make frontend)")
		return
	}
	appBin := filepath.Join(dir, "switchboard")
	emptyBin := filepath.Join(dir, "emptywindow")
	for _, b := range []struct{ out, pkg string }{{appBin, "."}, {emptyBin, "./backend/desktop/internal/emptywindow"}} {
		// The Makefile's desktop flags, for both.
		cmd := exec.Command("go", "build", "-tags", "desktop,production", "-trimpath", "-ldflags", "-w -s", "-o", b.out, b.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			skip("desktop build failed (GTK/WebKit dev packages?): " + strings.TrimSpace(string(out)))
			return
		}
	}
	// A console with 10,000 conversations cached, signed in to a hub that
	// is not there: it opens on the cache, offline, like a laptop on a train.
	data := filepath.Join(dir, "app-data")
	c, err := cache.Open(context.Background(), filepath.Join(data, "cache.db"))
	must(err)
	snap := cache.Snapshot{Seq: 1}
	for i := int64(1); i <= 10_000; i++ {
		snap.Conversations = append(snap.Conversations, fixture.Conversation(i))
	}
	must(c.ReplaceSnapshot(context.Background(), snap))
	user := domain.User{ID: 1, Email: "agent@example.com", Name: "Agent One", Role: domain.RoleAgent}
	must(c.SaveSession(context.Background(), cache.Session{Mode: "remote", HubURL: "http://127.0.0.1:9", Token: "offline", User: user}))
	must(c.SetSetting(context.Background(), "identity", "remote|1|http://127.0.0.1:9"))
	must(c.Close())

	display, stopX, err := startXvfb()
	if err != nil {
		skip(err.Error())
		return
	}
	defer stopX()
	env := append(os.Environ(), "DISPLAY="+display, "SWITCHBOARD_DATA_DIR="+data, "SWITCHBOARD_SANDBOX_RATE=0",
		"WEBKIT_DISABLE_COMPOSITING_MODE=1", "NO_AT_BRIDGE=1")
	empty, err := measure(emptyBin, "Empty Wails window", env)
	if err != nil {
		skip("empty window: " + err.Error())
		return
	}
	app, err := measure(appBin, "Switchboard", env)
	if err != nil {
		skip("app: " + err.Error())
		return
	}
	ratio := float64(app.total) / float64(empty.total)
	ok := "ok (goal within 1.15x)"
	if ratio > 1.15 {
		ok = "MISSED (goal within 1.15x)"
	}
	fmt.Printf("  %-58s %7.1f MB   empty Wails window %7.1f MB   ratio %5.2fx   %s\n",
		"memory with 10,000 conversations cached (app + WebKit)", mb(app.total), mb(empty.total), ratio, ok)
	fmt.Printf("    app: %s\n    empty window: %s\n", app.detail, empty.detail)

	// For information: a new user's console on its demo hub, which runs
	// as a child process (switchboard-hub --demo) and so is in the sum.
	hubBin := filepath.Join(dir, "switchboard-hub")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-w -s", "-o", hubBin, "./backend/cmd/switchboard-hub")
	cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Println("  demo-mode memory: skipped: hub build failed:", strings.TrimSpace(string(out)))
		return
	}
	demoEnv := append(os.Environ(), "DISPLAY="+display, "SWITCHBOARD_DATA_DIR="+filepath.Join(dir, "demo-data"),
		"SWITCHBOARD_SANDBOX_RATE=0", "WEBKIT_DISABLE_COMPOSITING_MODE=1", "NO_AT_BRIDGE=1")
	demo, err := measure(appBin, "Switchboard", demoEnv)
	if err != nil {
		fmt.Println("  demo-mode memory: skipped:", err)
		return
	}
	fmt.Printf("  %-58s %7.1f MB   (for information: no goal)\n    %s\n",
		"memory on the demo hub (console + demo hub process + WebKit)", mb(demo.total), demo.detail)
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "wails.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from the repository (no wails.json found)")
		}
		dir = parent
	}
}

// startXvfb starts a virtual X server on a display it picks itself
// (-displayfd), and returns the stop function, which lets it exit cleanly
// so it removes its socket and lock file.
func startXvfb() (string, func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x820x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, err
	}
	w.Close()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	got := make(chan string, 1)
	go func() {
		// Read up to the newline: Xvfb may write the number and the
		// newline separately, and closing the pipe in between makes it
		// fail with "Cannot write display number to fd 3".
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			stop()
			return "", nil, errors.New("Xvfb did not start")
		}
		return ":" + n, stop, nil
	case <-time.After(10 * time.Second):
		stop()
		return "", nil, errors.New("Xvfb did not start in 10 s")
	}
}

type footprint struct {
	total  int64 // kB
	detail string
}

// measure starts bin, waits for its window and for memory to settle, and
// sums the RSS of the process and its descendants (WebKit's web and
// network processes).
func measure(bin, title string, env []string) (footprint, error) {
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return footprint{}, err
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		search := exec.Command("xdotool", "search", "--name", title)
		search.Env = env
		out, _ := search.Output()
		if len(strings.TrimSpace(string(out))) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return footprint{}, fmt.Errorf("no window titled %q after 30 s", title)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The page loads and renders after the window maps; sample until the
	// sum stops moving (or 20 s), then take the last value.
	var last footprint
	for i := 0; i < 40; i++ {
		time.Sleep(500 * time.Millisecond)
		f := treeRSS(cmd.Process.Pid)
		if i >= 10 && absDiff(f.total, last.total) < last.total/100 {
			return f, nil
		}
		last = f
	}
	return last, nil
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

// treeRSS sums VmRSS over pid and every descendant.
func treeRSS(pid int) footprint {
	children := map[int][]int{}
	names := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 {
			continue
		}
		names[p] = s[open+1 : close]
		fields := strings.Fields(s[close+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], p)
	}
	var f footprint
	var parts []string
	var walk func(int)
	walk = func(p int) {
		kb, anon := vmRSS(p)
		f.total += kb
		parts = append(parts, fmt.Sprintf("%s %.1f MB (anon %.1f)", names[p], mb(kb), mb(anon)))
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	f.detail = strings.Join(parts, ", ")
	return f
}

// vmRSS is a process's resident set and the anonymous part of it, in kB.
func vmRSS(pid int) (rss, anon int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = n
		case "RssAnon:":
			anon = n
		}
	}
	return rss, anon
}
