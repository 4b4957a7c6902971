package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// Secrets that the platform holds and no response may contain.
const (
	openAIKey      = "sk-test-openai-0123456789abcdefWXYZ"
	groqKey        = "gsk-test-groq-0123456789abcdef9876"
	clientLKSecret = "client-livekit-secret-0123456789abcdef"
	dsnPassword    = "Tenant-DSN-Pa55word"
)

// platform is a running platform with a LiveKit server and an LLM double.
type platform struct {
	env     *apptest.Env
	llm     *llmtest.Server
	livekit livekit.Settings
}

func startPlatform(t *testing.T, configure func(*app.Config)) *platform {
	t.Helper()
	p := &platform{llm: llmtest.NewServer(t), livekit: livekittest.Start(t)}
	p.env = apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LiveKitURL = p.livekit.URL
		cfg.LiveKitAPIKey = p.livekit.APIKey
		cfg.LiveKitAPISecret = p.livekit.APISecret
		cfg.LiveKitAgentName = p.livekit.AgentName
		cfg.LLMBaseURLs["openai"] = p.llm.OpenAIBaseURL()
		if configure != nil {
			configure(cfg)
		}
	}})
	return p
}

// llmSettings make an agent reply to text messages through the OpenAI double.
var llmSettings = map[string]any{"llm_provider": "openai", "llm_model": "gpt-test"}

// reply is one REST response.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode response (HTTP %d) %s: %v", r.Status, r.Body, err)
	}
	return m
}

// call sends a REST request with key ("" for none) and a JSON body (nil for
// none; a string is sent as it is).
func (p *platform) call(t *testing.T, method, path, key string, body any) *reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	resp := p.env.Do(t, method, path, key, rd)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	return &reply{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// fixtureFile is a file of testdata: cases run in order against one
// platform, sharing its placeholders.
type fixtureFile struct {
	Cases []fixtureCase `json:"cases"`
}

// fixtureCase is one request and the response the contract expects.
// Strings may hold {{name}} placeholders for ids known only at run time.
type fixtureCase struct {
	Name   string          `json:"name"`
	Key    string          `json:"key"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
	// RawBody is sent as it is, for malformed JSON.
	RawBody *string         `json:"raw_body"`
	Status  int             `json:"status"`
	Expect  json.RawMessage `json:"response"`
	// Ignore names volatile fields (ids, timestamps, tokens): they must be
	// present, with any value, wherever they occur.
	Ignore []string `json:"ignore"`
	// Capture stores response fields under placeholder names for later
	// cases: {"placeholder": "field"}.
	Capture map[string]string `json:"capture"`
}

// fixtureRun runs fixture files and keeps every response body, for the
// checks that span all routes.
type fixtureRun struct {
	p      *platform
	keys   map[string]string
	vars   map[string]string
	bodies [][]byte
	// requests lists "METHOD path" of every request sent.
	requests []string
}

var placeholder = regexp.MustCompile(`\{\{([a-z0-9_]+)\}\}`)

func (f *fixtureRun) expand(t *testing.T, s string) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		v, ok := f.vars[name]
		if !ok {
			t.Fatalf("fixture uses unknown placeholder %s", m)
		}
		return v
	})
}

func (f *fixtureRun) runFile(t *testing.T, name string) {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var file fixtureFile
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	for _, c := range file.Cases {
		// Cases depend on earlier ones, so a failure stops the file.
		if !t.Run(c.Name, func(t *testing.T) { f.runCase(t, c) }) {
			return
		}
	}
}

func (f *fixtureRun) runCase(t *testing.T, c fixtureCase) {
	key, ok := f.keys[c.Key]
	if !ok {
		t.Fatalf("fixture names unknown key %q", c.Key)
	}
	var body any
	if c.RawBody != nil {
		body = f.expand(t, *c.RawBody)
	} else if len(c.Body) > 0 {
		body = f.expand(t, string(c.Body))
	}
	path := f.expand(t, c.Path)
	got := f.p.call(t, c.Method, path, key, body)
	f.bodies = append(f.bodies, got.Body)
	f.requests = append(f.requests, c.Method+" "+path)

	if got.Status != c.Status {
		t.Errorf("status = %d, want %d; body %s", got.Status, c.Status, got.Body)
	}
	var actual any
	if err := json.Unmarshal(got.Body, &actual); err != nil {
		t.Fatalf("response is not JSON: %s", got.Body)
	}
	var want any
	if err := json.Unmarshal([]byte(f.expand(t, string(c.Expect))), &want); err != nil {
		t.Fatalf("fixture response is not JSON: %v", err)
	}
	for _, diff := range compareJSON("$", want, actual, c.Ignore) {
		t.Error(diff)
	}
	for name, fieldName := range c.Capture {
		m, _ := actual.(map[string]any)
		v, ok := m[fieldName].(string)
		if !ok {
			t.Fatalf("capture %s: response has no string field %q", name, fieldName)
		}
		f.vars[name] = v
	}
}

// compareJSON lists the differences between want and got, field by field.
// Objects must have the same keys; a key named in ignore only has to exist.
func compareJSON(path string, want, got any, ignore []string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s = %s, want an object", path, short(got))}
		}
		var diffs []string
		for _, k := range sortedKeys(w) {
			gv, present := g[k]
			if !present {
				diffs = append(diffs, fmt.Sprintf("%s.%s is missing", path, k))
				continue
			}
			if slices.Contains(ignore, k) {
				continue
			}
			diffs = append(diffs, compareJSON(path+"."+k, w[k], gv, ignore)...)
		}
		for _, k := range sortedKeys(g) {
			if _, expected := w[k]; !expected {
				diffs = append(diffs, fmt.Sprintf("%s.%s = %s is not in the contract", path, k,
					short(g[k])))
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s = %s, want an array", path, short(got))}
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s has %d items, want %d: %s", path, len(g), len(w),
				short(got))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], ignore)...)
		}
		return diffs
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s = %s, want %s", path, short(got), short(want))}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// newClientID returns the id of a client that does not exist.
func newClientID() string { return uuid.NewString() }
