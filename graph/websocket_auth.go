package graph

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// Close codes of a rejected GraphQL websocket, sent in reply to
// connection_init. Browsers cannot read the HTTP status of a websocket
// upgrade, so a rejection is a close code instead.
const (
	// CloseUnauthenticated: no credentials, or an invalid, revoked or
	// expired key, embed token or session.
	CloseUnauthenticated = 4401
	// CloseForbidden: the browser origin is not allowed for the caller, or a
	// session connection sent no valid csrfToken.
	CloseForbidden = 4403
	// CloseUnavailable: authentication could not be checked (the platform
	// database failed).
	CloseUnavailable = 1011
)

// WebsocketAuth is the part of the authenticator that the websocket
// transport uses.
type WebsocketAuth interface {
	Authenticate(ctx context.Context, raw string) (*auth.Principal, error)
	AuthenticateEmbed(ctx context.Context, raw string) (*auth.Principal, error)
	VerifyCSRF(p *auth.Principal, token string) bool
	OriginAllowed(origin string, p *auth.Principal) bool
}

// wsRejection is a failed connection_init: its close code and reason.
type wsRejection struct {
	code   int
	reason string
}

func (r *wsRejection) Error() string { return r.reason }

// websocketInit authenticates a subscription connection from its
// connection_init payload: {"Authorization": "Bearer <key>"},
// {"apiKey": "<key>"} or {"embedToken": "<token>"}. Without one, the
// principal of the upgrade request is kept: a key header, or the session
// cookie, which also needs {"csrfToken": "<csrf_token of the session>"}.
// The Origin of the upgrade must then be allowed for that principal.
//
// NOTE: the principal is checked once, here. A connection whose session is
// revoked or whose key or embed token ends later keeps streaming until it
// closes.
func websocketInit(a WebsocketAuth, log *slog.Logger) transport.WebsocketInitFunc {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, payload transport.InitPayload) (context.Context,
		*transport.InitPayload, error) {
		p, rej := initPrincipal(ctx, a, payload)
		if rej == nil && !originAllowed(a, auth.OriginFrom(ctx), p) {
			rej = &wsRejection{CloseForbidden, "origin " + auth.OriginFrom(ctx) +
				" may not open GraphQL websockets"}
		}
		if rej != nil {
			log.Info("websocket connection rejected", "close_code", rej.code, "reason", rej.reason,
				"origin", auth.OriginFrom(ctx))
			ctx = transport.WithWebsocketCloseCode(ctx, rej.code)
			ctx = transport.AppendCloseReason(ctx, rej.reason)
			code := apperr.Unauthenticated
			if rej.code == CloseForbidden {
				code = apperr.Forbidden
			}
			return ctx, nil, apperr.New(code, "%s", rej.reason)
		}
		return auth.WithPrincipal(ctx, p), nil, nil
	}
}

func originAllowed(a WebsocketAuth, origin string, p *auth.Principal) bool {
	if a == nil {
		return origin == ""
	}
	return a.OriginAllowed(origin, p)
}

// initPrincipal returns the principal of a connection_init, or why it is
// rejected.
func initPrincipal(ctx context.Context, a WebsocketAuth, payload transport.InitPayload) (
	*auth.Principal, *wsRejection) {
	raw := payload.Authorization()
	if scheme, value, ok := strings.Cut(raw, " "); ok && strings.EqualFold(scheme, "Bearer") {
		raw = strings.TrimSpace(value)
	}
	if raw == "" {
		raw = payload.GetString("apiKey")
	}
	embed := payload.GetString("embedToken")
	switch {
	case raw != "" && embed != "":
		return nil, &wsRejection{CloseUnauthenticated,
			"send either an API key or an embed token, not both"}
	case (raw != "" || embed != "") && a == nil:
		return nil, &wsRejection{CloseUnauthenticated, "invalid or revoked API key"}
	case raw != "":
		p, err := a.Authenticate(ctx, raw)
		return p, rejection(err)
	case embed != "":
		p, err := a.AuthenticateEmbed(ctx, embed)
		return p, rejection(err)
	}
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, &wsRejection{CloseUnauthenticated,
			"connection_init carries no credentials: send an API key, an embed token, " +
				"or sign in and send csrfToken"}
	case p.ViaSession() && (a == nil || !a.VerifyCSRF(p, payload.GetString("csrfToken"))):
		return nil, &wsRejection{CloseForbidden,
			"missing or invalid csrfToken in connection_init"}
	}
	return p, nil
}

// rejection maps an authentication error to its close: 4401 for invalid
// credentials, 1011 when they could not be checked.
func rejection(err error) *wsRejection {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, auth.ErrInvalidKey), errors.Is(err, auth.ErrEmbedTokenInvalid),
		errors.Is(err, auth.ErrEmbedTokenExpired):
		return &wsRejection{CloseUnauthenticated, err.Error()}
	}
	return &wsRejection{CloseUnavailable, "authentication is unavailable"}
}
