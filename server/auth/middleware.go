package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// KeyStore finds access keys by their raw value.
type KeyStore interface {
	AccessKeyByRaw(ctx context.Context, raw string) (*platform.AccessKey, error)
	TouchAccessKey(ctx context.Context, id uuid.UUID) error
}

// Authenticator turns the credentials of a request into a principal.
type Authenticator struct {
	keys KeyStore
	log  *slog.Logger

	mu      sync.Mutex
	touched map[uuid.UUID]time.Time
}

// touchInterval bounds how often last_used_at is written for one key, so a
// busy key does not turn every request into a write.
const touchInterval = time.Minute

// NewAuthenticator returns an authenticator over keys.
func NewAuthenticator(keys KeyStore, log *slog.Logger) *Authenticator {
	return &Authenticator{keys: keys, log: log, touched: make(map[uuid.UUID]time.Time)}
}

// ErrInvalidKey reports credentials that match no live key.
var ErrInvalidKey = errors.New("invalid or revoked API key")

// maxKeyLength rejects oversized credentials before any lookup.
const maxKeyLength = 256

// RawKey returns the key sent in Authorization: Bearer or X-API-Key, or "".
func RawKey(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(value)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// Authenticate returns the principal of a raw key.
func (a *Authenticator) Authenticate(ctx context.Context, raw string) (*Principal, error) {
	if raw == "" || len(raw) > maxKeyLength {
		return nil, ErrInvalidKey
	}
	k, err := a.keys.AccessKeyByRaw(ctx, raw)
	if errors.Is(err, platform.ErrKeyNotFound) {
		return nil, ErrInvalidKey
	}
	if err != nil {
		return nil, err
	}
	a.touch(k.ID)
	return principalOf(k), nil
}

func principalOf(k *platform.AccessKey) *Principal {
	p := &Principal{KeyID: k.ID, Prefix: k.Prefix, Scopes: k.Scopes,
		AllowedOrigins: k.AllowedOrigins, Domain: k.Domain}
	switch k.Kind {
	case platform.KeyPlatform:
		p.Kind = KindPlatformKey
	case platform.KeySite:
		p.Kind = KindSiteKey
	default:
		p.Kind = KindClientKey
	}
	if k.ClientID != nil {
		p.ClientID = *k.ClientID
	}
	return p
}

func (a *Authenticator) touch(id uuid.UUID) {
	a.mu.Lock()
	last, seen := a.touched[id]
	now := time.Now()
	due := !seen || now.Sub(last) >= touchInterval
	if due {
		a.touched[id] = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.keys.TouchAccessKey(ctx, id); err != nil {
			a.log.Warn("record access key use failed", "key_id", id, "error", err)
		}
	}()
}

// Middleware authenticates every request that carries a key. A request with
// an invalid key is rejected with 401 here; a request with no key continues
// anonymously, and each route decides whether that is allowed.
func (a *Authenticator) Middleware(onError func(w http.ResponseWriter, r *http.Request, status int,
	code, detail string)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw := RawKey(r)
			if raw == "" && r.Header.Get("Authorization") == "" {
				next.ServeHTTP(w, r)
				return
			}
			p, err := a.Authenticate(r.Context(), raw)
			if errors.Is(err, ErrInvalidKey) {
				a.log.Info("request with invalid API key rejected", "path", r.URL.Path,
					"remote", r.RemoteAddr)
				onError(w, r, http.StatusUnauthorized, "UNAUTHENTICATED", "invalid or revoked API key")
				return
			}
			if err != nil {
				a.log.Error("authenticate request", "error", err)
				onError(w, r, http.StatusServiceUnavailable, "INTERNAL", "authentication is unavailable")
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// Require rejects anonymous requests with 401.
func Require(onError func(w http.ResponseWriter, r *http.Request, status int, code,
	detail string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if FromContext(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sidekick-forge"`)
			onError(w, r, http.StatusUnauthorized, "UNAUTHENTICATED",
				"authentication required: send Authorization: Bearer <key>")
			return
		}
		next.ServeHTTP(w, r)
	})
}
