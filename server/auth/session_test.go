package auth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

const password = "correct horse battery staple"

// httpReply is a response read in full.
type httpReply struct {
	Status int
	Header http.Header
	Body   string
}

func send(t *testing.T, req *http.Request) httpReply {
	t.Helper()
	return sendWith(t, http.DefaultClient, req)
}

func sendWith(t *testing.T, client *http.Client, req *http.Request) httpReply {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return httpReply{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

func loginRequest(t *testing.T, base, email, pw string) *http.Request {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	req, err := http.NewRequest(http.MethodPost, base+auth.LoginPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func sessionCookie(header http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	return nil
}

func TestLogin_setsSessionCookieAndBody(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	client := env.CreateClient(t, "Cookie Co")
	id := env.CreateUser(t, "Ann@Example.com", password, false)
	env.SetMember(t, client, "ann@example.com", "ADMIN")

	got := send(t, loginRequest(t, env.URL, "ann@example.com", password))
	if got.Status != http.StatusOK {
		t.Fatalf("login = %d %s", got.Status, got.Body)
	}
	var body struct {
		User struct {
			ID            string `json:"id"`
			Email         string `json:"email"`
			PlatformAdmin bool   `json:"platform_admin"`
			Memberships   []struct {
				ClientID string `json:"client_id"`
				Role     string `json:"role"`
			} `json:"memberships"`
		} `json:"user"`
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.User.ID != id.String() || body.User.Email != "ann@example.com" || body.User.PlatformAdmin {
		t.Errorf("user = %+v, want %s ann@example.com, not platform admin", body.User, id)
	}
	if len(body.User.Memberships) != 1 || body.User.Memberships[0].ClientID != client.String() ||
		body.User.Memberships[0].Role != "admin" {
		t.Errorf("memberships = %+v, want admin of %s", body.User.Memberships, client)
	}
	if body.CSRFToken == "" {
		t.Error("login returned no csrf_token")
	}
	if cc := got.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}

	c := sessionCookie(got.Header)
	if c == nil {
		t.Fatal("login set no sf_session cookie")
	}
	if !c.HttpOnly {
		t.Error("session cookie is not HttpOnly")
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie SameSite = %v, want Lax", c.SameSite)
	}
	if c.Path != "/" {
		t.Errorf("session cookie Path = %q, want /", c.Path)
	}
	if c.Secure {
		t.Error("session cookie is Secure over plain HTTP to a http:// public URL")
	}
	if c.MaxAge != int((12 * time.Hour).Seconds()) {
		t.Errorf("session cookie Max-Age = %d, want the 12h session lifetime", c.MaxAge)
	}
}

func TestLogin_secureCookieOverTLS(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "tls@example.com", password, false)
	srv := httptest.NewTLSServer(env.App.Handler())
	t.Cleanup(srv.Close)

	got := sendWith(t, srv.Client(), loginRequest(t, srv.URL, "tls@example.com", password))
	if got.Status != http.StatusOK {
		t.Fatalf("login over TLS = %d %s", got.Status, got.Body)
	}
	if c := sessionCookie(got.Header); c == nil || !c.Secure {
		t.Errorf("session cookie over TLS = %+v, want Secure", c)
	}
}

func TestLogin_wrongEmailOrPasswordLookAlike(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "bo@example.com", password, false)

	wrongPassword := send(t, loginRequest(t, env.URL, "bo@example.com", "not the password"))
	unknownEmail := send(t, loginRequest(t, env.URL, "nobody@example.com", password))
	for name, got := range map[string]httpReply{"wrong password": wrongPassword,
		"unknown email": unknownEmail} {
		if got.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, got.Status)
		}
		if sessionCookie(got.Header) != nil {
			t.Errorf("%s: a session cookie was set", name)
		}
	}
	want := `{"code":"UNAUTHENTICATED","detail":"invalid email or password"}`
	if strings.TrimSpace(wrongPassword.Body) != want {
		t.Errorf("wrong password body = %s, want %s", wrongPassword.Body, want)
	}
	if wrongPassword.Body != unknownEmail.Body {
		t.Errorf("bodies differ: wrong password %s, unknown email %s", wrongPassword.Body,
			unknownEmail.Body)
	}
}

