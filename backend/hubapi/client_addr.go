package hubapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The client's address: what sign-in throttling counts failures by. It is
// the connection's peer, unless that peer is a reverse proxy the hub was
// told to trust (Config.TrustedProxies, --trusted-proxies): then it is the
// nearest address in X-Forwarded-For that is not a trusted proxy. A client
// can write anything in X-Forwarded-For, so the header is believed only
// as far as trusted proxies appended to it, read from the right.

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes ("10.0.0.0/8, 192.0.2.7, ::1").
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trustedProxy reports whether a is one of the configured proxies.
func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client behind r (invalid when the
// peer's address cannot be read, which only in-process callers cause).
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	addr := parseHop(r.RemoteAddr)
	if !addr.IsValid() || !s.trustedProxy(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHop(strings.TrimSpace(hops[i]))
		if !hop.IsValid() {
			// Not an address: what is left of it is nobody's word.
			return addr
		}
		addr = hop
		if !s.trustedProxy(hop) {
			break
		}
	}
	return addr
}

// parseHop reads an address written alone or with a port ("192.0.2.1",
// "192.0.2.1:5000", "[2001:db8::1]:5000", "2001:db8::1").
func parseHop(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// clientKey is what throttling counts by: an IPv4 address as it is, an
// IPv6 one by its /64, since a single subscriber is routinely handed a
// whole /64 and could otherwise change address at every guess.
func clientKey(a netip.Addr) string {
	switch {
	case !a.IsValid():
		return ""
	case a.Is4():
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
