package rest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// sseEvent is one decoded "data:" line of the stream route.
type sseEvent map[string]any

// openStream posts a stream request and returns the response, open.
func openStream(t *testing.T, p *platform, key string, body map[string]any) *http.Response {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, p.env.URL+"/api/v2/trigger-agent/stream",
		bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// nextEvent reads up to the next "data:" line and decodes it.
func nextEvent(t *testing.T, r *bufio.Reader) sseEvent {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		payload, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "data: ")
		if !ok {
			continue
		}
		var ev sseEvent
		if err := json.Unmarshal([]byte(payload), &ev); err != nil {
			t.Fatalf("event %q is not JSON: %v", payload, err)
		}
		return ev
	}
}

func TestStream_sendsDeltasThenDone(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	id := env.CreateClient(t, "Streamer")
	env.CreateAgent(t, id, "talker", map[string]any{"voiceSettings": llmSettings})
	env.SetProviderKey(t, id, "openai", openAIKey)

	resp := openStream(t, p, env.PlatformKey, map[string]any{"agent_slug": "talker",
		"user_id": "u", "message": "tell me more", "conversation_id": "stream-1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", ct)
	}

	r := bufio.NewReader(resp.Body)
	var text strings.Builder
	deltas := 0
	for {
		ev := nextEvent(t, r)
		if d, ok := ev["delta"].(string); ok {
			text.WriteString(d)
			deltas++
			continue
		}
		if ev["done"] != true {
			t.Fatalf("event %v is neither a delta nor done", ev)
		}
		if ev["conversation_id"] != "stream-1" {
			t.Errorf("done conversation_id = %v, want stream-1", ev["conversation_id"])
		}
		if ev["full_text"] != "echo: tell me more" {
			t.Errorf("full_text = %v, want the echo reply", ev["full_text"])
		}
		break
	}
	if deltas < 2 {
		t.Errorf("got %d deltas, want one per word", deltas)
	}
	if text.String() != "echo: tell me more" {
		t.Errorf("deltas join to %q, want the full text", text.String())
	}
}

func TestStream_flushesAndStopsOnDisconnect(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	id := env.CreateClient(t, "Hanging Streamer")
	env.CreateAgent(t, id, "slowpoke", map[string]any{"voiceSettings": llmSettings})
	env.SetProviderKey(t, id, "openai", openAIKey)
	p.llm.Hang(1)

	resp := openStream(t, p, env.PlatformKey, map[string]any{"agent_slug": "slowpoke",
		"user_id": "u", "message": "one two three"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	// The provider sent one delta and hangs: the delta can only arrive if
	// the server flushed it.
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(resp.Body).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != `data: {"delta":"echo: "}`+"\n" {
			t.Errorf("first line = %q, want the first delta", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first delta not received: the event was not flushed")
	}

	resp.Body.Close()
	if !p.llm.WaitCancelled(1, 10*time.Second) {
		t.Error("the provider call went on after the client disconnected")
	}
}

func TestStream_errorAfterStartIsAnEvent(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	id := env.CreateClient(t, "Broken Streamer")
	env.CreateAgent(t, id, "cutoff", map[string]any{"voiceSettings": llmSettings})
	env.SetProviderKey(t, id, "openai", openAIKey)
	p.llm.TruncateStreams(1)

	resp := openStream(t, p, env.PlatformKey, map[string]any{"agent_slug": "cutoff",
		"user_id": "u", "message": "one two three"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	r := bufio.NewReader(resp.Body)
	if ev := nextEvent(t, r); ev["delta"] == nil {
		t.Fatalf("first event = %v, want a delta", ev)
	}
	ev := nextEvent(t, r)
	if ev["code"] != "UPSTREAM_FAILED" {
		t.Errorf("last event = %v, want an error with code UPSTREAM_FAILED", ev)
	}
	if msg, _ := ev["error"].(string); msg == "" {
		t.Errorf("error event %v has no message", ev)
	}
}

func TestStream_errorBeforeStartIsJSON(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	id := env.CreateClient(t, "Refused Streamer")
	env.CreateAgent(t, id, "refused", map[string]any{"voiceSettings": llmSettings})
	env.SetProviderKey(t, id, "openai", openAIKey)
	p.llm.Fail(llmtest.Failure{Status: http.StatusTooManyRequests})

	resp := openStream(t, p, env.PlatformKey, map[string]any{"agent_slug": "refused",
		"user_id": "u", "message": "hello"})
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["code"] != "UPSTREAM_FAILED" {
		t.Errorf("code = %v, want UPSTREAM_FAILED", body["code"])
	}
}
