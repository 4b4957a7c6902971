// Package secrets encrypts provider keys, LiveKit secrets and external DSNs at
// rest with AES-256-GCM. Each ciphertext is stored with the id of the key that
// sealed it, so a new key can take over while old rows stay readable.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// ErrUnknownKey reports a ciphertext sealed under a key the keyring lacks.
var ErrUnknownKey = errors.New("secret was encrypted with a key that is not configured")

// Keyring seals with its primary key and opens with any of its keys.
type Keyring struct {
	primary    string
	primaryKey []byte
	aeads      map[string]cipher.AEAD
}

// ParseKey decodes a base64 (standard or URL, padded or not) 32-byte key.
func ParseKey(encoded string) ([]byte, error) {
	encoded = strings.TrimSpace(encoded)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err := enc.DecodeString(encoded); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("secret key is %d bytes, want %d", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("secret key is not valid base64")
}

// GenerateKey returns a new random key, base64 encoded.
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate secret key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}

// NewKeyring returns a keyring that seals with primary and also opens
// ciphertexts sealed under any of previous.
func NewKeyring(primary []byte, previous ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[string]cipher.AEAD)}
	for i, key := range append([][]byte{primary}, previous...) {
		id, aead, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			k.primary, k.primaryKey = id, append([]byte(nil), key...)
		}
		k.aeads[id] = aead
	}
	return k, nil
}

// KeyID returns the id of the primary key: the first 8 bytes of its SHA-256,
// in hex. The id reveals nothing usable about the key.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

func newAEAD(key []byte) (string, cipher.AEAD, error) {
	if len(key) != KeySize {
		return "", nil, fmt.Errorf("secret key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", nil, fmt.Errorf("create AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", nil, fmt.Errorf("create GCM: %w", err)
	}
	return KeyID(key), aead, nil
}

// PrimaryKeyID returns the id that Seal stores with new ciphertexts.
func (k *Keyring) PrimaryKeyID() string { return k.primary }

// Seal encrypts plaintext under the primary key. The additional data binds
// the ciphertext to its row (for example "client/<id>/openai"), so a
// ciphertext copied to another row does not open.
func (k *Keyring) Seal(plaintext, additionalData string) (ciphertext []byte, keyID string, err error) {
	aead := k.aeads[k.primary]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", fmt.Errorf("generate nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), []byte(additionalData))
	return sealed, k.primary, nil
}

// Open decrypts a ciphertext produced by Seal with the same additional data.
func (k *Keyring) Open(ciphertext []byte, keyID, additionalData string) (string, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return "", fmt.Errorf("open secret (key id %s): %w", keyID, ErrUnknownKey)
	}
	if len(ciphertext) < aead.NonceSize() {
		return "", errors.New("open secret: ciphertext too short")
	}
	nonce, body := ciphertext[:aead.NonceSize()], ciphertext[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, body, []byte(additionalData))
	if err != nil {
		return "", fmt.Errorf("open secret (key id %s): %w", keyID, err)
	}
	return string(plain), nil
}

// DeriveKey returns a 32-byte key for purpose, derived from the primary key
// with HMAC-SHA256, so tokens signed with it never share a key with the
// encryption of secrets.
func (k *Keyring) DeriveKey(purpose string) []byte {
	mac := hmac.New(sha256.New, k.primaryKey)
	mac.Write([]byte("sidekick-forge/" + purpose))
	return mac.Sum(nil)
}
