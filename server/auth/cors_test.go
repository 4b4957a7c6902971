package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// originSet is an OriginStore over a fixed set of origins.
type originSet struct {
	origins map[string]bool
	err     error
}

func (s originSet) SiteOriginAllowed(_ context.Context, origin string) (bool, error) {
	return s.origins[origin], s.err
}

func writeTestError(w http.ResponseWriter, _ *http.Request, status int, code, detail string) {
	w.WriteHeader(status)
	_, _ = w.Write([]byte(code + ": " + detail))
}

func TestCORS_headersByOrigin(t *testing.T) {
	store := originSet{origins: map[string]bool{"https://shop.example": true}}
	site := &Principal{Kind: KindSiteKey, AllowedOrigins: []string{"https://shop.example"}}
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	h := CORS(store, slog.New(slog.DiscardHandler), writeTestError)(next)

	cases := []struct {
		name       string
		method     string
		origin     string
		preflight  bool
		principal  *Principal
		wantStatus int
		wantOrigin string
	}{
		{"preflight allowed", http.MethodOptions, "https://shop.example", true, nil,
			http.StatusNoContent, "https://shop.example"},
		{"preflight other origin", http.MethodOptions, "https://evil.example", true, nil,
			http.StatusForbidden, ""},
		{"request allowed", http.MethodGet, "https://shop.example", false, site,
			http.StatusOK, "https://shop.example"},
		{"request in other case", http.MethodGet, "https://SHOP.example", false, site,
			http.StatusOK, "https://SHOP.example"},
		{"request other origin", http.MethodGet, "https://evil.example", false, site,
			http.StatusOK, ""},
		{"request without key", http.MethodGet, "https://shop.example", false, nil,
			http.StatusOK, ""},
		{"plain OPTIONS passes on", http.MethodOptions, "https://shop.example", false, site,
			http.StatusOK, "https://shop.example"},
		{"no origin", http.MethodGet, "", false, site, http.StatusOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "/api/v2/agents", nil)
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.preflight {
				req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			}
			if c.principal != nil {
				req = req.WithContext(WithPrincipal(req.Context(), c.principal))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != c.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, c.wantStatus)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != c.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, c.wantOrigin)
			}
			if c.origin != "" && rec.Header().Get("Vary") != "Origin" {
				t.Errorf("Vary = %q, want Origin", rec.Header().Get("Vary"))
			}
		})
	}
}

func TestCORS_storeFailureIs503(t *testing.T) {
	store := originSet{err: errors.New("database down")}
	h := CORS(store, slog.New(slog.DiscardHandler), writeTestError)(http.NotFoundHandler())
	req := httptest.NewRequest(http.MethodOptions, "/api/v2/agents", nil)
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("Access-Control-Request-Method", http.MethodGet)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", rec.Code)
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin = %q, want none", got)
	}
}
