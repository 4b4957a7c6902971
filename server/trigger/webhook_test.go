package trigger_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/livekit/protocol/auth"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

// storedEvent is one row of conversation_events.
type storedEvent struct {
	EventID, Event, RoomName, Participant string
}

func (p *platform) events(t *testing.T, client uuid.UUID, conversation string) []storedEvent {
	t.Helper()
	var out []storedEvent
	p.tenantDB(t, client, func(ctx context.Context, db bun.IDB) {
		err := db.NewSelect().Table("conversation_events").
			Column("event_id", "event", "room_name", "participant").
			Where("conversation_id = ?", conversation).Order("id").Scan(ctx, &out)
		if err != nil {
			t.Fatalf("list events of %s: %v", conversation, err)
		}
	})
	return out
}

// waitEvents waits until the conversation has every event kind in kinds.
func (p *platform) waitEvents(t *testing.T, client uuid.UUID, conversation string,
	kinds ...string) []storedEvent {
	t.Helper()
	var got []storedEvent
	ok := waitFor(10*time.Second, func() bool {
		got = p.events(t, client, conversation)
		have := map[string]bool{}
		for _, e := range got {
			have[e.Event] = true
		}
		for _, k := range kinds {
			if !have[k] {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("conversation %s has events %+v after 10s, want %v", conversation, got, kinds)
	}
	return got
}

// postWebhook sends body with header to url and returns the status.
func postWebhook(t *testing.T, url string, header http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

// signWebhook returns the Authorization value LiveKit would send for body,
// signed with key and secret.
func signWebhook(t *testing.T, key, secret string, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	token, err := auth.NewAccessToken(key, secret).SetSha256(
		base64.StdEncoding.EncodeToString(sum[:])).SetValidFor(5 * time.Minute).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// findWebhook returns the captured webhook of kind for room.
func (p *platform) findWebhook(t *testing.T, kind, room string) capturedRequest {
	t.Helper()
	var found capturedRequest
	ok := waitFor(10*time.Second, func() bool {
		for _, w := range p.capturedWebhooks() {
			var ev struct {
				Event string
				Room  struct{ Name string }
			}
			if json.Unmarshal(w.body, &ev) == nil && ev.Event == kind && ev.Room.Name == room {
				found = w
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("no %s webhook for room %s within 10s", kind, room)
	}
	return found
}

func TestWebhook_recordsRoomEvents(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true, webhook: true})
	client := p.newClient(t, "Hook Co", "hook-bot", nil)
	in := voiceInput("hook-bot", "hook-room", "liam")
	in["conversationId"] = "conv-hook"

	res := p.mustTrigger(t, in)
	livekittest.JoinAsUser(t, res.Voice.ServerURL, res.Voice.UserToken)

	got := p.waitEvents(t, client, "conv-hook", "room_started", "participant_joined")
	for _, e := range got {
		if e.RoomName != "hook-room" {
			t.Errorf("event %s recorded for room %q, want hook-room", e.Event, e.RoomName)
		}
		if e.EventID == "" {
			t.Errorf("event %s recorded without its id", e.Event)
		}
		if e.Event == "participant_joined" && e.Participant != "user_liam" {
			t.Errorf("participant_joined recorded participant %q, want user_liam", e.Participant)
		}
	}
}

func TestWebhook_rejectsForgedAndTampered(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true, webhook: true})
	client := p.newClient(t, "Forge Co", "forge-bot", nil)
	in := voiceInput("forge-bot", "forge-room", "mia")
	in["conversationId"] = "conv-forge"
	p.mustTrigger(t, in)
	real := p.findWebhook(t, "room_started", "forge-room")
	p.waitEvents(t, client, "conv-forge", "room_started")
	before := len(p.events(t, client, "conv-forge"))

	// A new event id makes sure a rejected request is not merely deduplicated.
	forgedBody := bytes.Replace(real.body, []byte(`"id":"`), []byte(`"id":"forged-`), 1)
	wrongSecret := real.header.Clone()
	wrongSecret.Set("Authorization", signWebhook(t, p.lk.APIKey, "not-the-secret-0123456789",
		forgedBody))
	unknownKey := real.header.Clone()
	unknownKey.Set("Authorization", signWebhook(t, "APIunknown", p.lk.APISecret, forgedBody))
	noAuth := real.header.Clone()
	noAuth.Del("Authorization")

	url := p.env.URL + "/webhooks/livekit"
	tests := []struct {
		name   string
		header http.Header
		body   []byte
	}{
		{name: "forged signature", header: wrongSecret, body: forgedBody},
		{name: "unknown API key", header: unknownKey, body: forgedBody},
		{name: "tampered body", header: real.header, body: forgedBody},
		{name: "no Authorization", header: noAuth, body: forgedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status := postWebhook(t, url, tt.header, tt.body); status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", status)
			}
		})
	}
	if n := len(p.events(t, client, "conv-forge")); n != before {
		t.Errorf("rejected webhooks changed the events from %d to %d", before, n)
	}
}

func TestWebhook_repeatedDeliveryStoredOnce(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true, webhook: true})
	client := p.newClient(t, "Replay Co", "replay-bot", nil)
	in := voiceInput("replay-bot", "replay-room", "noah")
	in["conversationId"] = "conv-replay"
	p.mustTrigger(t, in)
	real := p.findWebhook(t, "room_started", "replay-room")
	p.waitEvents(t, client, "conv-replay", "room_started")

	url := p.env.URL + "/webhooks/livekit"
	for i := range 3 {
		if status := postWebhook(t, url, real.header, real.body); status != http.StatusOK {
			t.Errorf("replay %d: status = %d, want 200", i+1, status)
		}
	}

	n := 0
	for _, e := range p.events(t, client, "conv-replay") {
		if e.Event == "room_started" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("room_started stored %d times, want once", n)
	}
}

func TestWebhook_clientKeyCannotWriteOtherTenant(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	victim := p.newClient(t, "Victim Co", "victim-bot", nil)
	attacker := p.newClient(t, "Attacker Co", "attacker-bot", nil)
	const attackerKey, attackerSecret = "APIattacker", "attacker-secret-0123456789abcdef"
	res := p.env.GraphQL(t, p.env.PlatformKey, `mutation($c: UUID!, $in: LiveKitConfigInput!) {
		setLiveKitConfig(clientId: $c, input: $in) { id } }`,
		map[string]any{"c": attacker, "in": map[string]any{"url": "ws://127.0.0.1:1",
			"apiKey": attackerKey, "apiSecret": attackerSecret}})
	var out map[string]any
	res.Decode(t, &out)

	meta, _ := json.Marshal(map[string]string{"client_id": victim.String(),
		"agent_slug": "victim-bot", "conversation_id": "conv-victim"})
	body, _ := json.Marshal(map[string]any{"event": "room_started", "id": "EV_attack",
		"createdAt": time.Now().Unix(),
		"room":      map[string]any{"name": "victim-room", "metadata": string(meta)}})
	header := http.Header{"Content-Type": {"application/webhook+json"}}
	header.Set("Authorization", signWebhook(t, attackerKey, attackerSecret, body))

	status := postWebhook(t, p.env.URL+"/webhooks/livekit", header, body)

	if status != http.StatusForbidden {
		t.Errorf("status = %d, want 403", status)
	}
	if n := p.countRows(t, victim, "conversation_events", ""); n != 0 {
		t.Errorf("another client's LiveKit key recorded %d events in the victim's database", n)
	}
}
