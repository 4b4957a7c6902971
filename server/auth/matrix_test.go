package auth_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sidekick-forge/sidekick-forge/graph"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/rest"
)

// access is who may use a row's field or route.
type access int

const (
	// accessPublic: everyone, anonymous callers too.
	accessPublic access = iota
	// accessAny: any principal.
	accessAny
	// accessAccount: any principal but embed tokens.
	accessAccount
	// accessUser: signed-in users; access keys are FORBIDDEN.
	accessUser
	// accessPlatform: platform keys and platform admins; others FORBIDDEN.
	accessPlatform
	// accessPlatformHidden: like accessPlatform, but others get NOT_FOUND.
	accessPlatformHidden
	// accessClient: the row's scope on the target client.
	accessClient
	// accessEmbedTrigger: accessClient with trigger, and embed tokens for
	// their agent.
	accessEmbedTrigger
	// accessMintEmbed: access keys with trigger on the target client.
	accessMintEmbed
)

// target is the client a case acts on.
type target int

const (
	targetNone target = iota
	targetA
	targetB
	// targetMissing repeats a denied case on B with ids that exist nowhere.
	// The two responses must be the same.
	targetMissing
)

func (t target) String() string {
	return [...]string{"no client", "client A", "client B", "a missing client"}[t]
}

// surface is how a row is called.
type surface int

const (
	overGraphQL surface = iota
	overWebsocket
	overHTTP
)

// matrixCase is one row run by one principal against one target.
type matrixCase struct {
	p      *principal
	target target
	// client is A, B, a random id (targetMissing) or uuid.Nil.
	client uuid.UUID
	// n numbers the objects the case creates; a missing-target rerun shares
	// it with its case on B.
	n       int
	allowed bool
}

// call is what a case sends.
type call struct {
	query string
	vars  map[string]any

	method, path string
	body         any

	// as replaces the principal's credentials, for logout with a fresh
	// session of the same user.
	as *principal
	// idents are the target-specific names in the request, replaced before
	// the responses for B and a missing target are compared.
	idents []string
}

// row is one field or route of the matrix, with who may use it.
type row struct {
	name    string
	variant string
	surface surface
	access  access
	scope   string
	// targeted rows run against A and B; others once per principal.
	targeted bool
	// mutation rows must leave an audit entry when they succeed.
	mutation bool
	// okCodes are error codes that still mean the caller was let through,
	// such as CONFLICT for retrying a client that is already ready.
	okCodes []string
	// status is the HTTP status of success on REST and plain HTTP routes.
	status int
	// expect replaces the access rule for routes with their own
	// credentials.
	expect func(p *principal, t target) outcome
	// shownSecrets name the secrets that the allowed response carries by
	// design.
	shownSecrets []string
	build        func(f *fixture, c *matrixCase) call
	check        func(t *testing.T, f *fixture, c *matrixCase, r result)
}

func (r row) label() string {
	if r.variant == "" {
		return r.name
	}
	return r.name + " (" + r.variant + ")"
}

// outcome is the expected result: allowed, or denied with an error code.
type outcome struct {
	allowed bool
	code    string
}

var allowed = outcome{allowed: true}

func denied(code apperr.Code) outcome { return outcome{code: string(code)} }

func (r row) outcome(p *principal, t target) outcome {
	if r.expect != nil {
		return r.expect(p, t)
	}
	switch {
	case p.worker:
		// A worker token is valid only at the worker endpoint; elsewhere it
		// is an invalid key.
		return denied(apperr.Unauthenticated)
	case r.access == accessPublic:
		return allowed
	case p.anon:
		return denied(apperr.Unauthenticated)
	case p.isEmbed && r.access != accessEmbedTrigger && r.access != accessAny:
		return denied(apperr.Forbidden)
	}
	switch r.access {
	case accessAny, accessAccount:
		return allowed
	case accessUser:
		if p.isUser {
			return allowed
		}
		return denied(apperr.Forbidden)
	case accessPlatform, accessPlatformHidden:
		if p.platform {
			return allowed
		}
		if r.access == accessPlatformHidden {
			return denied(apperr.NotFound)
		}
		return denied(apperr.Forbidden)
	}
	return r.clientOutcome(p, t)
}

