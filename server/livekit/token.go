package livekit

import (
	"time"

	"github.com/livekit/protocol/auth"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// DefaultTokenTTL is the lifetime of a user token when TokenParams.TTL is
// zero. livekit-server (v1.13.5) checks the expiry when a participant
// connects and sends connected participants refreshed tokens, so a short
// lifetime does not end a call in progress.
const DefaultTokenTTL = 15 * time.Minute

// TokenParams describe the participant that a user token admits.
type TokenParams struct {
	Room     string
	Identity string
	Name     string
	Metadata string
	// TTL is the token lifetime; zero means DefaultTokenTTL.
	TTL time.Duration
}

// UserToken returns a signed access token that lets one participant join
// p.Room and nothing else: no room admin, create, list or record rights. The
// publish, subscribe and data grants are set to true explicitly, because
// LiveKit treats an unset grant as a default that may change.
func UserToken(set Settings, p TokenParams) (string, error) {
	if err := set.Check(); err != nil {
		return "", err
	}
	if p.Room == "" {
		return "", apperr.Invalid("room", "must not be empty")
	}
	if p.Identity == "" {
		return "", apperr.Invalid("identity", "must not be empty")
	}
	if p.TTL < 0 {
		return "", apperr.Invalid("ttl", "must not be negative")
	}
	ttl := p.TTL
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}

	allow := true
	grant := &auth.VideoGrant{
		RoomJoin:       true,
		Room:           p.Room,
		CanPublish:     &allow,
		CanSubscribe:   &allow,
		CanPublishData: &allow,
	}
	token, err := auth.NewAccessToken(set.APIKey, set.APISecret).
		SetIdentity(p.Identity).
		SetName(p.Name).
		SetMetadata(p.Metadata).
		SetValidFor(ttl).
		SetVideoGrant(grant).
		ToJWT()
	if err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "sign LiveKit user token")
	}
	return token, nil
}
