package democlient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	"time"

	"switchboard/backend/desktop"
	"switchboard/backend/wire"
)

// BinaryEnv names the environment variable that points the console at a
// switchboard-hub executable (see Locate).
const BinaryEnv = "SWITCHBOARD_HUB_BIN"

// Options configure Spawn.
type Options struct {
	// Binary is the switchboard-hub executable (default: Locate).
	Binary string
	// TrafficRate is how many unprompted customer messages per second the
	// sandbox sends (0: the demo default; negative: none).
	TrafficRate float64
	// Stderr receives the demo hub's log (default os.Stderr).
	Stderr io.Writer
	// StartTimeout bounds the start (default 90 s).
	StartTimeout time.Duration
}

// Spawn is a desktop.StartDemoHub that runs the demo hub as a child
// process keeping its files in the folder the console gives it.
func Spawn(o Options) desktop.StartDemoHub {
	return func(ctx context.Context, dir string, log *slog.Logger) (desktop.DemoHub, error) {
		return Start(ctx, dir, log, o)
	}
}

// Locate finds switchboard-hub: $SWITCHBOARD_HUB_BIN, else beside the
// running executable (where make desktop and make dev-build put it), else
// on PATH.
func Locate() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		return p, nil
	}
	name := "switchboard-hub"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s was not found beside the console or on PATH (build it with make hub, or set %s)", name, BinaryEnv)
}

// Start runs `switchboard-hub --demo` on a free loopback port with its
// data in dir, waits until it says it is ready, and attaches to it.
//
// The child watches its standard input, a pipe only this process holds:
// when the console exits, however it exits, the pipe closes and the demo
// hub shuts down cleanly. Close does the same on purpose, then waits.
func Start(ctx context.Context, dir string, log *slog.Logger, o Options) (*Hub, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = Locate(); err != nil {
			return nil, err
		}
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	args := []string{"--demo", "--watch-stdin", "--addr", "127.0.0.1:0", "--data", dir}
	if o.TrafficRate != 0 {
		args = append(args, "--sandbox-rate", strconv.FormatFloat(max(o.TrafficRate, 0), 'f', -1, 64))
	}
	cmd := exec.Command(bin, args...)
	// Plain pipes, not cmd.StdinPipe/StdoutPipe: Wait must not close what
	// the reader below still reads, and the child must see EOF on stdin
	// only when this process lets go of the write end.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	tail := &tailWriter{w: o.Stderr}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, tail
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	log.Info("demo hub starting", "bin", bin, "pid", cmd.Process.Pid)

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ready := make(chan wire.DemoEndpoints, 1)
	go func() {
		defer outR.Close()
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			var ep wire.DemoEndpoints
			if json.Unmarshal(sc.Bytes(), &ep) == nil && ep.HubURL != "" && ep.SandboxURL != "" {
				ready <- ep
				break
			}
		}
		_, _ = io.Copy(io.Discard, outR)
	}()

	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			inW.Close()
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				stopErr = errors.New("democlient: the demo hub did not stop within 20 s and was killed")
			}
		})
		return stopErr
	}
	fail := func(err error) (*Hub, error) {
		_ = stop()
		return nil, err
	}

	timer := time.NewTimer(o.StartTimeout)
	defer timer.Stop()
	var ep wire.DemoEndpoints
	select {
	case ep = <-ready:
	case err := <-exited:
		exited <- err // for stop
		return fail(fmt.Errorf("the demo hub exited while starting (%v): %s", err, tail.last()))
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-timer.C:
		return fail(fmt.Errorf("the demo hub did not start within %s: %s", o.StartTimeout, tail.last()))
	}
	token, err := os.ReadFile(filepath.Join(dir, wire.DemoAdminTokenFile))
	if err != nil {
		return fail(fmt.Errorf("democlient: reading the demo hub's admin token: %w", err))
	}
	h, err := Attach(ctx, ep, strings.TrimSpace(string(token)), stop)
	if err != nil {
		return fail(err)
	}
	log.Info("demo hub ready", "hub", ep.HubURL, "sandbox", ep.SandboxURL)
	return h, nil
}

// tailWriter passes the child's log through and keeps its last line, to
// say why a start failed.
type tailWriter struct {
	w       io.Writer
	mu      sync.Mutex
	partial []byte
	line    string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		if l := strings.TrimSpace(string(t.partial[:i])); l != "" {
			t.line = l
		}
		t.partial = t.partial[i+1:]
	}
	if len(t.partial) > 4096 {
		t.partial = t.partial[len(t.partial)-4096:]
	}
	t.mu.Unlock()
	_, _ = t.w.Write(p)
	return len(p), nil
}

func (t *tailWriter) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := strings.TrimSpace(string(t.partial)); l != "" {
		return l
	}
	if t.line == "" {
		return "no output"
	}
	return t.line
}
