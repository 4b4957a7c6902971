// Package web serves the admin SPA under /admin/: the Vite build embedded in
// the binary, with index.html for every client-side route, long-lived caching
// for the content-hashed assets, and a page that says how to build the SPA
// when the binary carries none.
package web

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Prefix is the URL path under which the SPA is served. Vite's base option
// in frontend/vite.config.ts must name the same path.
const Prefix = "/admin/"

// Cache policies. Files under assets/ have a content hash in their names, so
// a changed file gets a new URL; index.html must be revalidated on every load
// so that a deploy takes effect at once.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// contentSecurityPolicy allows scripts and styles from this origin only.
// connect-src also allows ws:, wss: and https: because the voice test joins
// the client's LiveKit server, whose URL is a per-client setting.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: https:; connect-src 'self' ws: wss: https:; media-src 'self' blob:; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Handler serves the SPA in files, a Vite build whose index.html is at the
// root. Mount it at Prefix for GET; requests outside Prefix get 404. When files
// has no index.html, every page explains how to build the SPA.
func Handler(files fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		if _, err := fs.Stat(files, "index.html"); err != nil {
			writeMissingBuild(w)
			return
		}
		serve(w, r, files, path.Clean("/" + name)[1:])
	})
}

func serve(w http.ResponseWriter, r *http.Request, files fs.FS, name string) {
	info, err := fs.Stat(files, name)
	switch {
	case name == "" || name == "index.html" || errors.Is(err, fs.ErrNotExist) && !isAsset(name):
		// Client-side routes such as /admin/clients/42 all load the SPA.
		w.Header().Set("Cache-Control", cacheRevalidate)
		http.ServeFileFS(w, r, files, "index.html")
	case err != nil || info.IsDir():
		// A missing asset must be a 404, not index.html: a browser would
		// otherwise run HTML as a script and report a MIME type error.
		http.NotFound(w, r)
	case strings.HasPrefix(name, "assets/"):
		w.Header().Set("Cache-Control", cacheImmutable)
		http.ServeFileFS(w, r, files, name)
	default:
		w.Header().Set("Cache-Control", cacheRevalidate)
		http.ServeFileFS(w, r, files, name)
	}
}

// isAsset reports whether name looks like a file rather than a client-side
// route: it is under assets/ or has an extension.
func isAsset(name string) bool {
	return strings.HasPrefix(name, "assets/") || path.Ext(name) != ""
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}
