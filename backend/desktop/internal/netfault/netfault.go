// Package netfault is a TCP proxy on 127.0.0.1 that fails on command, so
// tests can cut a real connection to a real hub at an exact point: in the
// middle of a stream replay, or after a request reached the hub but before
// its answer reached the client. The console's demo hub client
// (democlient) also puts one in front of the demo hub, so the console can
// be taken offline on purpose (demos, e2e).
package netfault

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Proxy forwards connections to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns map[net.Conn]bool
	down  bool
	// dropAnswers discards what the target sends and closes the
	// connection once the target has answered.
	dropAnswers bool
	// cutAfter closes each connection after this many bytes went from the
	// target to the client (0: never).
	cutAfter int64

	// Cuts counts connections closed by a fault.
	Cuts atomic.Int64
	wg   sync.WaitGroup
}

// Start listens on a random loopback port.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is http://Addr.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// SetDown closes every open connection and, while down, refuses new ones.
func (p *Proxy) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.CutAll()
	}
}

// DropAnswers makes the target's answers vanish: the request arrives and
// is acted on, and the client sees its connection close.
func (p *Proxy) DropAnswers(drop bool) {
	p.mu.Lock()
	p.dropAnswers = drop
	p.mu.Unlock()
}

// CutAfter closes connections opened from now on after n bytes of answer.
func (p *Proxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutAfter = n
	p.mu.Unlock()
}

// CutAll closes every open connection.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		p.Cuts.Add(1)
	}
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down, cut := p.down, p.cutAfter
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.track(c, true)
		p.track(up, true)
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(up, c)
			up.Close()
			p.track(up, false)
		}()
		go func() {
			defer p.wg.Done()
			defer func() { c.Close(); p.track(c, false) }()
			p.answer(c, up, cut)
			up.Close()
		}()
	}
}

// answer relays what the target sends to the client, applying the faults
// in force when each piece arrives (a kept-alive connection opened before
// a fault is hit by it too).
func (p *Proxy) answer(c, up net.Conn, cut int64) {
	buf := make([]byte, 32<<10)
	var sent int64
	for {
		n, err := up.Read(buf)
		if n > 0 {
			p.mu.Lock()
			drop, down := p.dropAnswers, p.down
			p.mu.Unlock()
			if drop || down {
				p.Cuts.Add(1)
				return
			}
			chunk := buf[:n]
			if cut > 0 && sent+int64(n) >= cut {
				chunk = chunk[:cut-sent]
				c.Write(chunk)
				p.Cuts.Add(1)
				return
			}
			if _, werr := c.Write(chunk); werr != nil {
				return
			}
			sent += int64(n)
		}
		if err != nil {
			return
		}
	}
}

func (p *Proxy) track(c net.Conn, open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if open {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}
