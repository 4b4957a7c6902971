package auth

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestPassword_hashVerifies(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q, want the argon2id PHC form with the configured parameters", hash)
	}
	ok, err := VerifyPassword(hash, "correct horse battery")
	if err != nil || !ok {
		t.Errorf("VerifyPassword(right password) = %v, %v; want true", ok, err)
	}
	ok, err = VerifyPassword(hash, "correct horse batterY")
	if err != nil || ok {
		t.Errorf("VerifyPassword(wrong password) = %v, %v; want false", ok, err)
	}
}

func TestPassword_saltDiffers(t *testing.T) {
	a, _ := HashPassword("same password here")
	b, _ := HashPassword("same password here")
	if a == b {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
}

func TestPassword_parametersComeFromHash(t *testing.T) {
	// A hash with other (cheaper) parameters, as an older release might
	// have stored, still verifies.
	salt := []byte("saltsaltsaltsalt")
	sum := argon2.IDKey([]byte("password"), salt, 1, 1024, 1, 32)
	enc := base64.RawStdEncoding
	hash := "$argon2id$v=19$m=1024,t=1,p=1$" + enc.EncodeToString(salt) + "$" +
		enc.EncodeToString(sum)
	ok, err := VerifyPassword(hash, "password")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Error("a hash with m=1024,t=1 did not verify its password")
	}
	if ok, _ := VerifyPassword(hash, "Password"); ok {
		t.Error("a hash with m=1024,t=1 verified a wrong password")
	}
}

func TestPassword_malformedHashIsError(t *testing.T) {
	for _, hash := range []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$",
	} {
		if _, err := VerifyPassword(hash, "x"); err == nil {
			t.Errorf("VerifyPassword(%q) has no error", hash)
		}
	}
}

func TestValidatePassword_length(t *testing.T) {
	cases := map[string]bool{
		strings.Repeat("a", MinPasswordLength-1): false,
		strings.Repeat("a", MinPasswordLength):   true,
		strings.Repeat("é", MinPasswordLength):   true,
		strings.Repeat("a", MaxPasswordLength+1): false,
	}
	for pw, valid := range cases {
		if err := ValidatePassword("password", pw); (err == nil) != valid {
			t.Errorf("ValidatePassword(%d characters) = %v, want valid %v", len([]rune(pw)), err,
				valid)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}
