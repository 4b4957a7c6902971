package trigger_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

func voiceInput(slug, room, user string) map[string]any {
	return map[string]any{"agentSlug": slug, "mode": "VOICE", "userId": user, "roomName": room}
}

func roomService(set livekit.Settings) *lksdk.RoomServiceClient {
	return lksdk.NewRoomServiceClient(set.ServerURL(), set.APIKey, set.APISecret)
}

func listRoom(t *testing.T, set livekit.Settings, name string) *lkproto.Room {
	t.Helper()
	res, err := roomService(set).ListRooms(testContext(t),
		&lkproto.ListRoomsRequest{Names: []string{name}})
	if err != nil {
		t.Fatalf("ListRooms(%s): %v", name, err)
	}
	for _, r := range res.Rooms {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("room %s does not exist on the LiveKit server", name)
	return nil
}

func participants(t *testing.T, set livekit.Settings, room string) []*lkproto.ParticipantInfo {
	t.Helper()
	res, err := roomService(set).ListParticipants(testContext(t),
		&lkproto.ListParticipantsRequest{Room: room})
	if err != nil {
		t.Fatalf("ListParticipants(%s): %v", room, err)
	}
	return res.Participants
}

func agentCount(t *testing.T, set livekit.Settings, room string) int {
	t.Helper()
	n := 0
	for _, p := range participants(t, set, room) {
		if p.Kind == lkproto.ParticipantInfo_AGENT && p.State != lkproto.ParticipantInfo_DISCONNECTED {
			n++
		}
	}
	return n
}

// waitFor polls cond every 25 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(25 * time.Millisecond)
	}
	return cond()
}

func TestTrigger_voiceJoinsRoom(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Voice Co", "voice-bot", nil)

	res := p.mustTrigger(t, voiceInput("voice-bot", "voice-room-1", "u-42"))

	if res.Mode != "VOICE" {
		t.Errorf("mode = %q, want VOICE", res.Mode)
	}
	if res.Agent.ClientID != client {
		t.Errorf("agent.clientId = %s, want %s", res.Agent.ClientID, client)
	}
	if res.Voice == nil {
		t.Fatalf("voice is null: %s", jsonString(res))
	}
	v := res.Voice
	if !strings.HasPrefix(v.ServerURL, "ws://") {
		t.Errorf("serverUrl = %q, want a ws:// URL", v.ServerURL)
	}
	if v.ServerURL != p.lk.ServerURL() {
		t.Errorf("serverUrl = %q, want the platform's LiveKit %q", v.ServerURL, p.lk.ServerURL())
	}
	if v.RoomStatus != "created" {
		t.Errorf("roomStatus = %q, want created", v.RoomStatus)
	}
	if v.Platform != "livekit" {
		t.Errorf("platform = %q, want the default livekit", v.Platform)
	}
	if _, err := uuid.Parse(res.ConversationID); err != nil {
		t.Errorf("generated conversationId %q is not a UUID: %v", res.ConversationID, err)
	}
	listRoom(t, p.lk, "voice-room-1")

	room := livekittest.JoinAsUser(t, v.ServerURL, v.UserToken)
	if got := room.LocalParticipant.Identity(); got != "user_u-42" {
		t.Errorf("joined as identity %q, want user_u-42", got)
	}
	if got := room.Name(); got != "voice-room-1" {
		t.Errorf("joined room %q, want voice-room-1", got)
	}
	joined := waitFor(5*time.Second, func() bool {
		for _, part := range participants(t, p.lk, "voice-room-1") {
			if part.Identity == "user_u-42" {
				return true
			}
		}
		return false
	})
	if !joined {
		t.Error("the LiveKit server does not list user_u-42 in voice-room-1")
	}
}

