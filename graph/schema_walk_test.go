package graph_test

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// knownTenantTypes hold tenant data and must stay marked @tenantData: the
// schema walk trusts the marks, so an unmarked type would hide a missing
// @tenant.
var knownTenantTypes = []string{
	"Agent", "AgentWebhooks", "AgentConnection", "AgentEdge",
	"AgentInput", "AgentPatch", "AgentWebhooksInput",
	"Conversation", "ConversationConnection", "ConversationEdge",
	"Message", "MessageConnection", "MessageEdge",
	"TriggerAgentInput", "TriggerResult", "TriggerAgentInfo", "VoiceSession", "DispatchInfo",
	"TextReply", "TriggerStreamEvent",
}

// schemaSources reads graph/schema/*.graphqls, keyed by file name.
func schemaSources(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("schema", "*.graphqls"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("find schema files: %v (found %d)", err, len(paths))
	}
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

func parseSchema(t *testing.T, sources map[string]string) *ast.Schema {
	t.Helper()
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	var list []*ast.Source
	for _, name := range names {
		list = append(list, &ast.Source{Name: name, Input: sources[name]})
	}
	schema, err := gqlparser.LoadSchema(list...)
	if err != nil {
		t.Fatalf("load schema: %v", err)
	}
	return schema
}

// edit replaces the one occurrence of old in file, failing when old does
// not occur exactly once, so a stale edit cannot make a test pass.
func edit(t *testing.T, sources map[string]string, file, old, replacement string) {
	t.Helper()
	if n := strings.Count(sources[file], old); n != 1 {
		t.Fatalf("%s contains %q %d times, want once", file, old, n)
	}
	sources[file] = strings.Replace(sources[file], old, replacement, 1)
}

func hasDirective(list ast.DirectiveList, name string) bool { return list.ForName(name) != nil }

func builtIn(def *ast.Definition) bool { return def.BuiltIn || strings.HasPrefix(def.Name, "__") }

// tenantReach computes, by fixpoint, the output and input types that hold
// tenant data or lead to it through fields without @tenant. The value is
// how the type got there, for messages.
func tenantReach(s *ast.Schema) (outputs, inputs map[string]string) {
	outputs, inputs = map[string]string{}, map[string]string{}
	for name, def := range s.Types {
		if !hasDirective(def.Directives, "tenantData") {
			continue
		}
		if def.Kind == ast.InputObject {
			inputs[name] = "is @tenantData"
		} else {
			outputs[name] = "is @tenantData"
		}
	}
	for changed := true; changed; {
		changed = false
		for name, def := range s.Types {
			if builtIn(def) {
				continue
			}
			switch def.Kind {
			case ast.Object, ast.Interface:
				if _, done := outputs[name]; done {
					continue
				}
				for _, f := range def.Fields {
					if _, hit := outputs[f.Type.Name()]; hit && !hasDirective(f.Directives, "tenant") {
						outputs[name] = "reaches tenant data through " + name + "." + f.Name
						changed = true
						break
					}
				}
				if def.Kind == ast.Interface && outputs[name] == "" {
					for _, impl := range s.GetPossibleTypes(def) {
						if _, hit := outputs[impl.Name]; hit {
							outputs[name] = "may be " + impl.Name
							changed = true
							break
						}
					}
				}
			case ast.Union:
				if _, done := outputs[name]; done {
					continue
				}
				for _, member := range def.Types {
					if _, hit := outputs[member]; hit {
						outputs[name] = "may be " + member
						changed = true
						break
					}
				}
			case ast.InputObject:
				if _, done := inputs[name]; done {
					continue
				}
				for _, f := range def.Fields {
					if _, hit := inputs[f.Type.Name()]; hit {
						inputs[name] = "contains " + name + "." + f.Name
						changed = true
						break
					}
				}
			}
		}
	}
	return outputs, inputs
}

// untenantedFields returns every field that reads or writes tenant data
// without @tenant, as "Type.field: reason", sorted. Fields of tenant types
// themselves are exempt: they are reached only through a @tenant field.
func untenantedFields(s *ast.Schema) []string {
	outputs, inputs := tenantReach(s)
	var out []string
	for name, def := range s.Types {
		if builtIn(def) || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		if hasDirective(def.Directives, "tenantData") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || hasDirective(f.Directives, "tenant") {
				continue
			}
			field := name + "." + f.Name
			if reason, hit := outputs[f.Type.Name()]; hit {
				out = append(out, field+": returns "+f.Type.Name()+", which "+reason)
			}
			for _, arg := range f.Arguments {
				if reason, hit := inputs[arg.Type.Name()]; hit {
					out = append(out, field+": argument "+arg.Name+" is "+arg.Type.Name()+
						", which "+reason)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// unmarkedTenantTypes returns the known tenant types that are missing or
// lack @tenantData.
func unmarkedTenantTypes(s *ast.Schema) []string {
	var out []string
	for _, name := range knownTenantTypes {
		def := s.Types[name]
		if def == nil || !hasDirective(def.Directives, "tenantData") {
			out = append(out, name)
		}
	}
	return out
}

// fieldsOf returns the "Type.field" part of untenantedFields entries.
func fieldsOf(entries []string) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		field, _, _ := strings.Cut(e, ":")
		out = append(out, field)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSchema_everyTenantFieldHasDirective(t *testing.T) {
	t.Parallel()
	schema := parseSchema(t, schemaSources(t))
	for _, v := range untenantedFields(schema) {
		t.Errorf("missing @tenant: %s", v)
	}

	// The walk must have something to check: the root fields that open a
	// tenant scope carry the directive.
	for _, field := range []string{"agents", "agent", "conversations", "messages"} {
		if f := schema.Query.Fields.ForName(field); f == nil || !hasDirective(f.Directives, "tenant") {
			t.Errorf("Query.%s is missing or lacks @tenant", field)
		}
	}
}

func TestSchema_knownTenantTypesAreMarked(t *testing.T) {
	t.Parallel()
	schema := parseSchema(t, schemaSources(t))
	for _, name := range unmarkedTenantTypes(schema) {
		t.Errorf("type %s holds tenant data but is missing or lacks @tenantData", name)
	}
}

func TestSchemaWalk_reportsRemovedDirective(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, old, replacement string
		want                         []string
	}{
		{
			name: "root query field", file: "agent.graphqls",
			old:         "after: String): AgentConnection! @tenant\n",
			replacement: "after: String): AgentConnection!\n",
			want:        []string{"Query.agents"},
		},
		{
			name: "nested field reached through a non-tenant type", file: "client.graphqls",
			old:         "agents(first: Int = 20, after: String): AgentConnection! @tenant",
			replacement: "agents(first: Int = 20, after: String): AgentConnection!",
			want: []string{"Client.agents", "Query.client", "Query.clients",
				"ClientEdge.node", "ClientConnection.edges", "Mutation.createClient"},
		},
		{
			name: "mutation with tenant input", file: "trigger.graphqls",
			old:         `TriggerResult! @tenant(autodetect: "input.agentSlug", scope: TRIGGER)`,
			replacement: "TriggerResult!",
			want:        []string{"Mutation.triggerAgent"},
		},
		{
			name: "subscription", file: "trigger.graphqls",
			old:         `TriggerStreamEvent! @tenant(autodetect: "input.agentSlug", scope: TRIGGER)`,
			replacement: "TriggerStreamEvent!",
			want:        []string{"Subscription.triggerAgentStream"},
		},
		{
			name: "argument of tenant input type only", file: "agent.graphqls",
			old: "extend type Mutation {\n",
			replacement: "extend type Mutation {\n" +
				"  importAgent(clientId: UUID!, input: AgentInput!): Boolean!\n",
			want: []string{"Mutation.importAgent"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sources := schemaSources(t)
			edit(t, sources, tc.file, tc.old, tc.replacement)
			got := untenantedFields(parseSchema(t, sources))
			fields := fieldsOf(got)
			for _, w := range tc.want {
				if !contains(fields, w) {
					t.Errorf("walk did not report %s, but reported %v", w, got)
				}
			}
		})
	}

	t.Run("message says how tenant data is reached", func(t *testing.T) {
		sources := schemaSources(t)
		edit(t, sources, "client.graphqls",
			"agents(first: Int = 20, after: String): AgentConnection! @tenant",
			"agents(first: Int = 20, after: String): AgentConnection!")
		got := untenantedFields(parseSchema(t, sources))
		want := "Query.client: returns Client, which reaches tenant data through Client.agents"
		if !contains(got, want) {
			t.Errorf("walk reported %v, want an entry %q", got, want)
		}
	})
}

func TestSchemaWalk_reportsUnmarkedTenantType(t *testing.T) {
	t.Parallel()
	sources := schemaSources(t)
	edit(t, sources, "conversation.graphqls", "type Conversation @tenantData {",
		"type Conversation {")
	got := unmarkedTenantTypes(parseSchema(t, sources))
	if len(got) != 1 || got[0] != "Conversation" {
		t.Errorf("unmarked tenant types = %v, want [Conversation]", got)
	}
}

// tenantOpeners are the only functions of package graph allowed to lease a
// tenant database: the @tenant directive, and the dashboard, which counts
// triggers over every client visible to the caller and checks each one itself.
var tenantOpeners = map[string]bool{
	"directive.go:tenantDirective":     true,
	"dashboard.go:countTenantTriggers": true,
}

// TestResolvers_openTenantsOnlyThroughDirective complements the schema walk,
// which checks only types. A resolver that leases a tenant database itself
// escapes @tenant even when its result type is not @tenantData.
func TestResolvers_openTenantsOnlyThroughDirective(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	fset := token.NewFileSet()
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*goast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			goast.Inspect(fn.Body, func(n goast.Node) bool {
				call, ok := n.(*goast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*goast.SelectorExpr)
				if !ok || sel.Sel.Name != "Acquire" {
					return true
				}
				if owner, ok := sel.X.(*goast.SelectorExpr); ok && owner.Sel.Name == "Tenants" {
					found[path+":"+fn.Name.Name] = true
				}
				return true
			})
		}
	}
	for opener := range found {
		if !tenantOpeners[opener] {
			t.Errorf("%s leases a tenant database outside the @tenant directive", opener)
		}
	}
	if !found["directive.go:tenantDirective"] {
		t.Error("the scan found no Tenants.Acquire in the @tenant directive, so it is broken")
	}
}
