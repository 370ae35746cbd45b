package democlient_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/hubclient"
	"switchboard/backend/testkit"
)

// These tests run the real switchboard-hub binary, built once per test
// run, as the console does.

var quiet = slog.New(slog.DiscardHandler)

var (
	buildOnce sync.Once
	hubBin    string
	buildErr  error
)

// hubBinary builds switchboard-hub into a temporary folder.
func hubBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "democlient-bin-")
		if err != nil {
			buildErr = err
			return
		}
		hubBin = filepath.Join(dir, "switchboard-hub")
		cmd := exec.Command("go", "build", "-o", hubBin, "switchboard/backend/cmd/switchboard-hub")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build switchboard-hub: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return hubBin
}

func TestMain(m *testing.M) {
	if os.Getenv("DEMOCLIENT_TEST_CONSOLE") != "" {
		helperConsole()
		return
	}
	code := m.Run()
	if hubBin != "" {
		os.RemoveAll(filepath.Dir(hubBin))
	}
	os.Exit(code)
}

func start(t *testing.T, dir string) *democlient.Hub {
	t.Helper()
	h, err := democlient.Start(context.Background(), dir, quiet,
		democlient.Options{Binary: hubBinary(t), TrafficRate: -1, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestSpawnedDemoHubSignsInAndTakesControls(t *testing.T) {
	ctx := context.Background()
	h := start(t, t.TempDir())

	token, user, err := h.AgentSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if user.Email != democlient.AgentEmail || token == "" {
		t.Fatalf("signed in as %+v", user)
	}
	agent := hubclient.New(h.URL(), token)
	if me, err := agent.Me(ctx); err != nil || me.User == nil || me.User.Email != democlient.AgentEmail {
		t.Fatalf("me through the gate: %+v, %v", me, err)
	}

	// A number the sandbox does not know becomes a customer who writes.
	sb := h.Sandbox()
	if err := sb.CustomerSays("+15550101234", "Ana Test", "hello from the test"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the customer's conversation", func() bool {
		page, err := agent.Conversations(ctx, hubclient.ConversationFilter{}, "", 100)
		if err != nil {
			return false
		}
		for _, c := range page.Items {
			if c.Contact.Phone == "+15550101234" && c.Unanswered {
				return true
			}
		}
		return false
	})
	customers, err := sb.Customers()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range customers {
		found = found || (c.Phone == "+15550101234" && c.Name == "Ana Test")
	}
	if !found || len(customers) < 2 {
		t.Fatalf("customers: %+v", customers)
	}

	// A number the sandbox refuses is the console's validation error,
	// with the sandbox's reason.
	err = sb.CustomerSays("12", "Too Short", "hi")
	if apierr.CodeOf(err) != apierr.ValidationFailed || !strings.Contains(err.Error(), "8 to 15 digits") {
		t.Fatalf("bad number: %v", err)
	}

	// The clock moves for the hub and the console's view of it.
	before := h.Now()
	if err := sb.Advance(25 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := h.Now().Sub(before); d < 25*time.Hour || d > 25*time.Hour+time.Minute {
		t.Fatalf("Now moved by %s, want 25h", d)
	}
	if err := sb.SetTrafficRate(0.5); err != nil {
		t.Fatal(err)
	}
	if err := sb.SetTrafficRate(0); err != nil {
		t.Fatal(err)
	}

	// Offline: the console cannot reach the hub; back online it can.
	sb.SetHubOnline(false)
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = agent.Me(short)
	cancel()
	if err == nil {
		t.Fatal("the hub answered through a closed gate")
	}
	sb.SetHubOnline(true)
	if _, err := agent.Me(ctx); err != nil {
		t.Fatalf("after reopening the gate: %v", err)
	}
}

func TestRestartedDemoHubKeepsItsInbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	h := start(t, dir)
	token, _, err := h.AgentSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Sandbox().CustomerSays("+15550105678", "Kept", "remember me"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the message stored", func() bool {
		page, err := hubclient.New(h.URL(), token).Conversations(ctx, hubclient.ConversationFilter{}, "", 100)
		return err == nil && len(page.Items) > 0
	})
	hubURL := h.Endpoints().HubURL
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := hubclient.New(hubURL, token).Me(ctx); err == nil {
		t.Fatal("the demo hub still answers after Close")
	}

	h2 := start(t, dir)
	// The stored agent token still works: same database, same admin secret.
	page, err := hubclient.New(h2.URL(), token).Conversations(ctx, hubclient.ConversationFilter{}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range page.Items {
		found = found || c.Contact.Phone == "+15550105678"
	}
	if !found {
		t.Fatalf("conversation lost across the restart: %+v", page.Items)
	}
}

func TestStartFailureSaysWhy(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the hub binary")
	}
	bin := filepath.Join(t.TempDir(), "switchboard-hub")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'listen: address already in use' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := democlient.Start(context.Background(), t.TempDir(), quiet, democlient.Options{Binary: bin, Stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("error %v does not say why", err)
	}
	if _, err := democlient.Start(context.Background(), t.TempDir(), quiet, democlient.Options{Binary: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Fatal("a missing binary started")
	}
}

func TestLocateHonoursTheEnvironment(t *testing.T) {
	t.Setenv(democlient.BinaryEnv, "/opt/switchboard/switchboard-hub")
	if p, err := democlient.Locate(); err != nil || p != "/opt/switchboard/switchboard-hub" {
		t.Fatalf("Locate = %q, %v", p, err)
	}
}

// helperConsole is a console stand-in run in a child process by
// TestDemoHubStopsWhenTheConsoleIsKilled: it starts the demo hub, prints
// the hub's process id and waits to be killed.
func helperConsole() {
	h, err := democlient.Start(context.Background(), os.Getenv("DEMOCLIENT_TEST_DIR"), quiet,
		democlient.Options{Binary: os.Getenv("DEMOCLIENT_TEST_BIN"), TrafficRate: -1, Stderr: io.Discard})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready", h.Endpoints().HubURL)
	select {}
}

func TestDemoHubStopsWhenTheConsoleIsKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("checks processes with signal 0")
	}
	bin := hubBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DEMOCLIENT_TEST_CONSOLE=1", "DEMOCLIENT_TEST_DIR="+dir, "DEMOCLIENT_TEST_BIN="+bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		t.Fatalf("helper console: %q, %v", line, err)
	}
	hubURL := strings.TrimSpace(strings.TrimPrefix(line, "ready "))
	pid := hubPID(t, cmd.Process.Pid)

	// SIGKILL: the console gets no chance to stop its hub itself.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	testkit.Eventually(t, "the orphaned demo hub to exit", func() bool {
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || zombie(pid)
	})
	if _, err := hubclient.New(hubURL, "").Me(context.Background()); err == nil {
		t.Fatal("the demo hub still answers")
	}
}

// hubPID is the process id of the switchboard-hub child of parent.
func hubPID(t *testing.T, parent int) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc here")
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(parent) && strings.Contains(s, "(switchboard-hub)") {
			return pid
		}
	}
	t.Fatal("no switchboard-hub child found")
	return 0
}

// zombie reports whether pid has exited but not been reaped (its parent,
// the killed helper, is gone, so init reaps it eventually).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] == "Z"
}
