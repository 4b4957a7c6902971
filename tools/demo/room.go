package main

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// Participant is one participant as the demo's user sees the room.
type Participant struct {
	Identity string
	Name     string
	// Kind is "standard" for people and "agent" for agent workers.
	Kind string
	// Local is true for the demo's own user.
	Local bool
}

// joinAsUser connects to the room that token grants over WebRTC, the way a
// browser on the WordPress site would with the LiveKit client SDK.
//
// NOTE: server-sdk-go v2.19.0 builds pion's SettingEngine itself, with no
// interface filter and with mDNS on, so the client opens UDP sockets on
// every interface and on port 5353. Media still flows over loopback only,
// because the server offers only 127.0.0.1 candidates.
func joinAsUser(serverURL, token string, log protologger.Logger) (*lksdk.Room, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("parse server_url: %w", err)
	}
	if err := requireLoopback("server_url host", u.Host); err != nil {
		return nil, err
	}
	room, err := lksdk.ConnectToRoomWithToken(serverURL, token, &lksdk.RoomCallback{},
		lksdk.WithAutoSubscribe(false), lksdk.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("join room as user: %w", err)
	}
	return room, nil
}

// waitForAgent polls the user's view of the room until the participant
// agentIdentity is in it, then returns every participant, the user first.
func waitForAgent(ctx context.Context, room *lksdk.Room, agentIdentity string) ([]Participant,
	error) {
	for {
		if room.GetParticipantByIdentity(agentIdentity) != nil {
			return participants(room), nil
		}
		select {
		case <-ctx.Done():
			return participants(room), fmt.Errorf("agent %s not in the user's view of the room: %w",
				agentIdentity, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func participants(room *lksdk.Room) []Participant {
	local := room.LocalParticipant
	out := []Participant{{Identity: local.Identity(), Name: local.Name(),
		Kind: kindName(local.Kind()), Local: true}}
	remote := room.GetRemoteParticipants()
	sort.Slice(remote, func(i, j int) bool { return remote[i].Identity() < remote[j].Identity() })
	for _, p := range remote {
		out = append(out, Participant{Identity: p.Identity(), Name: p.Name(),
			Kind: kindName(p.Kind())})
	}
	return out
}

func kindName(k lksdk.ParticipantKind) string {
	switch k {
	case lksdk.ParticipantStandard:
		return "standard"
	case lksdk.ParticipantAgent:
		return "agent"
	case lksdk.ParticipantSIP:
		return "sip"
	case lksdk.ParticipantIngress:
		return "ingress"
	case lksdk.ParticipantEgress:
		return "egress"
	}
	return fmt.Sprintf("kind %d", int(k))
}
