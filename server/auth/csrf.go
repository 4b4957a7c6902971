package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
)

// CSRFHeader carries the CSRF token of a cookie-authenticated request.
const CSRFHeader = "X-CSRF-Token"

// csrfNonceLen is the random part of a CSRF token, in bytes.
const csrfNonceLen = 16

// csrf mints and checks CSRF tokens bound to a session. A token is a random
// nonce with an HMAC of the session id and the nonce, so every token of a
// live session verifies without being stored, and no token outlives its
// session: a page on another origin can send the cookie but cannot read a
// token.
type csrf struct{ key []byte }

func (c csrf) mint(sessionID uuid.UUID) string {
	nonce := make([]byte, csrfNonceLen)
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand does not fail on supported platforms; a zero nonce
		// still yields a valid, session-bound token.
		clear(nonce)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(nonce) + "." + enc.EncodeToString(c.mac(sessionID, nonce))
}

func (c csrf) verify(sessionID uuid.UUID, token string) bool {
	if len(token) > 128 {
		return false
	}
	nonceText, macText, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	enc := base64.RawURLEncoding
	nonce, err := enc.DecodeString(nonceText)
	if err != nil || len(nonce) != csrfNonceLen {
		return false
	}
	got, err := enc.DecodeString(macText)
	if err != nil {
		return false
	}
	return hmac.Equal(got, c.mac(sessionID, nonce))
}

func (c csrf) mac(sessionID uuid.UUID, nonce []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(sessionID[:])
	m.Write(nonce)
	return m.Sum(nil)
}
