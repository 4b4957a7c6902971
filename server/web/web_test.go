package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func builtSPA() fstest.MapFS {
	return fstest.MapFS{
		"index.html":            {Data: []byte(`<!doctype html><div id="root"></div>`)},
		"assets/index-abc1.js":  {Data: []byte(`console.log("spa")`)},
		"assets/index-abc1.css": {Data: []byte(`body{}`)},
		"favicon.svg":           {Data: []byte(`<svg/>`)},
	}
}

func get(t *testing.T, h http.Handler, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandler_servesBuild(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix, Handler(builtSPA()))

	cases := []struct {
		name, target string
		status       int
		contains     string
		cache        string
		contentType  string
	}{
		{"root", "/admin/", 200, `id="root"`, cacheRevalidate, "text/html"},
		{"client route", "/admin/clients/3f1c", 200, `id="root"`, cacheRevalidate, "text/html"},
		{"hashed script", "/admin/assets/index-abc1.js", 200, `console.log`, cacheImmutable,
			"text/javascript"},
		{"hashed stylesheet", "/admin/assets/index-abc1.css", 200, `body{}`, cacheImmutable,
			"text/css"},
		{"root file", "/admin/favicon.svg", 200, `<svg/>`, cacheRevalidate, "image/svg+xml"},
		{"missing asset", "/admin/assets/gone-0000.js", 404, "not found", "", "text/plain"},
		{"missing file with extension", "/admin/robots.txt", 404, "not found", "", "text/plain"},
		{"assets folder", "/admin/assets/", 404, "not found", "", "text/plain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, mux, tc.target)
			if res.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if got := body(t, res); !strings.Contains(got, tc.contains) {
				t.Errorf("body = %q, want it to contain %q", got, tc.contains)
			}
			if tc.cache != "" && res.Header.Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", res.Header.Get("Cache-Control"), tc.cache)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type = %q, want %s", ct, tc.contentType)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("X-Content-Type-Options is not nosniff")
			}
		})
	}
}

func TestHandler_redirectsBarePrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix, Handler(builtSPA()))

	res := get(t, mux, "/admin")

	if res.StatusCode/100 != 3 {
		t.Errorf("status = %d, want a redirect", res.StatusCode)
	}
	if loc := res.Header.Get("Location"); loc != "/admin/" {
		t.Errorf("Location = %q, want /admin/", loc)
	}
}

func TestHandler_indexHasContentSecurityPolicy(t *testing.T) {
	res := get(t, Handler(builtSPA()), "/admin/")

	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want script-src 'self'", csp)
	}
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", csp)
	}
}

func TestHandler_missingBuildExplainsHowToBuild(t *testing.T) {
	for _, target := range []string{"/admin/", "/admin/clients", "/admin/assets/index.js"} {
		t.Run(target, func(t *testing.T) {
			res := get(t, Handler(fstest.MapFS{}), target)

			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status = %d, want %d", res.StatusCode, http.StatusServiceUnavailable)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			if got := body(t, res); !strings.Contains(got, "npm ci &amp;&amp; npm run build") {
				t.Errorf("body does not say how to build the SPA:\n%s", got)
			}
		})
	}
}

func TestHandler_rejectsPathsOutsidePrefix(t *testing.T) {
	res := get(t, Handler(builtSPA()), "/graphql")

	if res.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want %d", res.StatusCode, http.StatusNotFound)
	}
}