func (r row) clientOutcome(p *principal, t target) outcome {
	mintingUser := r.access == accessMintEmbed && p.isUser
	switch {
	case p.platform && mintingUser:
		return denied(apperr.Forbidden)
	case p.platform:
		return allowed
	case t != targetA && p.isEmbed:
		// An embed token names its client, so another client is FORBIDDEN
		// whether or not it exists.
		return denied(apperr.Forbidden)
	case t != targetA:
		return denied(apperr.NotFound)
	case p.isEmbed:
		return allowed
	case !p.has(r.scope), mintingUser:
		return denied(apperr.Forbidden)
	}
	return allowed
}

// result is a response reduced to what the checks need.
type result struct {
	status int
	header http.Header
	body   string
	// code is the first error code, "" without errors.
	code string
	// nonNullData reports GraphQL data with a non-null root field.
	nonNullData bool
	// closeCode is the websocket close code, 0 when the server did not
	// close the connection.
	closeCode int
	// done reports a subscription that ended with a DONE event.
	done bool
}

func (f *fixture) send(s surface, p *principal, c call) result {
	f.t.Helper()
	if c.as != nil {
		p = c.as
	}
	switch s {
	case overWebsocket:
		return f.subscribe(p, c)
	case overHTTP:
		var body *bytes.Reader
		contentType := ""
		if c.body != nil {
			raw, _ := json.Marshal(c.body)
			body = bytes.NewReader(raw)
			contentType = "application/json"
		}
		var rep httpReply
		if body != nil {
			rep = f.do(p, c.method, c.path, body, contentType)
		} else {
			rep = f.do(p, c.method, c.path, nil, "")
		}
		return restResult(rep)
	}
	raw, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
	return graphQLResult(f.do(p, http.MethodPost, "/graphql", bytes.NewReader(raw),
		"application/json"))
}

func restResult(rep httpReply) result {
	r := result{status: rep.Status, header: rep.Header, body: rep.Body}
	var body struct{ Code string }
	if rep.Status >= 400 && json.Unmarshal([]byte(rep.Body), &body) == nil {
		r.code = body.Code
	}
	return r
}

func graphQLResult(rep httpReply) result {
	r := result{status: rep.Status, header: rep.Header, body: rep.Body}
	var body struct {
		Data   map[string]json.RawMessage
		Errors []struct{ Extensions map[string]any }
		// Code is set on the {"detail", "code"} errors of the middleware.
		Code string
	}
	if json.Unmarshal([]byte(rep.Body), &body) != nil {
		return r
	}
	r.code = body.Code
	if len(body.Errors) > 0 {
		r.code, _ = body.Errors[0].Extensions["code"].(string)
	}
	for _, v := range body.Data {
		if string(v) != "null" {
			r.nonNullData = true
		}
	}
	return r
}

// matrixStats counts the cases run, for the log. compared counts the
// denials on B that were compared with a missing target.
type matrixStats struct{ cases, rows, compared int }

// run runs r under every principal against each of its targets.
func (f *fixture) run(t *testing.T, r row, stats *matrixStats) {
	stats.rows++
	targets := []target{targetNone}
	if r.targeted {
		targets = []target{targetA, targetB}
	}
	for _, p := range f.principals {
		for _, tg := range targets {
			t.Run(p.name+" on "+tg.String(), func(t *testing.T) {
				stats.cases++
				f.runCase(t, r, p, tg, stats)
			})
		}
	}
}

func (f *fixture) clientOf(tg target) uuid.UUID {
	switch tg {
	case targetA:
		return f.a
	case targetB:
		return f.b
	case targetMissing:
		return uuid.New()
	}
	return uuid.Nil
}

func (f *fixture) runCase(t *testing.T, r row, p *principal, tg target, stats *matrixStats) {
	want := r.outcome(p, tg)
	c := &matrixCase{p: p, target: tg, client: f.clientOf(tg), n: f.next(), allowed: want.allowed}
	req := r.build(f, c)
	before := f.auditCount()
	res := f.send(r.surface, p, req)

	f.checkOutcome(t, r, want, res)
	f.checkLeaks(t, r, c, res)
	f.checkAudit(t, r, c, res, before)
	// A platform principal may know that B exists; everyone else must not
	// learn it from a denial.
	if !want.allowed && tg == targetB && !p.platform {
		stats.compared++
		m := &matrixCase{p: p, target: targetMissing, client: f.clientOf(targetMissing), n: c.n}
		mreq := r.build(f, m)
		missing := f.send(r.surface, p, mreq)
		a := normalize(res, append(req.idents, f.b.String()))
		b := normalize(missing, append(mreq.idents, m.client.String()))
		if a != b {
			t.Errorf("denial for client B differs from the answer for a missing target:\n"+
				" B:       %s\n missing: %s", a, b)
		}
	}
	if want.allowed {
		f.registerMinted(res.body, res.header)
		if r.check != nil {
			r.check(t, f, c, res)
		}
	}
}

