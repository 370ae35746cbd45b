package hubapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Which web pages may open the websocket stream. Browsers send an Origin
// header on every websocket handshake and let any page open one to any
// host; a page that got hold of a token (an access_token in a shared URL,
// a leaked log) could then follow the stream from anywhere. So a browser
// handshake is accepted only from the hub's own origin (the host the
// request was addressed to) or an origin the hub was configured with
// (Config.AllowedOrigins, --allowed-origins). Programs (the desktop
// console's Go client, integrations) send no Origin and are not affected.

// ParseOrigins reads a comma-separated list of exact origins
// ("https://console.example.com, http://localhost:5173") into the form
// browsers send: lower case, without a default port or a trailing slash.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		o, ok := canonicalOrigin(strings.TrimSuffix(f, "/"))
		if !ok {
			return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port], like https://console.example.com", f)
		}
		out = append(out, o)
	}
	return out, nil
}

// canonicalOrigin is o as a browser writes it, or false when o is not a
// scheme://host[:port] origin ("null" is not: opaque origins are refused).
func canonicalOrigin(o string) (string, bool) {
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host, true
}

// originAllowed reports whether r may open the stream: no Origin (not a
// browser), the hub's own host (or the host a trusted proxy was asked
// for), or a configured origin.
func (s *Server) originAllowed(r *http.Request) bool {
	raw := r.Header.Get("Origin")
	if raw == "" {
		return true
	}
	o, ok := canonicalOrigin(raw)
	if !ok {
		return false
	}
	host := o[strings.Index(o, "://")+3:]
	if sameHost(host, r.Host) {
		return true
	}
	if fwd := r.Header.Get("X-Forwarded-Host"); fwd != "" && s.trustedProxy(parseHop(r.RemoteAddr)) && sameHost(host, fwd) {
		return true
	}
	return slices.Contains(s.cfg.AllowedOrigins, o)
}

// sameHost compares an origin's host with a Host header, which may name a
// default port the origin leaves out.
func sameHost(originHost, requestHost string) bool {
	requestHost = strings.ToLower(strings.TrimSpace(requestHost))
	return originHost == requestHost ||
		originHost+":80" == requestHost || originHost+":443" == requestHost
}
