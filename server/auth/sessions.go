package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// SessionCookie is the name of the admin SPA's session cookie.
const SessionCookie = "sf_session"

// maxSessionTokenLength rejects oversized cookies before any lookup. Tokens
// are 43 characters.
const maxSessionTokenLength = 128

// SessionStore is the part of the platform store that sessions use.
type SessionStore interface {
	UserByEmail(ctx context.Context, email string) (*platform.User, error)
	InsertSession(ctx context.Context, s *platform.Session) error
	LiveSession(ctx context.Context, hash []byte) (*platform.Session, *platform.User, error)
	TouchSession(ctx context.Context, id uuid.UUID) error
	RevokeSession(ctx context.Context, id uuid.UUID) error
}

// SessionConfig configures Sessions.
type SessionConfig struct {
	// TTL is how long a session lasts after login.
	TTL time.Duration
	// CSRFKey signs CSRF tokens.
	CSRFKey []byte
	// SecureCookie sets Secure on the cookie even for plain HTTP requests,
	// for a server behind a proxy that terminates TLS. Requests served over
	// TLS always get Secure.
	SecureCookie bool
	// LoginRateLimit is the number of login attempts allowed per minute for
	// one account. One client address may make addressFactor times as many,
	// since several people may sign in from behind one address.
	LoginRateLimit int
	// Origins may sign in; a login from another browser origin is rejected.
	Origins *Origins
}

// Sessions logs users in and out and turns session cookies into
// principals.
type Sessions struct {
	store SessionStore
	cfg   SessionConfig
	csrf  csrf
	log   *slog.Logger
	now   func() time.Time

	byAccount *Limiter
	byAddress *Limiter

	mu      sync.Mutex
	touched map[uuid.UUID]time.Time
}

// NewSessions returns a session manager over store.
func NewSessions(store SessionStore, cfg SessionConfig, log *slog.Logger) *Sessions {
	if cfg.Origins == nil {
		cfg.Origins = NewOrigins(nil)
	}
	return &Sessions{
		store: store, cfg: cfg, csrf: csrf{key: cfg.CSRFKey}, log: log, now: time.Now,
		byAccount: NewLimiter(cfg.LoginRateLimit),
		byAddress: NewLimiter(addressFactor * cfg.LoginRateLimit),
		touched:   map[uuid.UUID]time.Time{},
	}
}

// addressFactor is how many times the per-account login limit one client
// address may use.
const addressFactor = 4

// errBadCredentials is the one error for a wrong email, a wrong password or
// both, so a caller cannot learn which accounts exist.
var errBadCredentials = apperr.New(apperr.Unauthenticated, "invalid email or password")

// rateLimited is the error of a login over the limit; RetryAfter is in
// seconds.
func rateLimited(wait time.Duration) *apperr.Error {
	secs := RetryAfterSeconds(wait)
	return &apperr.Error{Code: apperr.RateLimited,
		Message: fmt.Sprintf("too many login attempts; retry in %d seconds", secs),
		Details: map[string]any{"retryAfter": secs}}
}

// Login is a successful login: the raw session token for the cookie, the
// session and its principal.
type Login struct {
	Token     string
	Session   *platform.Session
	User      *platform.User
	Principal *Principal
}