func (f *fixture) checkOutcome(t *testing.T, r row, want outcome, res result) {
	t.Helper()
	switch r.surface {
	case overWebsocket:
		checkWebsocket(t, want, res)
		return
	case overHTTP:
		checkHTTP(t, r, want, res)
		return
	}
	if res.status == http.StatusUnauthorized && want.code == string(apperr.Unauthenticated) {
		// The middleware rejected invalid credentials before GraphQL ran.
		if res.code != want.code {
			t.Errorf("HTTP 401 body %s, want code %s", res.body, want.code)
		}
		return
	}
	if res.status != http.StatusOK {
		t.Errorf("HTTP status %d, want 200 (body %s)", res.status, res.body)
	}
	switch {
	case want.allowed && res.code != "" && !slices.Contains(r.okCodes, res.code):
		t.Errorf("denied with %s, want allowed: %s", res.code, res.body)
	case !want.allowed && res.code != want.code:
		t.Errorf("code %q, want %s: %s", res.code, want.code, res.body)
	case !want.allowed && res.nonNullData:
		t.Errorf("a denied operation returned data: %s", res.body)
	}
}

func checkHTTP(t *testing.T, r row, want outcome, res result) {
	t.Helper()
	if want.allowed {
		if res.status != r.status && !slices.Contains(r.okCodes, res.code) {
			t.Errorf("status %d, want %d: %s", res.status, r.status, res.body)
		}
		return
	}
	wantStatus := apperr.Code(want.code).Status()
	if res.status != wantStatus || res.code != want.code {
		t.Errorf("status %d code %q, want %d %s: %s", res.status, res.code, wantStatus, want.code,
			res.body)
	}
}

func checkWebsocket(t *testing.T, want outcome, res result) {
	t.Helper()
	switch {
	case want.allowed && (!res.done || res.code != ""):
		t.Errorf("subscription did not stream to DONE (code %q, close %d): %s", res.code,
			res.closeCode, res.body)
	case !want.allowed && want.code == string(apperr.Unauthenticated):
		if res.closeCode != 4401 {
			t.Errorf("close code %d, want 4401 (body %s)", res.closeCode, res.body)
		}
	case !want.allowed && (res.code != want.code || res.done):
		t.Errorf("code %q (done %v), want %s: %s", res.code, res.done, want.code, res.body)
	}
}

// checkLeaks fails the case when the response holds a secret, or when a
// principal bound to client A learns about client B.
func (f *fixture) checkLeaks(t *testing.T, r row, c *matrixCase, res result) {
	t.Helper()
	for _, name := range f.leaks(res.body) {
		if c.allowed && slices.Contains(r.shownSecrets, name) {
			continue
		}
		t.Errorf("response contains the %s: %s", name, short(res.body))
	}
	if !c.p.boundToA() {
		return
	}
	if strings.Contains(res.body, nameB) {
		t.Errorf("a principal of A sees client B's name: %s", short(res.body))
	}
	if c.target != targetB && strings.Contains(res.body, f.b.String()) {
		t.Errorf("a principal of A sees client B's id: %s", short(res.body))
	}
}