func TestTrigger_voiceUserTokenGrants(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	p.newClient(t, "Grant Co", "grant-bot", nil)

	res := p.mustTrigger(t, voiceInput("grant-bot", "grant-room", "alice"))
	issued := time.Now()

	verifier, err := auth.ParseAPIToken(res.Voice.UserToken)
	if err != nil {
		t.Fatalf("parse user token: %v", err)
	}
	if verifier.APIKey() != p.lk.APIKey {
		t.Errorf("token signed with API key %q, want %q", verifier.APIKey(), p.lk.APIKey)
	}
	claims, grants, err := verifier.Verify(p.lk.APISecret)
	if err != nil {
		t.Fatalf("verify user token with the LiveKit secret: %v", err)
	}

	if grants.Identity != "user_alice" {
		t.Errorf("identity = %q, want user_alice", grants.Identity)
	}
	ttl := claims.ExpiresAt.Sub(issued)
	if ttl < 14*time.Minute || ttl > 15*time.Minute+5*time.Second {
		t.Errorf("token lifetime = %v, want about 15m", ttl)
	}
	g := grants.Video
	if g == nil {
		t.Fatal("token has no video grant")
	}
	if !g.RoomJoin {
		t.Error("roomJoin grant is false")
	}
	if g.Room != "grant-room" {
		t.Errorf("room grant = %q, want grant-room", g.Room)
	}
	for name, grant := range map[string]*bool{"canPublish": g.CanPublish,
		"canSubscribe": g.CanSubscribe, "canPublishData": g.CanPublishData} {
		if grant == nil || !*grant {
			t.Errorf("%s is not explicitly true", name)
		}
	}
	for name, granted := range map[string]bool{"roomCreate": g.RoomCreate, "roomList": g.RoomList,
		"roomAdmin": g.RoomAdmin, "roomRecord": g.RoomRecord, "ingressAdmin": g.IngressAdmin,
		"agent": g.Agent, "hidden": g.Hidden} {
		if granted {
			t.Errorf("user token grants %s", name)
		}
	}
}

func TestTrigger_voiceConversationID(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Conv Co", "conv-bot", nil)

	tests := []struct {
		name, given string
	}{
		{name: "uuid", given: uuid.NewString()},
		{name: "non-uuid", given: "wp-session:42/ä"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := voiceInput("conv-bot", "conv-room-"+tt.name, "carol")
			in["conversationId"] = tt.given
			res := p.mustTrigger(t, in)
			if res.ConversationID != tt.given {
				t.Errorf("conversationId = %q, want the given %q", res.ConversationID, tt.given)
			}
			if n := p.countRows(t, client, "conversations", "id = ?", tt.given); n != 1 {
				t.Errorf("%d conversations stored with id %q, want 1", n, tt.given)
			}
		})
	}
	t.Run("generated", func(t *testing.T) {
		first := p.mustTrigger(t, voiceInput("conv-bot", "conv-room-gen-1", "carol"))
		second := p.mustTrigger(t, voiceInput("conv-bot", "conv-room-gen-2", "carol"))
		if first.ConversationID == "" {
			t.Fatal("conversationId is empty")
		}
		if first.ConversationID == second.ConversationID {
			t.Errorf("two triggers without conversationId share %q", first.ConversationID)
		}
	})
}

func TestTrigger_roomMetadataHoldsNoSecret(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	prompt := "SECRET-PROMPT: never reveal the discount code"
	client := p.newClient(t, "Meta Co", "meta-bot", map[string]any{"systemPrompt": prompt})
	in := voiceInput("meta-bot", "meta-room", "dave")
	in["conversationId"] = "conv-meta"

	res := p.mustTrigger(t, in)

	meta := listRoom(t, p.lk, "meta-room").Metadata
	var fields map[string]any
	if err := json.Unmarshal([]byte(meta), &fields); err != nil {
		t.Fatalf("room metadata %q is not JSON: %v", meta, err)
	}
	want := map[string]any{"client_id": client.String(), "agent_slug": "meta-bot",
		"conversation_id": "conv-meta"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("metadata %s = %v, want %v", k, fields[k], v)
		}
	}
	for k := range fields {
		if _, ok := want[k]; !ok {
			t.Errorf("metadata has extra field %q: %s", k, meta)
		}
	}
	secrets := []string{prompt, testProviderKey, p.lk.APISecret}
	if s, leaked := containsAny(meta, secrets...); leaked {
		t.Errorf("room metadata contains secret %q", s)
	}
	if s, leaked := containsAny(jsonString(res), secrets...); leaked {
		t.Errorf("trigger response contains secret %q", s)
	}
}

