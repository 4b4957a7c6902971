package rest

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// docRoute is one route as the HTML reference shows it.
type docRoute struct {
	Method, Path, Summary string
	Status                string
	Errors                string
	Params                []docField
	Body                  []docField
	Operation, Document   string
	Stream                bool
}

type docField struct {
	Name, In, Type, Doc string
	Required            bool
}

type docSection struct {
	Tag    string
	Routes []docRoute
}

func docSections() []docSection {
	var sections []docSection
	index := map[string]int{}
	for _, rt := range routes {
		i, ok := index[rt.Tag]
		if !ok {
			i = len(sections)
			index[rt.Tag] = i
			sections = append(sections, docSection{Tag: rt.Tag})
		}
		sections[i].Routes = append(sections[i].Routes, docRouteOf(rt))
	}
	return sections
}

func docRouteOf(rt *route) docRoute {
	d := docRoute{
		Method: rt.Method, Path: rt.Path, Summary: rt.Summary,
		Status:    strconv.Itoa(rt.Status) + " " + http.StatusText(rt.Status),
		Operation: rt.Op.Name, Document: strings.TrimSpace(rt.Op.Document), Stream: rt.Stream,
	}
	errs := []string{"401", "403", "404"}
	for _, s := range rt.Errors {
		errs = append(errs, strconv.Itoa(s))
	}
	d.Errors = strings.Join(errs, ", ")
	for _, p := range rt.Params {
		d.Params = append(d.Params, docField{Name: p.Name, In: p.In, Type: typeName(p.Kind),
			Doc: p.Doc, Required: p.Required || p.In == inPath})
	}
	d.Body = docFields("", rt.Body)
	return d
}

// docFields flattens nested body objects into dotted names.
func docFields(prefix string, fields []field) []docField {
	var out []docField
	for _, f := range fields {
		out = append(out, docField{Name: prefix + f.Name, In: "body", Type: typeName(f.Kind),
			Doc: f.Doc, Required: f.Required})
		if obj, ok := f.Kind.(objectOf); ok {
			out = append(out, docFields(prefix+f.Name+".", obj.fields)...)
		}
	}
	return out
}

func typeName(k kind) string {
	s := k.schema()
	t, _ := s["type"].(string)
	if f, ok := s["format"].(string); ok {
		t += " (" + f + ")"
	}
	if e, ok := s["enum"].([]string); ok {
		t += ": " + strings.Join(e, " | ")
	}
	if t == "" {
		t = "—"
	}
	return t
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sidekick Forge REST API</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.45; color: #1d1d1f; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .3rem; margin-top: 2.5rem; }
h3 { font-family: ui-monospace, monospace; font-size: 1rem; margin-bottom: .3rem; }
.method { display: inline-block; min-width: 4rem; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { text-align: left; border-bottom: 1px solid #eee; padding: .25rem .5rem;
  vertical-align: top; }
code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; }
</style>
</head>
<body>
<h1>Sidekick Forge REST API</h1>
<p>Every route runs the named GraphQL operation shown with it, with the same authentication,
tenant checks and limits as <code>/graphql</code>. Send a key as
<code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key</code>. Errors are
<code>{"detail": "...", "code": "..."}</code>; a body that is not JSON, or a field of the wrong
type, is 422 naming the field, and a malformed UUID is 400. The machine-readable form is the
<a href="/api/openapi.json">OpenAPI document</a>.</p>
{{range .}}
<h2>{{.Tag}}</h2>
{{range .Routes}}
<section>
<h3><span class="method">{{.Method}}</span> {{.Path}}</h3>
<p>{{.Summary}}. Success: {{.Status}}{{if .Stream}} (server-sent events){{end}}.
Errors: {{.Errors}}.</p>
{{if or .Params .Body}}
<table>
<tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Notes</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td>
<td>{{if .Required}}yes{{end}}</td><td>{{.Doc}}</td></tr>
{{end}}{{range .Body}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td>
<td>{{if .Required}}yes{{end}}</td><td>{{.Doc}}</td></tr>
{{end}}
</table>
{{end}}
<details><summary>GraphQL operation <code>{{.Operation}}</code></summary>
<pre>{{.Document}}</pre></details>
</section>
{{end}}{{end}}
</body>
</html>
`))

var docsHTML = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := docsTemplate.Execute(&b, docSections()); err != nil {
		panic("render REST docs: " + err.Error())
	}
	return b.Bytes()
})

func serveDocs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(docsHTML())
}
