package accounts

import (
	"slices"
	"testing"
)

func TestValidateEmail_normalizes(t *testing.T) {
	cases := map[string]string{
		" Ann@Example.COM ":      "ann@example.com",
		"bo.smith+sf@example.io": "bo.smith+sf@example.io",
	}
	for in, want := range cases {
		got, err := validateEmail("email", in)
		if err != nil || got != want {
			t.Errorf("validateEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ann", "Ann <ann@example.com>", "a@b@c", "ann@"} {
		if _, err := validateEmail("email", bad); err == nil {
			t.Errorf("validateEmail(%q) accepted an invalid address", bad)
		}
	}
}

func TestNormalizeScopes_dedupsAndOrders(t *testing.T) {
	got, err := normalizeScopes([]string{"manage", "read", "manage"})
	if err != nil || !slices.Equal(got, []string{"read", "manage"}) {
		t.Errorf("normalizeScopes = %v, %v; want [read manage]", got, err)
	}
	if _, err := normalizeScopes(nil); err == nil {
		t.Error("no scopes were accepted")
	}
	if _, err := normalizeScopes([]string{"read", "admin"}); err == nil {
		t.Error("an unknown scope was accepted")
	}
}
