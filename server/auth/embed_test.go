package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

func testEmbeds(ttl time.Duration) *EmbedTokens {
	return NewEmbedTokens([]byte("0123456789abcdef0123456789abcdef"), ttl)
}

func TestEmbedTokens_mintThenVerify(t *testing.T) {
	e := testEmbeds(time.Minute)
	keyID, clientID := uuid.New(), uuid.New()
	m, err := e.Mint(keyID, clientID, "helper", "visitor-1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Verify(m.Token)
	if err != nil {
		t.Fatalf("Verify(fresh token) = %v", err)
	}
	if c.ClientID != clientID.String() || c.AgentSlug != "helper" || c.Subject != "visitor-1" ||
		c.KeyID != keyID.String() || c.Anonymous {
		t.Errorf("claims = %+v, want the minted client, agent, user and key", c)
	}
	if m.Anonymous {
		t.Error("a token for a named user is marked anonymous")
	}
}

func TestEmbedTokens_anonymousUsersDiffer(t *testing.T) {
	e := testEmbeds(time.Minute)
	seen := map[string]bool{}
	for range 100 {
		m, err := e.Mint(uuid.New(), uuid.New(), "helper", "")
		if err != nil {
			t.Fatal(err)
		}
		if !m.Anonymous || !strings.HasPrefix(m.EndUserID, anonymousPrefix) {
			t.Fatalf("anonymous token has user %q, anonymous %v", m.EndUserID, m.Anonymous)
		}
		if seen[m.EndUserID] {
			t.Fatalf("two anonymous tokens share user id %q", m.EndUserID)
		}
		seen[m.EndUserID] = true
	}
}

func TestEmbedTokens_expiredIsDistinct(t *testing.T) {
	e := testEmbeds(time.Minute)
	start := time.Now()
	e.now = func() time.Time { return start }
	m, err := e.Mint(uuid.New(), uuid.New(), "helper", "")
	if err != nil {
		t.Fatal(err)
	}
	e.now = func() time.Time { return start.Add(2 * time.Minute) }
	if _, err := e.Verify(m.Token); err != ErrEmbedTokenExpired {
		t.Errorf("Verify(expired) = %v, want ErrEmbedTokenExpired", err)
	}
}

func TestEmbedTokens_rejectsForgeries(t *testing.T) {
	e := testEmbeds(time.Minute)
	m, err := e.Mint(uuid.New(), uuid.New(), "helper", "")
	if err != nil {
		t.Fatal(err)
	}
	other := NewEmbedTokens([]byte("another key, another key, another"), time.Minute)
	foreign, _ := other.Mint(uuid.New(), uuid.New(), "helper", "")

	claims := EmbedClaims{ClientID: uuid.NewString(), AgentSlug: "helper", KeyID: uuid.NewString(),
		RegisteredClaims: jwt.RegisteredClaims{Subject: "u", Audience: jwt.ClaimStrings{embedAudience},
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}}
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	wrongAudience := claims
	wrongAudience.Audience = jwt.ClaimStrings{"sidekick-forge/worker-config"}
	otherAud, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, wrongAudience).SignedString(e.key)
	noExpiry := claims
	noExpiry.ExpiresAt = nil
	eternal, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, noExpiry).SignedString(e.key)
	noAgent := claims
	noAgent.AgentSlug = ""
	agentless, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, noAgent).SignedString(e.key)

	parts := strings.Split(m.Token, ".")
	cases := map[string]string{
		"empty":             "",
		"garbage":           "not-a-token",
		"signed by another": foreign.Token,
		"alg none":          unsigned,
		"tampered payload":  parts[0] + "." + parts[1] + "x." + parts[2],
		"cut signature":     parts[0] + "." + parts[1] + ".",
		"worker audience":   otherAud,
		"no expiry":         eternal,
		"no agent":          agentless,
		"oversized":         m.Token + strings.Repeat("A", maxEmbedTokenLength),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := e.Verify(raw); err != ErrEmbedTokenInvalid {
				t.Errorf("Verify = %v, want ErrEmbedTokenInvalid", err)
			}
		})
	}
}

func TestValidateEndUserID_rejectsGeneratedPrefix(t *testing.T) {
	if err := ValidateEndUserID("userId", "anon-abc"); err == nil {
		t.Error("an end-user id that looks generated was accepted")
	}
	if err := ValidateEndUserID("userId", strings.Repeat("u", 256)); err == nil {
		t.Error("a 256-character end-user id was accepted")
	}
	if err := ValidateEndUserID("userId", "wp-user-42"); err != nil {
		t.Errorf("ValidateEndUserID(wp-user-42) = %v", err)
	}
}

func TestCSRF_boundToSession(t *testing.T) {
	c := csrf{key: []byte("csrf key for the test, 32 bytes!")}
	session, other := uuid.New(), uuid.New()
	token := c.mint(session)
	if !c.verify(session, token) {
		t.Fatal("a fresh token does not verify for its session")
	}
	if c.mint(session) == token {
		t.Error("two tokens of one session are equal; each should be fresh")
	}
	if c.verify(other, token) {
		t.Error("a token verifies for another session")
	}
	nonce, mac, _ := strings.Cut(token, ".")
	for name, bad := range map[string]string{
		"empty": "", "no dot": nonce + mac, "other nonce": c.mint(other)[:len(nonce)] + "." + mac,
		"short mac": nonce + "." + mac[:10], "oversized": token + strings.Repeat("A", 200),
	} {
		if c.verify(session, bad) {
			t.Errorf("%s token verifies", name)
		}
	}
}