func TestTrigger_secondTriggerSkipsDispatch(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	p.newClient(t, "Skip Co", "skip-bot", nil)
	worker := livekittest.StartWorker(t, p.lk, p.lk.AgentName, nil)

	first := p.mustTrigger(t, voiceInput("skip-bot", "skip-room", "erin"))
	if first.Voice.Dispatch.Status != "dispatched" {
		t.Fatalf("first dispatch status = %q, want dispatched", first.Voice.Dispatch.Status)
	}
	worker.WaitJoined(t, 1, 15*time.Second)

	second := p.mustTrigger(t, voiceInput("skip-bot", "skip-room", "frank"))
	d := second.Voice.Dispatch
	if d.Status != "skipped" {
		t.Errorf("second dispatch status = %q, want skipped", d.Status)
	}
	if d.Reason == nil || *d.Reason == "" {
		t.Error("skipped dispatch has no reason")
	}
	if second.Voice.RoomStatus != "existing" {
		t.Errorf("second roomStatus = %q, want existing", second.Voice.RoomStatus)
	}
	if second.Voice.Participants < 1 {
		t.Errorf("second participants = %d, want at least the agent", second.Voice.Participants)
	}

	// A second dispatch would bring a second agent within about a second.
	time.Sleep(2 * time.Second)
	if n := agentCount(t, p.lk, "skip-room"); n != 1 {
		t.Errorf("room has %d agent participants, want 1", n)
	}
	if n := len(worker.Jobs()); n != 1 {
		t.Errorf("worker received %d jobs, want 1", n)
	}
}

func TestTrigger_videoModeReportedAsVideo(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Video Co", "video-bot", map[string]any{"videoChatEnabled": true})
	in := voiceInput("video-bot", "video-room", "gina")
	in["mode"] = "VIDEO"
	in["conversationId"] = "conv-video"

	res := p.mustTrigger(t, in)

	if res.Mode != "VIDEO" {
		t.Errorf("mode = %q, want VIDEO", res.Mode)
	}
	if res.Voice == nil || res.Voice.RoomName != "video-room" {
		t.Fatalf("voice session = %s, want room video-room", jsonString(res.Voice))
	}
	if n := p.countRows(t, client, "conversations", "id = ? AND mode = 'video'", "conv-video"); n != 1 {
		t.Errorf("conversation stored with mode video: %d rows, want 1", n)
	}
}

func TestTrigger_disabledModes(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Off Co", "off-agent", map[string]any{"enabled": false})
	p.env.CreateAgent(t, client, "no-voice", map[string]any{"voiceSettings": textAgent(),
		"voiceChatEnabled": false})
	p.env.CreateAgent(t, client, "no-video", map[string]any{"voiceSettings": textAgent()})
	p.env.CreateAgent(t, client, "no-text", map[string]any{"voiceSettings": textAgent(),
		"textChatEnabled": false})

	tests := []struct {
		name, slug, mode, field, mention string
	}{
		{name: "disabled agent", slug: "off-agent", mode: "VOICE", field: "agent_slug",
			mention: "disabled"},
		{name: "voice off", slug: "no-voice", mode: "VOICE", field: "mode", mention: "voice"},
		{name: "video off by default", slug: "no-video", mode: "VIDEO", field: "mode",
			mention: "video"},
		{name: "text off", slug: "no-text", mode: "TEXT", field: "mode", mention: "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"agentSlug": tt.slug, "mode": tt.mode, "userId": "hal",
				"roomName": "off-room", "message": "hello"}
			e := expectError(t, p.trigger(t, p.env.PlatformKey, in), "INVALID_INPUT", tt.field)
			if !strings.Contains(e.Message, tt.mention) {
				t.Errorf("message %q does not mention %q", e.Message, tt.mention)
			}
		})
	}
	if n := p.countRows(t, client, "conversations", ""); n != 0 {
		t.Errorf("rejected triggers stored %d conversations", n)
	}
}

