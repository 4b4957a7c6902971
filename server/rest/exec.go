package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// maxBodyBytes bounds a request body. The largest legitimate body is an
// agent with a long system prompt (100,000 characters, up to 4 bytes each).
const maxBodyBytes = 1 << 20

// serve handles one request on rt. It builds the variables, runs the
// operation through the executor and shapes the data.
func (h *handler) serve(rt *route, w http.ResponseWriter, r *http.Request) {
	if !rt.Public && auth.FromContext(r.Context()) == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sidekick-forge"`)
		h.writeError(w, r, &apiError{Status: http.StatusUnauthorized,
			Code:   string(apperr.Unauthenticated),
			Detail: "authentication required: send Authorization: Bearer <key>"})
		return
	}
	c, err := newCall(rt, r)
	if err != nil {
		h.writeError(w, r, requestError(err))
		return
	}
	if rt.Stream {
		h.stream(c, w, r)
		return
	}

	data, apiErr := h.fetch(r.Context(), c)
	if apiErr != nil {
		h.writeError(w, r, apiErr)
		return
	}
	body, err := rt.Shape(c, data)
	if err != nil {
		h.writeError(w, r, h.shapeError(c, err))
		return
	}
	writeJSON(w, rt.Status, body)
}

// newCall reads the parameters and body of r into the route's variables.
func newCall(rt *route, r *http.Request) (*call, error) {
	c := &call{route: rt, req: r, vars: map[string]any{}, names: map[string]string{},
		uuidFields: map[string]bool{}}
	for k, v := range rt.Defaults {
		setVar(c.vars, k, cloneValue(v))
	}
	for _, p := range rt.Params {
		if p.Var != "" {
			c.names[p.Var] = p.Name
		}
		raw, ok := paramValue(r, p)
		if !ok {
			continue
		}
		v, err := p.Kind.decode(c, p.Name, paramJSON(p.Kind, raw))
		if err != nil {
			return nil, &fieldError{field: p.Name, msg: err.Error()}
		}
		if p.Var != "" {
			setVar(c.vars, p.Var, v)
		}
	}
	if rt.Body == nil {
		return c, nil
	}
	nameFields(c.names, "", rt.Body)
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := decodeFields(c, "", rt.Body, body); err != nil {
		return nil, err
	}
	return c, nil
}

func paramValue(r *http.Request, p param) (string, bool) {
	if p.In == inPath {
		v := r.PathValue(p.Name)
		return v, v != ""
	}
	q := r.URL.Query()
	if !q.Has(p.Name) {
		return "", false
	}
	return q.Get(p.Name), true
}

// paramJSON gives a parameter's text the JSON type its kind expects, so
// that parameters and body fields share one set of checks.
func paramJSON(k kind, raw string) any {
	switch k.(type) {
	case boolKind:
		if b, err := strconv.ParseBool(raw); err == nil {
			return b
		}
	case intKind:
		return json.Number(raw)
	}
	return raw
}

// errBodyTooLarge is a body over maxBodyBytes.
var errBodyTooLarge = errors.New("request body is larger than 1 MiB")

// readBody decodes a JSON object body. An empty body is an empty object.
func readBody(r *http.Request) (map[string]any, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(raw) > maxBodyBytes {
		return nil, errBodyTooLarge
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &fieldError{field: "body", msg: "is not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &fieldError{field: "body", msg: "has data after the JSON object"}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &fieldError{field: "body", msg: "must be a JSON object, got " + jsonType(v)}
	}
	return m, nil
}

// fetch runs the route's operation and returns its data. A list route runs
// it once per page and returns the nodes of every page as one array.
func (h *handler) fetch(ctx context.Context, c *call) (json.RawMessage, *apiError) {
	if c.route.Page == "" {
		resp := h.run(ctx, c.route.Op, c.vars, c.req.Header)
		if len(resp.Errors) > 0 {
			return nil, h.graphQLError(c, resp.Errors)
		}
		return resp.Data, nil
	}

	nodes := []json.RawMessage{}
	c.vars["first"] = pageSize
	for {
		resp := h.run(ctx, c.route.Op, c.vars, c.req.Header)
		if len(resp.Errors) > 0 {
			return nil, h.graphQLError(c, resp.Errors)
		}
		var data map[string]struct {
			Edges []struct {
				Node json.RawMessage `json:"node"`
			} `json:"edges"`
			PageInfo struct {
				HasNextPage bool    `json:"hasNextPage"`
				EndCursor   *string `json:"endCursor"`
			} `json:"pageInfo"`
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			return nil, h.internal(c, fmt.Errorf("decode %s page: %w", c.route.Op.Name, err))
		}
		conn := data[c.route.Page]
		for _, e := range conn.Edges {
			nodes = append(nodes, e.Node)
		}
		if !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
			break
		}
		c.vars["after"] = *conn.PageInfo.EndCursor
	}
	return joinArray(nodes), nil
}

// joinArray writes nodes as one JSON array. The executor's output is already
// compact JSON, so the nodes are copied as they are, without another pass
// through encoding/json.
func joinArray(nodes []json.RawMessage) json.RawMessage {
	size := 2 + len(nodes)
	for _, n := range nodes {
		size += len(n)
	}
	out := make([]byte, 0, size)
	out = append(out, '[')
	for i, n := range nodes {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, n...)
	}
	return append(out, ']')
}

// run executes op through the executor, as the GraphQL HTTP transport does,
// so that the executor's operation middleware (authentication), directives
// (@tenant) and limits apply to REST exactly as to /graphql. ctx carries the
// caller's principal.
func (h *handler) run(ctx context.Context, op *operation, vars map[string]any,
	header http.Header) *graphql.Response {
	responses, ctx, errResp := h.dispatch(ctx, op, vars, header)
	if errResp != nil {
		return errResp
	}
	resp := responses(ctx)
	if resp == nil {
		return &graphql.Response{}
	}
	return resp
}

// dispatch prepares op and starts it. It returns either the operation's
// response handler or the response of an operation that could not start.
func (h *handler) dispatch(ctx context.Context, op *operation, vars map[string]any,
	header http.Header) (graphql.ResponseHandler, context.Context, *graphql.Response) {
	ctx = graphql.StartOperationTrace(ctx)
	now := graphql.Now()
	params := &graphql.RawParams{
		Query: op.Document, OperationName: op.Name, Variables: vars, Headers: header,
		ReadTime: graphql.TraceTiming{Start: now, End: now},
	}
	opCtx, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return nil, ctx, h.exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
	}
	responses, ctx := h.exec.DispatchOperation(ctx, opCtx)
	return responses, ctx, nil
}

// writeJSON writes body as JSON. A json.RawMessage comes from the executor,
// which writes valid compact JSON, and is sent as it is.
func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if raw, ok := body.(json.RawMessage); ok {
		_, _ = w.Write(append(raw, '\n'))
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