func TestLogin_rateLimitedPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LoginRateLimit = 2
	}})
	env.CreateUser(t, "cy@example.com", password, false)
	env.CreateUser(t, "di@example.com", password, false)

	for i := range 2 {
		if got := send(t, loginRequest(t, env.URL, "cy@example.com", "wrong")); got.Status != 401 {
			t.Fatalf("attempt %d = %d, want 401", i+1, got.Status)
		}
	}
	limited := send(t, loginRequest(t, env.URL, "CY@example.com", password))
	if limited.Status != http.StatusTooManyRequests {
		t.Fatalf("third attempt for one account = %d %s, want 429", limited.Status, limited.Body)
	}
	if secs, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || secs < 1 ||
		secs > 30 {
		t.Errorf("Retry-After = %q, want 1..30 seconds", limited.Header.Get("Retry-After"))
	}
	if !strings.Contains(limited.Body, `"code":"RATE_LIMITED"`) {
		t.Errorf("429 body = %s, want code RATE_LIMITED", limited.Body)
	}
	unknown := send(t, loginRequest(t, env.URL, "ghost@example.com", "x"))
	if unknown.Status != http.StatusUnauthorized {
		t.Errorf("an unknown account from the same address = %d, want 401", unknown.Status)
	}
	if got := send(t, loginRequest(t, env.URL, "di@example.com", password)); got.Status != 200 {
		t.Errorf("another account from the same address = %d, want 200", got.Status)
	}

	// One address may make four times the per-account limit: 8 attempts a
	// minute. Five were made above, the limited one included.
	statuses := []int{}
	for i := range 4 {
		got := send(t, loginRequest(t, env.URL, "spray"+strconv.Itoa(i)+"@example.com", "x"))
		statuses = append(statuses, got.Status)
	}
	if want := []int{401, 401, 401, 429}; !equalInts(statuses, want) {
		t.Errorf("attempts 6 to 9 from one address = %v, want %v", statuses, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLogin_rejectsForeignOrigin(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "ed@example.com", password, false)

	req := loginRequest(t, env.URL, "ed@example.com", password)
	req.Header.Set("Origin", "https://evil.example")
	if got := send(t, req); got.Status != http.StatusForbidden || sessionCookie(got.Header) != nil {
		t.Errorf("login from a foreign origin = %d (cookie %v), want 403 and no cookie", got.Status,
			sessionCookie(got.Header))
	}
	req = loginRequest(t, env.URL, "ed@example.com", password)
	req.Header.Set("Origin", env.URL)
	if got := send(t, req); got.Status != http.StatusOK {
		t.Errorf("login from the server's own origin = %d %s, want 200", got.Status, got.Body)
	}
}

// meQuery is the contract's me query.
const meQuery = `{ me { id email platformAdmin memberships { clientId role } } }`

func TestSession_logoutRevokesAndReplayIsRejected(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "fay@example.com", password, true)
	s := env.Login(t, "fay@example.com", password)

	noCSRF := s.Request(t, http.MethodPost, env.URL+auth.LogoutPath, nil)
	noCSRF.Header.Del(auth.CSRFHeader)
	if got := send(t, noCSRF); got.Status != http.StatusForbidden {
		t.Errorf("logout without CSRF token = %d %s, want 403", got.Status, got.Body)
	}
	if got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 200 {
		t.Fatalf("session after a refused logout = %d, want 200", got.Status)
	}

	out := send(t, s.Request(t, http.MethodPost, env.URL+auth.LogoutPath, nil))
	if out.Status != http.StatusNoContent {
		t.Fatalf("logout = %d %s, want 204", out.Status, out.Body)
	}
	if c := sessionCookie(out.Header); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout cookie = %+v, want it cleared", c)
	}

	replays := map[string]*http.Request{
		"session":  s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil),
		"logout":   s.Request(t, http.MethodPost, env.URL+auth.LogoutPath, nil),
		"graphql":  s.Request(t, http.MethodPost, env.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`)),
		"rest":     s.Request(t, http.MethodGet, env.URL+"/api/v2/clients", nil),
		"detailed": s.Request(t, http.MethodGet, env.URL+"/health/detailed", nil),
	}
	for name, req := range replays {
		t.Run("replayed "+name, func(t *testing.T) {
			got := send(t, req)
			if got.Status != http.StatusUnauthorized {
				t.Errorf("status = %d %s, want 401", got.Status, got.Body)
			}
			if strings.Contains(got.Body, s.Cookie) || strings.Contains(got.Body, s.CSRF) {
				t.Errorf("response repeats the session's secret: %s", got.Body)
			}
		})
	}
}

func TestSession_freshCSRFTokensAllWork(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "gus@example.com", password, true)
	s := env.Login(t, "gus@example.com", password)

	got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil))
	var body struct {
		User      struct{ Email string }
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil || got.Status != 200 {
		t.Fatalf("GET /auth/session = %d %s", got.Status, got.Body)
	}
	if body.User.Email != "gus@example.com" || body.CSRFToken == "" || body.CSRFToken == s.CSRF {
		t.Errorf("session = %+v, want the user and a fresh CSRF token", body)
	}
	for name, token := range map[string]string{"login token": s.CSRF, "fresh token": body.CSRFToken} {
		s2 := *s
		s2.CSRF = token
		res := env.GraphQLSession(t, &s2, `mutation { createClient(input: {name: "`+
			strings.ReplaceAll(name, " ", "-")+`"}) { id } }`, nil)
		if len(res.Errors) > 0 {
			t.Errorf("mutation with the %s failed: %s", name, res.Raw)
		}
	}
	if got := send(t, mustRequest(t, http.MethodGet, env.URL+auth.SessionPath)); got.Status != 401 {
		t.Errorf("GET /auth/session without a cookie = %d, want 401", got.Status)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCookieRequests_needCSRFAndAllowedOrigin(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "hal@example.com", password, true)
	env.CreateUser(t, "ivy@example.com", password, true)
	s := env.Login(t, "hal@example.com", password)
	otherSession := env.Login(t, "ivy@example.com", password)
	mutation := `{"query":"mutation { createClient(input: {name: \"Csrf Co\"}) { id } }"}`

	cases := []struct {
		name   string
		change func(r *http.Request)
		status int
	}{
		{"no CSRF token", func(r *http.Request) { r.Header.Del(auth.CSRFHeader) }, 403},
		{"another session's token", func(r *http.Request) {
			r.Header.Set(auth.CSRFHeader, otherSession.CSRF)
		}, 403},
		{"malformed token", func(r *http.Request) { r.Header.Set(auth.CSRFHeader, "x.y") }, 403},
		{"foreign origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, 403},
		{"own origin", func(r *http.Request) { r.Header.Set("Origin", env.URL) }, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countClients(t, env)
			req := s.Request(t, http.MethodPost, env.URL+"/graphql", strings.NewReader(mutation))
			tc.change(req)
			got := send(t, req)
			if got.Status != tc.status {
				t.Errorf("status = %d %s, want %d", got.Status, got.Body, tc.status)
			}
			if tc.status == 403 && !strings.Contains(got.Body, `"code":"FORBIDDEN"`) {
				t.Errorf("body = %s, want code FORBIDDEN", got.Body)
			}
			created := countClients(t, env) - before
			if (tc.status == 200) != (created == 1) {
				t.Errorf("%d clients created, want %v", created, tc.status == 200)
			}
		})
	}

	t.Run("GET query needs no CSRF token", func(t *testing.T) {
		req := s.Request(t, http.MethodGet, env.URL+"/graphql?query="+url.QueryEscape(meQuery), nil)
		req.Header.Del(auth.CSRFHeader)
		got := send(t, req)
		if got.Status != 200 || !strings.Contains(got.Body, "hal@example.com") {
			t.Errorf("GET me = %d %s, want the user", got.Status, got.Body)
		}
	})
}

func countClients(t *testing.T, env *apptest.Env) int {
	t.Helper()
	res := env.GraphQL(t, env.PlatformKey, `{ clients { totalCount } }`, nil)
	var out struct{ Clients struct{ TotalCount int } }
	res.Decode(t, &out)
	return out.Clients.TotalCount
}

func TestMe_matchesSessionContract(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	a := env.CreateClient(t, "Me A")
	b := env.CreateClient(t, "Me B")
	env.CreateUser(t, "jo@example.com", password, false)
	env.SetMember(t, a, "jo@example.com", "ADMIN")
	env.SetMember(t, b, "jo@example.com", "MEMBER")
	s := env.Login(t, "jo@example.com", password)

	res := env.GraphQLSession(t, s, meQuery, nil)
	var out struct {
		Me struct {
			ID            uuid.UUID
			Email         string
			PlatformAdmin bool
			Memberships   []struct {
				ClientID uuid.UUID
				Role     string
			}
		}
	}
	res.Decode(t, &out)
	roles := map[uuid.UUID]string{}
	for _, m := range out.Me.Memberships {
		roles[m.ClientID] = m.Role
	}
	if out.Me.ID != s.UserID || out.Me.Email != "jo@example.com" || out.Me.PlatformAdmin ||
		roles[a] != "ADMIN" || roles[b] != "MEMBER" {
		t.Errorf("me = %+v, want jo, admin of A and member of B", out.Me)
	}
	res = env.GraphQL(t, env.PlatformKey, `{ me { id } }`, nil)
	if string(res.Data) != `{"me":null}` {
		t.Errorf("me for a platform key = %s, want null", res.Raw)
	}
}

func TestPasswordChange_endsOtherSessions(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.CreateUser(t, "kim@example.com", password, false)
	current := env.Login(t, "kim@example.com", password)
	other := env.Login(t, "kim@example.com", password)
	const next = "a brand new passphrase"

	res := env.GraphQLSession(t, current, `mutation($c: String!, $n: String!) {
		changePassword(currentPassword: $c, newPassword: $n) }`,
		map[string]any{"c": "wrong current password", "n": next})
	if len(res.Errors) == 0 || res.Code() != "INVALID_INPUT" {
		t.Fatalf("change with a wrong current password = %s, want INVALID_INPUT", res.Raw)
	}
	res = env.GraphQLSession(t, current, `mutation($c: String!, $n: String!) {
		changePassword(currentPassword: $c, newPassword: $n) }`,
		map[string]any{"c": password, "n": next})
	if string(res.Data) != `{"changePassword":true}` {
		t.Fatalf("changePassword = %s", res.Raw)
	}

	if got := send(t, current.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 200 {
		t.Errorf("the session that changed the password = %d, want 200", got.Status)
	}
	if got := send(t, other.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 401 {
		t.Errorf("another session after the change = %d, want 401", got.Status)
	}
	if got := send(t, loginRequest(t, env.URL, "kim@example.com", password)); got.Status != 401 {
		t.Errorf("login with the old password = %d, want 401", got.Status)
	}
	env.Login(t, "kim@example.com", next)
}

func TestSetUserPassword_endsEverySession(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateUser(t, "lee@example.com", password, false)
	s := env.Login(t, "lee@example.com", password)

	res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) {
		setUserPassword(id: $id, password: "reset by the admin") { id } }`, map[string]any{"id": id})
	if len(res.Errors) > 0 {
		t.Fatal(res.Raw)
	}
	if got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 401 {
		t.Errorf("session after an admin reset the password = %d, want 401", got.Status)
	}
	s = env.Login(t, "lee@example.com", "reset by the admin")
	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { revokeUserSessions(userId: $id) }`,
		map[string]any{"id": id})
	if string(res.Data) != `{"revokeUserSessions":1}` {
		t.Errorf("revokeUserSessions = %s, want 1", res.Raw)
	}
	if got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 401 {
		t.Errorf("session after revokeUserSessions = %d, want 401", got.Status)
	}
}

func TestSession_expires(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.SessionTTL = time.Second
	}})
	env.CreateUser(t, "max@example.com", password, false)
	s := env.Login(t, "max@example.com", password)
	if got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 200 {
		t.Fatalf("fresh session = %d", got.Status)
	}
	time.Sleep(1500 * time.Millisecond)
	if got := send(t, s.Request(t, http.MethodGet, env.URL+auth.SessionPath, nil)); got.Status != 401 {
		t.Errorf("session after its lifetime = %d, want 401", got.Status)
	}
}

func TestLastPlatformAdmin_isKept(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	only := env.CreateUser(t, "root@example.com", password, true)

	res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) {
		updateUser(id: $id, input: {platformAdmin: false}) { id } }`, map[string]any{"id": only})
	if res.Code() != "CONFLICT" {
		t.Errorf("demoting the last platform admin = %s, want CONFLICT", res.Raw)
	}
	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { deleteUser(id: $id) }`,
		map[string]any{"id": only})
	if res.Code() != "CONFLICT" {
		t.Errorf("deleting the last platform admin = %s, want CONFLICT", res.Raw)
	}
	env.CreateUser(t, "second@example.com", password, true)
	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { deleteUser(id: $id) }`,
		map[string]any{"id": only})
	if string(res.Data) != `{"deleteUser":true}` {
		t.Errorf("deleting one of two platform admins = %s", res.Raw)
	}
}
