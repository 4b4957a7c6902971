package web

import (
	"fmt"
	"net/http"
)

// missingBuildPage is served for every /admin/ path when the binary carries
// no SPA build, so that `go run ./server serve` works on a fresh clone.
const missingBuildPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin interface not built · Sidekick Forge</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The admin interface is not built</h1>
<p>%s</p>
<p>From the repository root, build it and restart the server:</p>
<pre style="background: #f3f4f6; padding: 1rem; overflow-x: auto">npm ci &amp;&amp; npm run build
go run ./server serve</pre>
<p>For development, <code>npm run dev --workspace frontend</code> serves the interface
from Vite at <code>http://127.0.0.1:5173/admin/</code> and proxies API calls to this server.</p>
<p>The GraphQL API at <code>/graphql</code> works without the admin interface.</p>
</body>
</html>
`

func writeMissingBuild(w http.ResponseWriter) {
	reason := "This server was compiled before the admin interface was built, " +
		"so it has no files to serve at /admin/."
	if BuiltWithout {
		reason = "This server was compiled with <code>-tags nodist</code>, which leaves the " +
			"admin interface out. Build it again without that tag after building the interface."
	}
	// The inline style attributes above need this page's own policy.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheRevalidate)
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, missingBuildPage, reason)
}
