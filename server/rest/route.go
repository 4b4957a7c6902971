package rest

import (
	"encoding/json"
	"net/http"
)

// route is one REST route: the HTTP method and path, the named GraphQL
// operation it runs, how the operation's variables come from the request and
// how its data becomes the legacy JSON. Every route is a row of the table in
// routes.go; no route has a handler of its own.
type route struct {
	Method  string
	Path    string
	Tag     string
	Summary string

	Op *operation
	// Params are the path and query parameters.
	Params []param
	// Body lists the fields of the JSON body. A route without a body has nil.
	Body []field
	// Defaults are variables set before the request's own, which override
	// them.
	Defaults map[string]any
	// Page names the connection field of a list route. The route fetches
	// every page and passes the nodes to Shape as one JSON array.
	Page string
	// Stream runs a subscription and responds with server-sent events.
	Stream bool
	// Public routes take their credential in the body. Every other route
	// rejects an anonymous caller before reading the request, so the body's
	// rules are not revealed to it.
	Public bool

	Shape shaper
	// Status is the HTTP status of a success.
	Status int
	// InvalidStatus is the status of INVALID_INPUT errors raised by the
	// services: 400 for the trigger routes, 422 for body validation. A
	// malformed UUID is always 400, and a body that is not JSON, or a field
	// of the wrong type, always 422.
	InvalidStatus int
	// Errors lists the statuses besides 401, 403 and 404 that the route may
	// return, for the OpenAPI document.
	Errors []int
	// Response names the OpenAPI schema of a success.
	Response string
}

// operation is a named GraphQL operation and the document that defines it.
type operation struct {
	Name     string
	Document string
}

// param is a path or query parameter bound to a GraphQL variable.
type param struct {
	Name string
	// In is "path" or "query".
	In string
	// Var is the dotted variable path the value goes to, like "clientId" or
	// "input.clientId"; empty when a shaper reads the value instead.
	Var      string
	Kind     kind
	Required bool
	Doc      string
}

// field is a member of a JSON body bound to a GraphQL variable.
type field struct {
	Name string
	// Var is the dotted variable path the value goes to. Fields of a nested
	// object name their full path; the object itself has none.
	Var      string
	Kind     kind
	Required bool
	Doc      string
}

// shaper turns an operation's data into the legacy response body.
type shaper func(c *call, data json.RawMessage) (any, error)

// call is one request being served by a route.
type call struct {
	route *route
	req   *http.Request
	vars  map[string]any
	// names maps GraphQL variable and input field paths to the caller's
	// field names, for error messages.
	names map[string]string
	// uuidFields are the caller's field names that hold UUIDs; a malformed
	// one is 400.
	uuidFields map[string]bool
}

const (
	inPath  = "path"
	inQuery = "query"
)

// Routes returns "METHOD path" of every route of the table, for tests that
// must cover each route.
func Routes() []string {
	out := make([]string, 0, len(routes))
	for _, rt := range routes {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return out
}