// checkAudit requires an audit entry by the caller for every successful
// mutation, and no new entry for a denied call.
func (f *fixture) checkAudit(t *testing.T, r row, c *matrixCase, res result, before int) {
	t.Helper()
	after := f.auditCount()
	switch {
	case !c.allowed && after != before:
		t.Errorf("a denied call wrote %d audit entries", after-before)
	case c.allowed && r.mutation && res.code == "" && after == before:
		t.Errorf("a successful mutation wrote no audit entry")
	case c.allowed && r.mutation && res.code == "":
		if actor := f.lastActor(); actor != c.p.actor {
			t.Errorf("audit actor = %q, want %q", actor, c.p.actor)
		}
	}
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// normalize reduces a denial to what may not differ between targets.
func normalize(r result, idents []string) string {
	body := r.body
	for _, id := range idents {
		if id != "" {
			body = strings.ReplaceAll(body, id, "<ident>")
		}
	}
	body = uuidPattern.ReplaceAllString(body, "<uuid>")
	return strings.Join([]string{http.StatusText(r.status), r.code,
		http.StatusText(r.closeCode), body}, " | ")
}

func short(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

func TestAccessMatrix(t *testing.T) {
	f := newFixture(t)
	var stats matrixStats

	graphQL := graphQLRows()
	restRows := restRows()
	appRows := appRows(f)
	t.Run("every GraphQL field has a row", func(t *testing.T) {
		for _, gap := range fieldCoverageGaps(f.env.App.Schema.Schema(), graphQL) {
			t.Error(gap)
		}
	})
	t.Run("every REST route has a row", func(t *testing.T) {
		for _, gap := range routeCoverageGaps(rest.Routes(), restRows) {
			t.Error(gap)
		}
	})
	t.Run("every HTTP route has a row", func(t *testing.T) {
		for _, gap := range routeCoverageGaps(f.env.App.Routes(), appRows) {
			t.Error(gap)
		}
	})

	for _, rows := range [][]row{graphQL, restRows, appRows} {
		for _, r := range rows {
			t.Run(r.label(), func(t *testing.T) { f.run(t, r, &stats) })
		}
	}
	t.Logf("access matrix: %d rows, %d principals, %d cases, %d denials compared with a "+
		"missing target", stats.rows, len(f.principals), stats.cases, stats.compared)

	t.Run("no log line contains a secret", func(t *testing.T) {
		logs := f.logs.String()
		if len(logs) == 0 {
			t.Fatal("no log lines captured")
		}
		for _, name := range f.leaks(logs) {
			t.Errorf("the log contains the %s", name)
		}
	})
	t.Run("no LiveKit room metadata contains a secret", func(t *testing.T) {
		rooms := f.rooms(t)
		if len(rooms) < 2 {
			t.Fatalf("%d rooms, want the setup room and the matrix's voice triggers", len(rooms))
		}
		for _, room := range rooms {
			for _, name := range f.leaks(room.Metadata) {
				t.Errorf("room %s metadata contains the %s", room.Name, name)
			}
		}
	})
}

// fieldCoverageGaps lists the root fields of the executable schema without
// a row, and the rows whose field no longer exists.
func fieldCoverageGaps(schema *ast.Schema, rows []row) []string {
	fields := map[string]bool{}
	for _, root := range []string{"Query", "Mutation", "Subscription"} {
		if def := schema.Types[root]; def != nil {
			for _, fd := range def.Fields {
				if !strings.HasPrefix(fd.Name, "__") {
					fields[root+"."+fd.Name] = true
				}
			}
		}
	}
	var gaps []string
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.name] = true
		if !fields[r.name] {
			gaps = append(gaps, "row "+r.label()+" names no field of the schema")
		}
	}
	for _, name := range sortedKeys(fields) {
		if !covered[name] {
			gaps = append(gaps, "field "+name+" has no row in the access matrix")
		}
	}
	return gaps
}

// routeCoverageGaps lists the routes without a row, and the rows of no
// route.
func routeCoverageGaps(routes []string, rows []row) []string {
	var gaps []string
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.name] = true
		if !slices.Contains(routes, r.name) {
			gaps = append(gaps, "row "+r.label()+" names no route")
		}
	}
	for _, rt := range routes {
		if !covered[rt] {
			gaps = append(gaps, "route "+rt+" has no row in the access matrix")
		}
	}
	return gaps
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The coverage checks must fail for a field or route that a row misses,
// or the matrix could silently skip new API surface.
func TestMatrixCoverage_reportsMissingRows(t *testing.T) {
	schema := graph.NewSchema(&graph.Resolver{}).Schema()
	rows := graphQLRows()
	if gaps := fieldCoverageGaps(schema, rows); len(gaps) != 0 {
		t.Fatalf("the full row set has gaps: %v", gaps)
	}
	var withoutClient []row
	for _, r := range rows {
		if r.name != "Query.client" {
			withoutClient = append(withoutClient, r)
		}
	}
	gaps := fieldCoverageGaps(schema, withoutClient)
	if !slices.Contains(gaps, "field Query.client has no row in the access matrix") {
		t.Errorf("removing the Query.client row reported %v", gaps)
	}
	stale := append(slices.Clone(rows), row{name: "Query.removedField"})
	if gaps := fieldCoverageGaps(schema, stale); len(gaps) != 1 {
		t.Errorf("a row of a removed field reported %v, want one gap", gaps)
	}

	routes := append(rest.Routes(), "GET /api/v3/new-route")
	gaps = routeCoverageGaps(routes, restRows())
	if len(gaps) != 1 || !strings.Contains(gaps[0], "GET /api/v3/new-route") {
		t.Errorf("a route without a row reported %v", gaps)
	}
}
