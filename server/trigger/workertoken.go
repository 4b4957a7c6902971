package trigger

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// WorkerClaims bind a worker token to one dispatch: the client, the agent,
// the room and the conversation.
type WorkerClaims struct {
	ClientID       string `json:"cid"`
	AgentSlug      string `json:"agt"`
	RoomName       string `json:"room"`
	ConversationID string `json:"conv"`
	jwt.RegisteredClaims
}

// workerAudience keeps worker tokens from being accepted anywhere else.
const workerAudience = "sidekick-forge/worker-config"

// WorkerTokens mints and verifies worker tokens (HS256 JWTs).
type WorkerTokens struct {
	key []byte
	ttl time.Duration
}

// NewWorkerTokens returns a token issuer with signing key and lifetime ttl.
func NewWorkerTokens(key []byte, ttl time.Duration) *WorkerTokens {
	return &WorkerTokens{key: key, ttl: ttl}
}

// Mint returns a token for one dispatch.
func (w *WorkerTokens) Mint(clientID uuid.UUID, agentSlug, room, conversationID string) (string, error) {
	now := time.Now()
	claims := WorkerClaims{
		ClientID: clientID.String(), AgentSlug: agentSlug, RoomName: room,
		ConversationID: conversationID,
		RegisteredClaims: jwt.RegisteredClaims{
			ID: uuid.NewString(), Audience: jwt.ClaimStrings{workerAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(w.ttl)),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(w.key)
	if err != nil {
		return "", fmt.Errorf("sign worker token: %w", err)
	}
	return signed, nil
}

// ErrInvalidWorkerToken reports a worker token that is forged, expired or
// malformed.
var ErrInvalidWorkerToken = errors.New("invalid or expired worker token")

// Verify checks a token's signature, algorithm, audience and expiry.
func (w *WorkerTokens) Verify(raw string) (*WorkerClaims, error) {
	claims := new(WorkerClaims)
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return w.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(workerAudience), jwt.WithExpirationRequired())
	if err != nil {
		return nil, ErrInvalidWorkerToken
	}
	if _, err := uuid.Parse(claims.ClientID); err != nil || claims.AgentSlug == "" {
		return nil, ErrInvalidWorkerToken
	}
	return claims, nil
}
