package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLast4_revealsOnlyLongKeys(t *testing.T) {
	cases := []struct{ key, want string }{
		{"", ""},
		{"abc", ""},
		{"12345678", ""},
		{"123456789", "6789"},
		{"sk-proj-abcdefghijklmnop1234", "1234"},
		// Characters, not bytes: a multi-byte key keeps whole runes.
		{"ключ-секрет-ёжик", "ёжик"},
		{"ééééééééé", "éééé"},
		{"éééééééé", ""},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			if got := Last4(tc.key); got != tc.want {
				t.Errorf("Last4(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func TestMask_showsAtMostFourCharacters(t *testing.T) {
	cases := []struct{ key, want string }{
		{"", ""},
		{"short", "••••••••"},
		{"12345678", "••••••••"},
		{"123456789", "••••••••6789"},
		{"APIlivekitKeyAbCd4321", "••••••••4321"},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			got := Mask(tc.key)
			if got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.key, got, tc.want)
			}
			visible := strings.ReplaceAll(got, "•", "")
			if n := utf8.RuneCountInString(visible); n > 4 {
				t.Errorf("Mask(%q) reveals %d characters", tc.key, n)
			}
			if len(tc.key) > 0 && len(tc.key) <= 8 && visible != "" {
				t.Errorf("Mask(%q) reveals %q of a short key", tc.key, visible)
			}
		})
	}
}

func TestCheckPlaceholder(t *testing.T) {
	cases := []struct {
		name, key string
		reason    string // empty: the key is accepted
	}{
		{"test", "test", "placeholder"},
		{"dummy", "dummy", "placeholder"},
		{"upper case placeholder", "DUMMY", "placeholder"},
		{"your-api-key-here", "your-api-key-here", "placeholder"},
		{"placeholder inside a longer value", "sk-your-api-key-goes-here-please", "placeholder"},
		{"19 characters", "sk-abcdefghijklmnop", "19 characters"},
		{"one character repeated", "aaaaaaaaaaaaaaaaaaaaaaaa", "repeated"},
		{"leading whitespace", " sk-proj-abcdefghijklmnopqrstu", "whitespace"},
		{"trailing newline", "sk-proj-abcdefghijklmnopqrstu\n", "whitespace"},
		{"real-looking key", "sk-proj-Qw3rTyUiOpAsDfGhJkLz", ""},
		{"exactly the minimum length", "gsk_abcdefghijklmnop", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPlaceholder(tc.key)
			if tc.reason == "" {
				if err != nil {
					t.Errorf("CheckPlaceholder(%q) = %v, want nil", tc.key, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPlaceholder(%q) = nil, want an error about %s", tc.key, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("CheckPlaceholder(%q) = %q, want it to mention %q", tc.key, err, tc.reason)
			}
		})
	}
}
