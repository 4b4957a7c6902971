package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/accounts"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// Session is a signed-in admin SPA session: its cookie and CSRF token.
type Session struct {
	Cookie string
	CSRF   string
	UserID uuid.UUID
}

// CreateUser stores a user, as the users create command does.
func (e *Env) CreateUser(t testing.TB, email, password string, platformAdmin bool) uuid.UUID {
	t.Helper()
	u, err := e.App.Accounts.Bootstrap(context.Background(), accounts.UserInput{
		Email: email, Password: password, PlatformAdmin: platformAdmin})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u.ID
}

// SetMember gives the user with email a role ("ADMIN" or "MEMBER") in a
// client.
func (e *Env) SetMember(t testing.TB, clientID uuid.UUID, email, role string) {
	t.Helper()
	res := e.GraphQL(t, e.PlatformKey, `mutation($c: UUID!, $e: String!, $r: MembershipRole!) {
		setClientMember(clientId: $c, email: $e, role: $r) { userId } }`,
		map[string]any{"c": clientID, "e": email, "r": role})
	var out map[string]any
	res.Decode(t, &out)
}

// Login signs in through POST /auth/login and returns the session.
func (e *Env) Login(t testing.TB, email, password string) *Session {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(e.URL+auth.LoginPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: HTTP %d %s", email, resp.StatusCode, raw)
	}
	var out struct {
		User      struct{ ID uuid.UUID }
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	s := &Session{CSRF: out.CSRFToken, UserID: out.User.ID}
	for _, c := range resp.Cookies() {
		if c.Name == auth.SessionCookie {
			s.Cookie = c.Value
		}
	}
	if s.Cookie == "" || s.CSRF == "" {
		t.Fatalf("login %s set no session cookie or CSRF token", email)
	}
	return s
}

// Request returns a request to path that carries the session's cookie and
// CSRF token.
func (s *Session) Request(t testing.TB, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: s.Cookie})
	req.Header.Set(auth.CSRFHeader, s.CSRF)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// GraphQLSession posts an operation with the session's cookie and CSRF
// token.
func (e *Env) GraphQLSession(t testing.TB, s *Session, query string, vars map[string]any) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.DefaultClient.Do(s.Request(t, http.MethodPost, e.URL+"/graphql",
		bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode GraphQL response (HTTP %d) %s: %v", resp.StatusCode, raw, err)
	}
	return out
}

// CreateClientKey creates a client key with scopes ("READ", "TRIGGER",
// "MANAGE") and returns it raw.
func (e *Env) CreateClientKey(t testing.TB, clientID uuid.UUID, scopes ...string) string {
	t.Helper()
	res := e.GraphQL(t, e.PlatformKey, `mutation($in: CreateAccessKeyInput!) {
		createAccessKey(input: $in) { secret } }`, map[string]any{"in": map[string]any{
		"name": "test key", "clientId": clientID, "scopes": scopes}})
	var out struct{ CreateAccessKey struct{ Secret string } }
	res.Decode(t, &out)
	return out.CreateAccessKey.Secret
}

// CreateEmbedToken mints an embed token with key for an agent; userID ""
// makes an anonymous token.
func (e *Env) CreateEmbedToken(t testing.TB, key string, clientID uuid.UUID, agentSlug,
	userID string) string {
	t.Helper()
	in := map[string]any{"agentSlug": agentSlug, "clientId": clientID}
	if userID != "" {
		in["userId"] = userID
	}
	res := e.GraphQL(t, key, `mutation($in: EmbedTokenInput!) {
		createEmbedToken(input: $in) { token } }`, map[string]any{"in": in})
	var out struct{ CreateEmbedToken struct{ Token string } }
	res.Decode(t, &out)
	return out.CreateEmbedToken.Token
}
