package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// EmbedTokenHeader carries an embed token.
const EmbedTokenHeader = "X-Embed-Token"

// embedAudience keeps embed tokens from being accepted as any other token
// signed with a key derived from the same secret.
const embedAudience = "sidekick-forge/embed"

// maxEmbedTokenLength rejects oversized tokens before parsing. A token with
// a 255-character user id is about 700 characters.
const maxEmbedTokenLength = 2048

// maxEndUserIDLength bounds the end-user id bound into a token.
const maxEndUserIDLength = 255

// anonymousPrefix starts the end-user id generated for an anonymous visitor.
const anonymousPrefix = "anon-"

// EmbedClaims bind an embed token to one client, one agent and one end user
// (the JWT subject). KeyID names the access key that minted the token: the
// token stops working when that key is revoked.
type EmbedClaims struct {
	ClientID  string `json:"cid"`
	AgentSlug string `json:"agt"`
	KeyID     string `json:"kid"`
	Anonymous bool   `json:"anon,omitempty"`
	jwt.RegisteredClaims
}

// EmbedTokens mints and verifies embed tokens (HS256 JWTs).
type EmbedTokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewEmbedTokens returns an issuer with signing key and token lifetime ttl.
func NewEmbedTokens(key []byte, ttl time.Duration) *EmbedTokens {
	return &EmbedTokens{key: key, ttl: ttl, now: time.Now}
}

// Errors of Verify. Both are UNAUTHENTICATED; they differ so the caller can
// tell a visitor to fetch a fresh token.
var (
	ErrEmbedTokenExpired = errors.New("embed token expired; fetch a new one")
	ErrEmbedTokenInvalid = errors.New("invalid embed token")
)

// Minted is a new embed token with what it is bound to.
type Minted struct {
	Token     string
	ExpiresAt time.Time
	ClientID  uuid.UUID
	AgentSlug string
	EndUserID string
	Anonymous bool
}

// ValidateEndUserID checks an end-user id given to Mint.
func ValidateEndUserID(field, id string) error {
	if strings.HasPrefix(id, anonymousPrefix) {
		return apperr.Invalid(field, "must not start with %q, which marks generated ids",
			anonymousPrefix)
	}
	if utf8.RuneCountInString(id) > maxEndUserIDLength {
		return apperr.Invalid(field, "must be at most %d characters", maxEndUserIDLength)
	}
	return nil
}

// Mint returns a token for agentSlug of clientID, minted by key keyID. An
// empty endUserID gets a fresh random id, so two anonymous visitors never
// share one.
func (e *EmbedTokens) Mint(keyID, clientID uuid.UUID, agentSlug, endUserID string) (*Minted, error) {
	anonymous := endUserID == ""
	if anonymous {
		random := make([]byte, 16)
		if _, err := rand.Read(random); err != nil {
			return nil, fmt.Errorf("generate anonymous end-user id: %w", err)
		}
		endUserID = anonymousPrefix + base64.RawURLEncoding.EncodeToString(random)
	}
	now := e.now()
	expires := now.Add(e.ttl)
	claims := EmbedClaims{
		ClientID: clientID.String(), AgentSlug: agentSlug, KeyID: keyID.String(),
		Anonymous: anonymous,
		RegisteredClaims: jwt.RegisteredClaims{
			ID: uuid.NewString(), Subject: endUserID, Audience: jwt.ClaimStrings{embedAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(expires),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(e.key)
	if err != nil {
		return nil, fmt.Errorf("sign embed token: %w", err)
	}
	return &Minted{Token: signed, ExpiresAt: expires, ClientID: clientID, AgentSlug: agentSlug,
		EndUserID: endUserID, Anonymous: anonymous}, nil
}

// Verify checks a token's size, signature, algorithm, audience, expiry and
// claims. It does not check the minting key; the Authenticator does.
func (e *EmbedTokens) Verify(raw string) (*EmbedClaims, error) {
	if raw == "" || len(raw) > maxEmbedTokenLength {
		return nil, ErrEmbedTokenInvalid
	}
	claims := new(EmbedClaims)
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return e.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(embedAudience), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(e.now))
	if errors.Is(err, jwt.ErrTokenExpired) && slices.Contains(claims.Audience, embedAudience) {
		return nil, ErrEmbedTokenExpired
	}
	if err != nil {
		return nil, ErrEmbedTokenInvalid
	}
	if _, err := uuid.Parse(claims.ClientID); err != nil || claims.AgentSlug == "" ||
		claims.Subject == "" {
		return nil, ErrEmbedTokenInvalid
	}
	if _, err := uuid.Parse(claims.KeyID); err != nil {
		return nil, ErrEmbedTokenInvalid
	}
	return claims, nil
}
