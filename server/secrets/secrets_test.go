package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	encoded, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseKey(encoded)
	if err != nil {
		t.Fatalf("ParseKey(GenerateKey()) = %v", err)
	}
	return key
}

func newKeyring(t *testing.T, primary []byte, previous ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(primary, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const aad = "client/6d8c1c1e-0000-4000-8000-000000000001/provider/openai"

func TestKeyring_sealOpenRoundTrip(t *testing.T) {
	k := newKeyring(t, newKey(t))
	plain := "sk-proj-Qw3rTyUiOpAsDfGhJkLz"

	sealed, keyID, err := k.Seal(plain, aad)
	if err != nil {
		t.Fatal(err)
	}
	if keyID != k.PrimaryKeyID() {
		t.Errorf("key id = %s, want the primary %s", keyID, k.PrimaryKeyID())
	}
	if bytes.Contains(sealed, []byte(plain)) || bytes.Contains(sealed, []byte(plain[3:12])) {
		t.Error("ciphertext contains the plaintext")
	}
	got, err := k.Open(sealed, keyID, aad)
	if err != nil {
		t.Fatal(err)
	}
	if got != plain {
		t.Errorf("Open = %q, want %q", got, plain)
	}

	again, _, err := k.Seal(plain, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(sealed, again) {
		t.Error("two seals of the same plaintext are identical, so the nonce is not random")
	}
}

func TestKeyring_ciphertextIsBoundToItsRow(t *testing.T) {
	k := newKeyring(t, newKey(t))
	sealed, keyID, err := k.Seal("sk-proj-Qw3rTyUiOpAsDfGhJkLz", aad)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{
		"client/6d8c1c1e-0000-4000-8000-000000000002/provider/openai",
		"client/6d8c1c1e-0000-4000-8000-000000000001/provider/anthropic",
		"",
	} {
		if _, err := k.Open(sealed, keyID, other); err == nil {
			t.Errorf("ciphertext sealed for %q opened with additional data %q", aad, other)
		}
	}
}

func TestKeyring_rejectsTamperedAndTruncated(t *testing.T) {
	k := newKeyring(t, newKey(t))
	sealed, keyID, err := k.Seal("sk-proj-Qw3rTyUiOpAsDfGhJkLz", aad)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 0x01
	if _, err := k.Open(tampered, keyID, aad); err == nil {
		t.Error("a flipped bit went unnoticed")
	}
	if _, err := k.Open(sealed[:5], keyID, aad); err == nil {
		t.Error("a truncated ciphertext opened")
	}
}

func TestKeyring_rotation(t *testing.T) {
	oldKey, newKeyBytes := newKey(t), newKey(t)
	before := newKeyring(t, oldKey)
	sealed, oldID, err := before.Seal("sk-ant-api03-ZxCvBnMaSdFgHjKl", aad)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("old key passed as previous opens old ciphertexts", func(t *testing.T) {
		rotated := newKeyring(t, newKeyBytes, oldKey)
		got, err := rotated.Open(sealed, oldID, aad)
		if err != nil {
			t.Fatalf("Open under the previous key: %v", err)
		}
		if got != "sk-ant-api03-ZxCvBnMaSdFgHjKl" {
			t.Errorf("Open = %q", got)
		}
		resealed, id, err := rotated.Seal(got, aad)
		if err != nil {
			t.Fatal(err)
		}
		if id == oldID || id != KeyID(newKeyBytes) {
			t.Errorf("new seals use key id %s, want the new primary %s", id, KeyID(newKeyBytes))
		}
		if _, err := before.Open(resealed, id, aad); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("old keyring opening a new ciphertext: %v, want ErrUnknownKey", err)
		}
	})

	t.Run("without the previous key old ciphertexts are unknown", func(t *testing.T) {
		rotated := newKeyring(t, newKeyBytes)
		_, err := rotated.Open(sealed, oldID, aad)
		if !errors.Is(err, ErrUnknownKey) {
			t.Errorf("Open = %v, want ErrUnknownKey", err)
		}
	})

	t.Run("a wrong key under the old id fails", func(t *testing.T) {
		impostor := newKeyring(t, newKeyBytes)
		if _, err := impostor.Open(sealed, impostor.PrimaryKeyID(), aad); err == nil {
			t.Error("ciphertext opened under a different key")
		}
	})
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, KeySize)
	for name, encoded := range map[string]string{
		"standard":        base64.StdEncoding.EncodeToString(raw),
		"standard raw":    base64.RawStdEncoding.EncodeToString(raw),
		"URL":             base64.URLEncoding.EncodeToString(raw),
		"URL raw":         base64.RawURLEncoding.EncodeToString(raw),
		"with whitespace": " " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			key, err := ParseKey(encoded)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key, raw) {
				t.Error("decoded key differs")
			}
		})
	}

	for name, encoded := range map[string]string{
		"16 bytes":   base64.StdEncoding.EncodeToString(raw[:16]),
		"not base64": "this is not base64 at all!",
		"empty":      "",
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			_, err := ParseKey(encoded)
			if err == nil {
				t.Fatal("ParseKey accepted it")
			}
			if encoded != "" && strings.Contains(err.Error(), encoded) {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}

func TestNewKeyring_rejectsShortKeys(t *testing.T) {
	if _, err := NewKeyring(make([]byte, 16)); err == nil {
		t.Error("NewKeyring accepted a 16-byte primary key")
	}
	if _, err := NewKeyring(newKey(t), make([]byte, 31)); err == nil {
		t.Error("NewKeyring accepted a 31-byte previous key")
	}
}

func TestKeyring_deriveKeyIsPerPurpose(t *testing.T) {
	primary := newKey(t)
	k := newKeyring(t, primary)
	a, b := k.DeriveKey("worker-token"), k.DeriveKey("session")
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Errorf("derived keys: %d bytes, equal across purposes: %v", len(a), bytes.Equal(a, b))
	}
	if bytes.Equal(a, primary) {
		t.Error("derived key equals the primary key")
	}
	if !bytes.Equal(a, newKeyring(t, primary).DeriveKey("worker-token")) {
		t.Error("derivation is not deterministic")
	}
}
