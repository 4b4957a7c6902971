package rest_test

import (
	"net/http"
	"testing"
)

func TestCORS_siteKeyOrigins(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	id := env.CreateClient(t, "Cors Client")
	env.CreateAgent(t, id, "widget", nil)
	site := env.CreateSite(t, id, "shop.example", []string{"https://shop.example"})
	agents := "/api/v2/agents?client_id=" + id.String()

	send := func(t *testing.T, method, origin, key string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, env.URL+agents, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", http.MethodGet)
			req.Header.Set("Access-Control-Request-Headers", "authorization")
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	t.Run("preflight from an allowed origin", func(t *testing.T) {
		resp := send(t, http.MethodOptions, "https://shop.example", "")
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("status = %d, want 204", resp.StatusCode)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://shop.example" {
			t.Errorf("Access-Control-Allow-Origin = %q, want the origin", got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Methods"); got == "" {
			t.Error("Access-Control-Allow-Methods is missing")
		}
		if got := resp.Header.Get("Access-Control-Allow-Headers"); got == "" {
			t.Error("Access-Control-Allow-Headers is missing")
		}
	})

	t.Run("request from an allowed origin", func(t *testing.T) {
		resp := send(t, http.MethodGet, "https://shop.example", site)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status = %d, want 200", resp.StatusCode)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://shop.example" {
			t.Errorf("Access-Control-Allow-Origin = %q, want the origin", got)
		}
	})

	t.Run("preflight from another origin", func(t *testing.T) {
		resp := send(t, http.MethodOptions, "https://evil.example", "")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status = %d, want 403", resp.StatusCode)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q, want none", got)
		}
	})

	t.Run("request from another origin", func(t *testing.T) {
		resp := send(t, http.MethodGet, "https://evil.example", site)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q, want none", got)
		}
	})

	t.Run("platform key from a site origin", func(t *testing.T) {
		resp := send(t, http.MethodGet, "https://shop.example", env.PlatformKey)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q, want none for a key without origins", got)
		}
	})

	t.Run("preflight after the site is revoked", func(t *testing.T) {
		other := env.CreateClient(t, "Cors Revoked")
		env.CreateSite(t, other, "gone.example", []string{"https://gone.example"})
		res := env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { wordpressSites(clientId: $c) { id } }`,
			map[string]any{"c": other})
		var out struct{ WordpressSites []struct{ ID string } }
		res.Decode(t, &out)
		revoke := p.call(t, http.MethodDelete, "/api/v1/wordpress-sites/"+out.WordpressSites[0].ID+
			"?client_id="+other.String(), env.PlatformKey, nil)
		if revoke.Status != http.StatusOK {
			t.Fatalf("revoke = %d %s", revoke.Status, revoke.Body)
		}
		resp := send(t, http.MethodOptions, "https://gone.example", "")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q after revocation, want none", got)
		}
	})
}