// Login checks email and password and opens a session. Attempts are
// rate-limited per client address and per account, whether or not the
// account exists.
func (s *Sessions) Login(ctx context.Context, email, password, remoteAddr, userAgent string) (
	*Login, error) {
	if ok, wait := s.byAddress.Allow("addr:" + clientAddress(remoteAddr)); !ok {
		return nil, rateLimited(wait)
	}
	email = platform.NormalizeEmail(email)
	if ok, wait := s.byAccount.Allow("email:" + email); !ok {
		return nil, rateLimited(wait)
	}
	if email == "" || len(email) > 254 || len(password) > 4*MaxPasswordLength {
		return nil, errBadCredentials
	}

	u, err := s.store.UserByEmail(ctx, email)
	if apperr.CodeOf(err) == apperr.NotFound {
		// Spend the time a real check takes, so timing does not reveal
		// whether the account exists.
		_, _ = VerifyPassword(dummyHash, password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("check password of user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, errBadCredentials
	}

	token, hash, err := newSessionToken()
	if err != nil {
		return nil, err
	}
	now := s.now()
	sess := &platform.Session{
		ID: uuid.New(), UserID: u.ID, TokenHash: hash, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.TTL), RemoteAddr: clientAddress(remoteAddr),
		UserAgent: truncateString(userAgent, 200),
	}
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return nil, err
	}
	return &Login{Token: token, Session: sess, User: u, Principal: UserPrincipal(u, sess.ID)}, nil
}

func newSessionToken() (string, []byte, error) {
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return "", nil, fmt.Errorf("generate session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(random)
	return token, platform.HashKey(token), nil
}

// ErrInvalidSession reports a cookie that matches no live session.
var ErrInvalidSession = errors.New("session expired or signed out; sign in again")

// Authenticate returns the principal of a session token.
func (s *Sessions) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > maxSessionTokenLength {
		return nil, ErrInvalidSession
	}
	sess, u, err := s.store.LiveSession(ctx, platform.HashKey(token))
	if errors.Is(err, platform.ErrSessionNotFound) {
		return nil, ErrInvalidSession
	}
	if err != nil {
		return nil, err
	}
	s.touch(sess.ID)
	return UserPrincipal(u, sess.ID), nil
}

// CSRFToken returns a fresh CSRF token of a session.
func (s *Sessions) CSRFToken(sessionID uuid.UUID) string { return s.csrf.mint(sessionID) }

// VerifyCSRF reports whether token is a CSRF token of the session.
func (s *Sessions) VerifyCSRF(sessionID uuid.UUID, token string) bool {
	return sessionID != uuid.Nil && s.csrf.verify(sessionID, token)
}

// Logout revokes a session.
func (s *Sessions) Logout(ctx context.Context, sessionID uuid.UUID) error {
	return s.store.RevokeSession(ctx, sessionID)
}

// touch records session use at most once a minute per session.
func (s *Sessions) touch(id uuid.UUID) {
	s.mu.Lock()
	now := s.now()
	last, seen := s.touched[id]
	due := !seen || now.Sub(last) >= touchInterval
	if due {
		s.touched[id] = now
		if len(s.touched) > 10000 {
			clear(s.touched)
		}
	}
	s.mu.Unlock()
	if !due {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.store.TouchSession(ctx, id); err != nil {
			s.log.Warn("record session use failed", "session_id", id, "error", err)
		}
	}()
}

// UserPrincipal returns the principal of a signed-in user.
func UserPrincipal(u *platform.User, sessionID uuid.UUID) *Principal {
	p := &Principal{Kind: KindClientMember, UserID: u.ID, Email: u.Email, SessionID: sessionID,
		Memberships: make([]Membership, 0, len(u.Memberships))}
	for _, m := range u.Memberships {
		p.Memberships = append(p.Memberships, Membership{ClientID: m.ClientID, Role: m.Role})
		if m.Role == RoleAdmin {
			p.Kind = KindClientAdmin
		}
	}
	if u.PlatformAdmin {
		p.Kind = KindPlatformAdmin
	}
	return p
}

// clientAddress returns the host part of a request's remote address.
//
// NOTE: behind a reverse proxy every request has the proxy's address, so
// the per-address login limit applies to all users together. Reading
// X-Forwarded-For needs a list of trusted proxies first.
func clientAddress(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// setCookie writes the session cookie. Secure is set for TLS requests and
// when SessionConfig.SecureCookie is true.
func (s *Sessions) setCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookie,
	})
}

// clearCookie removes the session cookie from the browser.
func (s *Sessions) clearCookie(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, "", -1)
}
