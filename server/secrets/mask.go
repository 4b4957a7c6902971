package secrets

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Last4 returns the last four characters of a key for display, or "" for a
// key of 8 characters or fewer, which would reveal too large a share of it.
func Last4(key string) string {
	r := []rune(key)
	if len(r) <= 8 {
		return ""
	}
	return string(r[len(r)-4:])
}

// Mask returns the display form of a key: bullets and at most its last four
// characters.
func Mask(key string) string {
	if key == "" {
		return ""
	}
	return MaskLast4(Last4(key))
}

// MaskLast4 returns the display form of a key whose stored last4 is last4.
func MaskLast4(last4 string) string {
	return "••••••••" + last4
}

// placeholders are values people paste from examples instead of a real key.
var placeholders = []string{
	"test", "dummy", "fake", "placeholder", "changeme", "example", "xxx",
	"your-api-key-here", "your_api_key_here", "your-api-key", "api-key", "apikey",
	"sk-...", "insert-key-here", "none", "null", "undefined",
}

// MinKeyLength is the shortest value accepted as a provider key.
const MinKeyLength = 20

// CheckPlaceholder returns an error that says why key looks like a
// placeholder rather than a real provider key, or nil.
func CheckPlaceholder(key string) error {
	trimmed := strings.TrimSpace(key)
	lower := strings.ToLower(trimmed)
	for _, p := range placeholders {
		if lower == p {
			return fmt.Errorf("%q is a placeholder, not a real API key", trimmed)
		}
	}
	if strings.Contains(lower, "your-api-key") || strings.Contains(lower, "your_api_key") {
		return fmt.Errorf("the value looks like a placeholder (contains %q)", "your-api-key")
	}
	if trimmed != key {
		return fmt.Errorf("the key has leading or trailing whitespace")
	}
	if len([]rune(key)) < MinKeyLength {
		return fmt.Errorf("the key is %d characters; real provider keys have at least %d",
			len([]rune(key)), MinKeyLength)
	}
	if strings.Count(key, string([]rune(key)[0])) == utf8.RuneCountInString(key) {
		return fmt.Errorf("the key is one character repeated")
	}
	return nil
}
