package rest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// apiError is the legacy error body, {"detail", "code"}, with the field at
// fault and, for an ambiguous agent slug, the candidate clients.
type apiError struct {
	Status     int    `json:"-"`
	Detail     string `json:"detail"`
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Candidates any    `json:"candidates,omitempty"`
	// RetryAfter is the Retry-After header of a RATE_LIMITED error, in
	// seconds.
	RetryAfter int `json:"-"`
}

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sidekick-forge"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, e)
}

// requestError is the error response to a request whose parameters or
// body could not be read: 422 naming the field, or 413 for an oversized body.
func requestError(err error) *apiError {
	if errors.Is(err, errBodyTooLarge) {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: string(apperr.InvalidInput),
			Detail: err.Error(), Field: "body"}
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: string(apperr.InvalidInput),
			Detail: fe.Error(), Field: fe.field}
	}
	return &apiError{Status: http.StatusBadRequest, Code: string(apperr.InvalidInput),
		Detail: err.Error()}
}

// graphQLError maps the first error of an operation to the REST status of
// its code, renaming GraphQL field names to the caller's.
func (h *handler) graphQLError(c *call, errs gqlerror.List) *apiError {
	e := errs[0]
	code, _ := e.Extensions["code"].(string)
	if isVariableError(e) && (code == errcode.ValidationFailed || code == string(apperr.InvalidInput)) {
		return c.variableError(e)
	}
	switch code {
	case errcode.ValidationFailed:
		if isVariableError(e) {
			return c.variableError(e)
		}
		h.log.Error("REST operation does not validate", "operation", c.route.Op.Name,
			"error", e.Message)
		return internalError()
	case "", errcode.ParseFailed, "COMPLEXITY_LIMIT_EXCEEDED":
		h.log.Error("REST operation failed without a domain error", "operation", c.route.Op.Name,
			"code", code, "error", e.Message)
		return internalError()
	case "CANCELLED":
		return &apiError{Status: http.StatusServiceUnavailable, Code: code, Detail: e.Message}
	}

	out := &apiError{Status: apperr.Code(code).Status(), Code: code, Detail: e.Message}
	if f, _ := e.Extensions["field"].(string); f != "" {
		out.Field = c.fieldName(f, e.Path)
		out.Detail = renamePrefix(e.Message, f, out.Field)
	}
	if code == string(apperr.InvalidInput) {
		out.Status = c.route.InvalidStatus
		if c.uuidFields[out.Field] {
			out.Status = http.StatusBadRequest
		}
	}
	if cands, ok := e.Extensions["candidates"]; ok {
		out.Candidates = cands
	}
	if code == string(apperr.RateLimited) {
		out.RetryAfter = retryAfter(e.Extensions["retryAfter"])
	}
	return out
}

func internalError() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: string(apperr.Internal),
		Detail: "internal error"}
}

func (h *handler) internal(c *call, err error) *apiError {
	h.log.Error("REST response failed", "operation", c.route.Op.Name, "error", err)
	return internalError()
}

// shapeError converts a shaper's error. A domain error keeps its code, and
// any other error is internal.
func (h *handler) shapeError(c *call, err error) *apiError {
	if e, ok := apperr.As(err); ok {
		return &apiError{Status: e.Code.Status(), Code: string(e.Code), Detail: e.Message}
	}
	return h.internal(c, err)
}

// isVariableError reports an error in the variables the route built, which
// the validator reports on a path that starts with "variable".
func isVariableError(e *gqlerror.Error) bool {
	return len(e.Path) > 1 && e.Path[0] == ast.PathName("variable")
}

// variableError is a missing or mistyped variable: a body field or
// parameter the caller left out or sent with the wrong type.
func (c *call) variableError(e *gqlerror.Error) *apiError {
	path := pathString(e.Path[1:])
	name := c.fieldName(path, nil)
	msg := e.Message
	if msg == "must be defined" || msg == "cannot be null" {
		msg = "is required"
	}
	status := http.StatusUnprocessableEntity
	if c.uuidFields[name] {
		status = http.StatusBadRequest
	}
	return &apiError{Status: status, Code: string(apperr.InvalidInput), Detail: name + ": " + msg,
		Field: name}
}

// fieldName returns the caller's name of a GraphQL field: the name of the
// variable path it came from, or the field in snake_case.
func (c *call) fieldName(gqlField string, path ast.Path) string {
	candidates := []string{gqlField, "input." + gqlField}
	if len(path) > 1 {
		// An argument error's path is the root field and then the argument.
		candidates = append([]string{pathString(path[1:])}, candidates...)
	}
	for _, cand := range candidates {
		if name, ok := c.names[cand]; ok {
			return name
		}
	}
	return snakeCase(gqlField)
}

func pathString(p ast.Path) string {
	var b strings.Builder
	for _, el := range p {
		switch v := el.(type) {
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(v)) + "]")
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(v))
		}
	}
	return b.String()
}

// renamePrefix replaces the "field: " that starts an apperr.Invalid message
// with the caller's name of the field.
func renamePrefix(msg, from, to string) string {
	if rest, ok := strings.CutPrefix(msg, from+": "); ok {
		return to + ": " + rest
	}
	return msg
}

// snakeCase turns a GraphQL name like voiceContextWebhookUrl into
// voice_context_webhook_url. Names already in snake_case stay as they are.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] != '.' && s[i-1] != '_' {
				b.WriteByte('_')
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// retryAfter reads extensions.retryAfter, which is an int when the error
// comes straight from the executor and a JSON number after a round trip.
func retryAfter(v any) int {
	switch n := v.(type) {
	case int:
		return max(n, 1)
	case float64:
		return max(int(n), 1)
	}
	return 1
}
