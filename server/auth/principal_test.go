package auth

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestPrincipal_scopesByKind(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	cases := []struct {
		name    string
		p       *Principal
		scopesA []string
		scopesB []string
	}{
		{"anonymous", nil, nil, nil},
		{"platform key", &Principal{Kind: KindPlatformKey}, roleScopes[RoleAdmin], roleScopes[RoleAdmin]},
		{"platform admin", &Principal{Kind: KindPlatformAdmin}, roleScopes[RoleAdmin],
			roleScopes[RoleAdmin]},
		{"admin of A, member of B", &Principal{Kind: KindClientAdmin, Memberships: []Membership{
			{ClientID: a, Role: RoleAdmin}, {ClientID: b, Role: RoleMember}}},
			roleScopes[RoleAdmin], []string{ScopeRead}},
		{"member of A", &Principal{Kind: KindClientMember, Memberships: []Membership{
			{ClientID: a, Role: RoleMember}}}, []string{ScopeRead}, nil},
		{"site key of A", &Principal{Kind: KindSiteKey, ClientID: a,
			Scopes: []string{ScopeRead, ScopeTrigger}}, []string{ScopeRead, ScopeTrigger}, nil},
		{"embed token of A", &Principal{Kind: KindEmbedToken, ClientID: a,
			Scopes: []string{ScopeTrigger}}, []string{ScopeTrigger}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.ScopesFor(a); !slices.Equal(got, tc.scopesA) {
				t.Errorf("ScopesFor(A) = %v, want %v", got, tc.scopesA)
			}
			if got := tc.p.ScopesFor(b); !slices.Equal(got, tc.scopesB) {
				t.Errorf("ScopesFor(B) = %v, want %v", got, tc.scopesB)
			}
			if got := tc.p.CanAccessClient(b); got != (len(tc.scopesB) > 0) {
				t.Errorf("CanAccessClient(B) = %v, want %v", got, len(tc.scopesB) > 0)
			}
		})
	}
}

func TestPrincipal_visibleClientsNeedRead(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	trigger := &Principal{Kind: KindClientKey, ClientID: a, Scopes: []string{ScopeTrigger}}
	if got := trigger.VisibleClients(); len(got) != 0 {
		t.Errorf("trigger-only key sees %v, want no clients to read", got)
	}
	if got := trigger.AccessibleClients(); !slices.Equal(got, []uuid.UUID{a}) {
		t.Errorf("trigger-only key can access %v, want its client", got)
	}
	user := &Principal{Kind: KindClientMember, Memberships: []Membership{
		{ClientID: a, Role: RoleMember}, {ClientID: b, Role: RoleAdmin}}}
	if got := user.VisibleClients(); !slices.Equal(got, []uuid.UUID{a, b}) {
		t.Errorf("user sees %v, want both of its clients", got)
	}
	if (&Principal{Kind: KindPlatformAdmin}).VisibleClients() != nil {
		t.Error("a platform admin's visible clients are limited")
	}
	if user.HasScope(ScopeManage) {
		t.Error("HasScope(manage) is true for a user who manages only one of two clients")
	}
}

func TestPrincipal_actorHoldsNoSecret(t *testing.T) {
	cases := map[string]*Principal{
		"user:ann@example.com": {Kind: KindClientAdmin, Email: "ann@example.com",
			SessionID: uuid.New()},
		"site_key:sfs_abcdefgh":           {Kind: KindSiteKey, Prefix: "sfs_abcdefgh"},
		"embed_token:sfs_abcdefgh:helper": {Kind: KindEmbedToken, Prefix: "sfs_abcdefgh", AgentSlug: "helper"},
		"anonymous":                       nil,
	}
	for want, p := range cases {
		if got := p.Actor(); got != want {
			t.Errorf("Actor() = %q, want %q", got, want)
		}
	}
}

func TestOrigins_allowList(t *testing.T) {
	o := NewOrigins([]string{"https://Admin.Example.com/", ""})
	if !o.Allowed("https://admin.example.com") {
		t.Error("listed origin in other letter case is not allowed")
	}
	if !o.Allowed("") {
		t.Error("a request without Origin (not a browser) is not allowed")
	}
	if o.Allowed("https://evil.example") || o.Allowed("https://admin.example.com.evil.example") {
		t.Error("an unlisted origin is allowed")
	}
	site := &Principal{Kind: KindSiteKey, AllowedOrigins: []string{"https://shop.example"}}
	if !o.AllowedFor("https://shop.example", site) {
		t.Error("a site key's own origin is not allowed for it")
	}
	session := &Principal{Kind: KindClientAdmin, SessionID: uuid.New(),
		AllowedOrigins: []string{"https://shop.example"}}
	if o.AllowedFor("https://shop.example", session) {
		t.Error("a session cookie is allowed from a site key's origin")
	}
}