func TestTrigger_voiceWithoutLiveKit(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	p.newClient(t, "Bare Co", "bare-bot", nil)

	res := p.trigger(t, p.env.PlatformKey, voiceInput("bare-bot", "bare-room", "ivan"))

	e := expectError(t, res, "NOT_CONFIGURED", "")
	for _, env := range []string{"SIDEKICK_LIVEKIT_URL", "SIDEKICK_LIVEKIT_API_KEY",
		"SIDEKICK_LIVEKIT_API_SECRET", "setLiveKitConfig"} {
		if !strings.Contains(e.Message, env) {
			t.Errorf("message %q does not name %s", e.Message, env)
		}
	}
}

func TestTrigger_clientLiveKitTakesPrecedence(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Own Co", "own-bot", nil)
	own := livekittest.Start(t)
	res := p.env.GraphQL(t, p.env.PlatformKey, `mutation($c: UUID!, $in: LiveKitConfigInput!) {
		setLiveKitConfig(clientId: $c, input: $in) { id livekit { configured } } }`,
		map[string]any{"c": client, "in": map[string]any{"url": own.URL, "apiKey": own.APIKey,
			"apiSecret": own.APISecret, "agentName": "own-agent"}})
	var set struct {
		SetLiveKitConfig struct{ Livekit struct{ Configured bool } }
	}
	res.Decode(t, &set)
	if !set.SetLiveKitConfig.Livekit.Configured {
		t.Fatal("setLiveKitConfig did not mark the client's LiveKit as configured")
	}
	worker := livekittest.StartWorker(t, own, "own-agent", nil)

	out := p.mustTrigger(t, voiceInput("own-bot", "own-lk-room", "judy"))

	if out.Voice.ServerURL != own.ServerURL() {
		t.Errorf("serverUrl = %q, want the client's own %q", out.Voice.ServerURL, own.ServerURL())
	}
	listRoom(t, own, "own-lk-room")
	platformRooms, err := roomService(p.lk).ListRooms(testContext(t),
		&lkproto.ListRoomsRequest{Names: []string{"own-lk-room"}})
	if err != nil {
		t.Fatalf("ListRooms on the platform LiveKit: %v", err)
	}
	if len(platformRooms.Rooms) != 0 {
		t.Error("the room was created on the platform's LiveKit, not the client's")
	}
	if _, _, err := mustVerify(out.Voice.UserToken, own.APISecret); err != nil {
		t.Errorf("user token does not verify with the client's LiveKit secret: %v", err)
	}
	worker.WaitJoined(t, 1, 15*time.Second)
}

func mustVerify(token, secret string) (any, *auth.ClaimGrants, error) {
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		return nil, nil, err
	}
	return v.Verify(secret)
}

func TestTrigger_voiceLiveKitUnreachable(t *testing.T) {
	p := startPlatform(t, platformSetup{configure: func(cfg *app.Config) {
		// Nothing listens on port 1 of the loopback address.
		cfg.LiveKitURL = "ws://127.0.0.1:1"
		cfg.LiveKitAPIKey = "APIunreachable"
		cfg.LiveKitAPISecret = "unreachable-secret-0123456789abcdef"
	}})
	p.newClient(t, "Down Co", "down-bot", nil)

	res := p.trigger(t, p.env.PlatformKey, voiceInput("down-bot", "down-room", "yara"))

	e := expectError(t, res, "UPSTREAM_FAILED", "")
	if !strings.Contains(e.Message, "LiveKit") {
		t.Errorf("message %q does not name LiveKit", e.Message)
	}
	if s, leaked := containsAny(res.Raw, "unreachable-secret", "127.0.0.1:1"); leaked {
		t.Errorf("error response contains %q", s)
	}
}
