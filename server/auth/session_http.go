package auth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// ErrorWriter writes an API error response, {"detail", "code"}.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, code, detail string)

// Paths of the session API.
const (
	LoginPath   = "/auth/login"
	LogoutPath  = "/auth/logout"
	SessionPath = "/auth/session"
)

// maxLoginBody bounds the body of a login request.
const maxLoginBody = 16 << 10

// sessionJSON is the body of a login and of GET /auth/session.
type sessionJSON struct {
	User      userJSON `json:"user"`
	CSRFToken string   `json:"csrf_token"`
}

type userJSON struct {
	ID            string           `json:"id"`
	Email         string           `json:"email"`
	PlatformAdmin bool             `json:"platform_admin"`
	Memberships   []membershipJSON `json:"memberships"`
}

type membershipJSON struct {
	ClientID string `json:"client_id"`
	Role     string `json:"role"`
}

func (s *Sessions) body(p *Principal) sessionJSON {
	u := userJSON{ID: p.UserID.String(), Email: p.Email, PlatformAdmin: p.Kind == KindPlatformAdmin,
		Memberships: make([]membershipJSON, 0, len(p.Memberships))}
	for _, m := range p.Memberships {
		u.Memberships = append(u.Memberships, membershipJSON{ClientID: m.ClientID.String(),
			Role: m.Role})
	}
	return sessionJSON{User: u, CSRFToken: s.CSRFToken(p.SessionID)}
}

// Handler serves POST /auth/login, POST /auth/logout and GET /auth/session.
// It reads the cookie itself, so mount it outside the Authenticator's
// middleware: a stale cookie must not keep a user from signing in again.
func (s *Sessions) Handler(writeError ErrorWriter) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+LoginPath, func(w http.ResponseWriter, r *http.Request) {
		s.serveLogin(w, r, writeError)
	})
	mux.HandleFunc("POST "+LogoutPath, func(w http.ResponseWriter, r *http.Request) {
		s.serveLogout(w, r, writeError)
	})
	mux.HandleFunc("GET "+SessionPath, func(w http.ResponseWriter, r *http.Request) {
		s.serveSession(w, r, writeError)
	})
	return mux
}

func (s *Sessions) serveLogin(w http.ResponseWriter, r *http.Request, writeError ErrorWriter) {
	if origin := r.Header.Get("Origin"); !s.cfg.Origins.Allowed(origin) {
		s.log.Warn("login from a browser origin that is not allowed rejected", "origin", origin,
			"remote", r.RemoteAddr)
		writeError(w, r, http.StatusForbidden, string(apperr.Forbidden),
			"origin "+origin+" may not sign in; add it to SIDEKICK_ALLOWED_ORIGINS")
		return
	}
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
	if err != nil || len(raw) > maxLoginBody || json.Unmarshal(raw, &in) != nil {
		writeError(w, r, http.StatusBadRequest, string(apperr.InvalidInput),
			`body must be a JSON object {"email", "password"} of at most 16 KiB`)
		return
	}

	login, err := s.Login(r.Context(), in.Email, in.Password, r.RemoteAddr, r.UserAgent())
	if err != nil {
		s.writeLoginError(w, r, err, writeError)
		return
	}
	s.log.Info("user signed in", "user_id", login.User.ID, "session_id", login.Session.ID,
		"remote", r.RemoteAddr)
	s.setCookie(w, r, login.Token, int(s.cfg.TTL.Seconds()))
	writeNoStoreJSON(w, http.StatusOK, s.body(login.Principal))
}

func (s *Sessions) writeLoginError(w http.ResponseWriter, r *http.Request, err error,
	writeError ErrorWriter) {
	e, ok := apperr.As(err)
	switch {
	case ok && e.Code == apperr.RateLimited:
		s.log.Warn("login rate-limited", "remote", r.RemoteAddr)
		secs, _ := e.Details["retryAfter"].(int)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeError(w, r, http.StatusTooManyRequests, string(e.Code), e.Message)
	case ok && e.Code == apperr.Unauthenticated:
		s.log.Info("login with wrong email or password rejected", "remote", r.RemoteAddr)
		writeError(w, r, http.StatusUnauthorized, string(e.Code), e.Message)
	default:
		s.log.Error("login failed", "remote", r.RemoteAddr, "error", err)
		writeError(w, r, http.StatusServiceUnavailable, string(apperr.Internal),
			"sign-in is unavailable; try again later")
	}
}

// sessionOf authenticates the cookie of r. On failure it has written the
// response: 401 for no or a dead session (and the cookie is cleared).
func (s *Sessions) sessionOf(w http.ResponseWriter, r *http.Request, writeError ErrorWriter) (
	*Principal, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		writeError(w, r, http.StatusUnauthorized, string(apperr.Unauthenticated),
			"no session: sign in with POST "+LoginPath)
		return nil, false
	}
	p, err := s.Authenticate(r.Context(), c.Value)
	if errors.Is(err, ErrInvalidSession) {
		s.log.Info("request with an invalid session cookie rejected", "path", r.URL.Path,
			"remote", r.RemoteAddr)
		s.clearCookie(w, r)
		writeError(w, r, http.StatusUnauthorized, string(apperr.Unauthenticated), err.Error())
		return nil, false
	}
	if err != nil {
		s.log.Error("authenticate session", "error", err)
		writeError(w, r, http.StatusServiceUnavailable, string(apperr.Internal),
			"authentication is unavailable")
		return nil, false
	}
	return p, true
}

func (s *Sessions) serveLogout(w http.ResponseWriter, r *http.Request, writeError ErrorWriter) {
	p, ok := s.sessionOf(w, r, writeError)
	if !ok {
		return
	}
	if !s.VerifyCSRF(p.SessionID, r.Header.Get(CSRFHeader)) {
		s.log.Warn("logout without a valid CSRF token rejected", "session_id", p.SessionID,
			"remote", r.RemoteAddr)
		writeError(w, r, http.StatusForbidden, string(apperr.Forbidden),
			"missing or invalid CSRF token: send "+CSRFHeader)
		return
	}
	if err := s.Logout(r.Context(), p.SessionID); err != nil {
		s.log.Error("sign out", "session_id", p.SessionID, "error", err)
		writeError(w, r, http.StatusServiceUnavailable, string(apperr.Internal),
			"sign-out is unavailable; try again later")
		return
	}
	s.log.Info("user signed out", "user_id", p.UserID, "session_id", p.SessionID)
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sessions) serveSession(w http.ResponseWriter, r *http.Request, writeError ErrorWriter) {
	p, ok := s.sessionOf(w, r, writeError)
	if !ok {
		return
	}
	writeNoStoreJSON(w, http.StatusOK, s.body(p))
}

// writeNoStoreJSON writes a response that carries a CSRF token; caches must
// not keep it.
func writeNoStoreJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
