package auth

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// OriginStore finds whether some live site key allows a browser origin.
type OriginStore interface {
	SiteOriginAllowed(ctx context.Context, origin string) (bool, error)
}

// CORS settings sent to allowed origins.
const (
	corsAllowMethods = "GET, POST, PUT, DELETE, OPTIONS"
	corsAllowHeaders = "Authorization, Content-Type, X-API-Key, X-Embed-Token"
	// corsMaxAge is how long, in seconds, a browser may cache a preflight
	// response before sending another preflight.
	corsMaxAge = 600
)

// CORS lets browsers on a site key's allowed origins call next. An actual
// request gets CORS headers when its principal lists the Origin among its
// allowed origins. A preflight (OPTIONS with Access-Control-Request-Method)
// carries no key, so it gets CORS headers when the Origin is an
// allowed origin of some live site key, and with 403 otherwise. Requests
// from other origins get no CORS headers, so the browser withholds the
// response from the page.
func CORS(origins OriginStore, log *slog.Logger, onError func(w http.ResponseWriter,
	r *http.Request, status int, code, detail string)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				preflight(w, r, origins, log, onError)
				return
			}
			if p := FromContext(r.Context()); p != nil && originListed(p.AllowedOrigins, origin) {
				w.Header().Set("Access-Control-Allow-Origin", origin)
			}
			next.ServeHTTP(w, r)
		})
	}
}

func preflight(w http.ResponseWriter, r *http.Request, origins OriginStore, log *slog.Logger,
	onError func(w http.ResponseWriter, r *http.Request, status int, code, detail string)) {
	origin := r.Header.Get("Origin")
	allowed, err := origins.SiteOriginAllowed(r.Context(), origin)
	if err != nil {
		log.Error("check CORS origin", "origin", origin, "error", err)
		onError(w, r, http.StatusServiceUnavailable, "INTERNAL", "origin check is unavailable")
		return
	}
	if !allowed {
		onError(w, r, http.StatusForbidden, "FORBIDDEN",
			"origin "+origin+" is not an allowed origin of any site key")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
	w.WriteHeader(http.StatusNoContent)
}

// originListed compares case-insensitively, because stored origins are
// lowercase and browsers send the scheme and host in lowercase too.
func originListed(allowed []string, origin string) bool {
	return slices.ContainsFunc(allowed, func(o string) bool { return strings.EqualFold(o, origin) })
}
