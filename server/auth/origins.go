package auth

import (
	"net/url"
	"slices"
	"strings"
)

// Origins is the allow-list of browser origins that may use session cookies
// and open GraphQL websockets: the admin SPA's origin and any others the
// operator lists.
type Origins struct{ list []string }

// NewOrigins returns an allow-list of origins like https://admin.example.com.
// Entries are compared without letter case and without a trailing slash.
func NewOrigins(list []string) *Origins {
	o := &Origins{}
	for _, v := range list {
		if v = normalizeOrigin(v); v != "" {
			o.list = append(o.list, v)
		}
	}
	return o
}

// OriginOf returns the origin (scheme://host[:port]) of a URL, or "".
func OriginOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
}

// List returns the allowed origins.
func (o *Origins) List() []string { return slices.Clone(o.list) }

// Allowed reports whether origin is on the list. A request without an Origin
// header comes from a non-browser client, which is allowed.
func (o *Origins) Allowed(origin string) bool {
	if origin == "" {
		return true
	}
	return slices.Contains(o.list, normalizeOrigin(origin))
}

// AllowedFor reports whether a browser on origin may act as p: the origin
// is on the list, or p is a key or embed token whose key lists the origin.
func (o *Origins) AllowedFor(origin string, p *Principal) bool {
	if o.Allowed(origin) {
		return true
	}
	if p == nil || p.ViaSession() {
		return false
	}
	return originListed(p.AllowedOrigins, origin)
}
