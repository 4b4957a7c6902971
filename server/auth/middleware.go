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

// KeyStore finds access keys.
type KeyStore interface {
	AccessKeyByRaw(ctx context.Context, raw string) (*platform.AccessKey, error)
	AccessKeyByID(ctx context.Context, id uuid.UUID) (*platform.AccessKey, error)
	TouchAccessKey(ctx context.Context, id uuid.UUID) error
}

// Options add session cookies and embed tokens to an Authenticator. A nil
// field turns that credential off.
type Options struct {
	Sessions *Sessions
	Embeds   *EmbedTokens
	// Origins may use session cookies and open websockets; nil allows only
	// requests without an Origin header.
	Origins *Origins
}

// Authenticator turns the credentials of a request into a principal.
type Authenticator struct {
	keys KeyStore
	log  *slog.Logger
	opts Options

	mu      sync.Mutex
	touched map[uuid.UUID]time.Time
}

// touchInterval bounds how often last_used_at is written for one key, so a
// busy key does not turn every request into a write.
const touchInterval = time.Minute

// NewAuthenticator returns an authenticator over keys.
func NewAuthenticator(keys KeyStore, log *slog.Logger, opts Options) *Authenticator {
	if opts.Origins == nil {
		opts.Origins = NewOrigins(nil)
	}
	return &Authenticator{keys: keys, log: log, opts: opts, touched: make(map[uuid.UUID]time.Time)}
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

// Authenticate returns the principal of a raw access key.
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

// AuthenticateEmbed returns the principal of an embed token. The key that
// minted the token must still be live and may act for the token's client.
func (a *Authenticator) AuthenticateEmbed(ctx context.Context, raw string) (*Principal, error) {
	if a.opts.Embeds == nil {
		return nil, ErrEmbedTokenInvalid
	}
	claims, err := a.opts.Embeds.Verify(raw)
	if err != nil {
		return nil, err
	}
	clientID := uuid.MustParse(claims.ClientID)
	key, err := a.keys.AccessKeyByID(ctx, uuid.MustParse(claims.KeyID))
	if errors.Is(err, platform.ErrKeyNotFound) {
		return nil, ErrEmbedTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if key.RevokedAt != nil || !principalOf(key).HasScopeFor(clientID, ScopeTrigger) {
		return nil, ErrEmbedTokenInvalid
	}
	return &Principal{
		Kind: KindEmbedToken, KeyID: key.ID, Prefix: key.Prefix, ClientID: clientID,
		Scopes: []string{ScopeTrigger}, AllowedOrigins: key.AllowedOrigins, Domain: key.Domain,
		AgentSlug: claims.AgentSlug, EndUserID: claims.Subject, AnonymousEndUser: claims.Anonymous,
	}, nil
}

// AuthenticateSession returns the principal of a session cookie's token.
func (a *Authenticator) AuthenticateSession(ctx context.Context, token string) (*Principal, error) {
	if a.opts.Sessions == nil {
		return nil, ErrInvalidSession
	}
	return a.opts.Sessions.Authenticate(ctx, token)
}

// VerifyCSRF reports whether token is a CSRF token of p's session.
func (a *Authenticator) VerifyCSRF(p *Principal, token string) bool {
	return a.opts.Sessions != nil && p.ViaSession() && a.opts.Sessions.VerifyCSRF(p.SessionID, token)
}

// OriginAllowed reports whether a browser on origin may act as p.
func (a *Authenticator) OriginAllowed(origin string, p *Principal) bool {
	return a.opts.Origins.AllowedFor(origin, p)
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

// Middleware authenticates every request that carries credentials: an
// access key (Authorization: Bearer or X-API-Key), an embed token
// (X-Embed-Token) or the session cookie. Invalid credentials are rejected
// with 401 here. A request with none continues anonymously, and each route
// decides whether that is allowed. A cookie-authenticated request from a
// browser Origin outside the allow-list is 403. So is one other than GET,
// HEAD and OPTIONS without the session's CSRF token in X-CSRF-Token.
func (a *Authenticator) Middleware(onError ErrorWriter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(WithOrigin(r.Context(), r.Header.Get("Origin")))
			p, ok := a.authenticateRequest(w, r, onError)
			if !ok {
				return
			}
			if p != nil {
				r = r.WithContext(WithPrincipal(r.Context(), p))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// authenticateRequest returns the principal of r, or nil for an anonymous
// request. When it returns false it has written the error response.
func (a *Authenticator) authenticateRequest(w http.ResponseWriter, r *http.Request,
	onError ErrorWriter) (*Principal, bool) {
	raw := RawKey(r)
	hasKey := raw != "" || r.Header.Get("Authorization") != ""
	embed := r.Header.Get(EmbedTokenHeader)
	switch {
	case hasKey && embed != "":
		a.reject(w, r, onError, http.StatusUnauthorized, "UNAUTHENTICATED",
			"send either an API key or an embed token, not both", "key and embed token")
		return nil, false
	case hasKey:
		p, err := a.Authenticate(r.Context(), raw)
		return a.settle(w, r, onError, p, err, "API key")
	case embed != "":
		p, err := a.AuthenticateEmbed(r.Context(), embed)
		return a.settle(w, r, onError, p, err, "embed token")
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || a.opts.Sessions == nil {
		return nil, true
	}
	p, err := a.AuthenticateSession(r.Context(), c.Value)
	if errors.Is(err, ErrInvalidSession) && isWebsocket(r) {
		// A browser cannot read the status of a failed upgrade, so the
		// connection goes on anonymously and connection_init rejects it
		// with a close code.
		return nil, true
	}
	if errors.Is(err, ErrInvalidSession) {
		a.opts.Sessions.clearCookie(w, r)
	}
	p, ok := a.settle(w, r, onError, p, err, "session cookie")
	if !ok {
		return nil, false
	}
	return p, a.checkCookieRequest(w, r, onError, p)
}

// settle turns the outcome of one authentication into the principal, or an
// error response: 401 for invalid credentials, 503 when the store failed.
func (a *Authenticator) settle(w http.ResponseWriter, r *http.Request, onError ErrorWriter,
	p *Principal, err error, what string) (*Principal, bool) {
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, ErrInvalidKey), errors.Is(err, ErrEmbedTokenInvalid),
		errors.Is(err, ErrEmbedTokenExpired), errors.Is(err, ErrInvalidSession):
		a.reject(w, r, onError, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error(), what)
		return nil, false
	}
	a.log.Error("authenticate request", "credential", what, "error", err)
	onError(w, r, http.StatusServiceUnavailable, "INTERNAL", "authentication is unavailable")
	return nil, false
}

// checkCookieRequest applies the CSRF and origin rules to a request
// authenticated by the session cookie. Websocket upgrades are checked when
// their connection_init arrives, so that a rejection has a close code.
func (a *Authenticator) checkCookieRequest(w http.ResponseWriter, r *http.Request,
	onError ErrorWriter, p *Principal) bool {
	if isWebsocket(r) {
		return true
	}
	if origin := r.Header.Get("Origin"); !a.opts.Origins.Allowed(origin) {
		a.reject(w, r, onError, http.StatusForbidden, "FORBIDDEN",
			"origin "+origin+" may not use the session cookie", "session cookie origin")
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if !a.VerifyCSRF(p, r.Header.Get(CSRFHeader)) {
		a.reject(w, r, onError, http.StatusForbidden, "FORBIDDEN",
			"missing or invalid CSRF token: send the csrf_token of the session in "+CSRFHeader,
			"CSRF token")
		return false
	}
	return true
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// reject logs one line about a rejected credential, never the credential,
// and writes the error.
func (a *Authenticator) reject(w http.ResponseWriter, r *http.Request, onError ErrorWriter,
	status int, code, detail, what string) {
	a.log.Info("request with invalid credentials rejected", "credential", what, "status", status,
		"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sidekick-forge"`)
	}
	onError(w, r, status, code, detail)
}

// Require rejects anonymous requests with 401.
func Require(onError ErrorWriter, next http.Handler) http.Handler {
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

// RequireAccount rejects anonymous requests with 401 and embed tokens, which
// may only trigger their agent, with 403.
func RequireAccount(onError ErrorWriter, next http.Handler) http.Handler {
	return Require(onError, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if FromContext(r.Context()).IsEmbed() {
			onError(w, r, http.StatusForbidden, "FORBIDDEN",
				"an embed token may only trigger its own agent")
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// RequirePlatformAdmin rejects anonymous requests with 401 and principals
// other than platform keys and platform admins with 403.
func RequirePlatformAdmin(onError ErrorWriter, next http.Handler) http.Handler {
	return Require(onError, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !FromContext(r.Context()).PlatformAdmin() {
			onError(w, r, http.StatusForbidden, "FORBIDDEN",
				"only platform keys and platform admins may do this")
			return
		}
		next.ServeHTTP(w, r)
	}))
}
