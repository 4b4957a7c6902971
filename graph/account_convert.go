package graph

import (
	"strconv"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

func toUser(u *platform.User) *model.User {
	out := &model.User{
		ID: u.ID, Email: u.Email, PlatformAdmin: u.PlatformAdmin, CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt, PasswordChangedAt: u.PasswordChangedAt,
		Memberships: make([]*model.Membership, 0, len(u.Memberships)),
	}
	for _, m := range u.Memberships {
		out.Memberships = append(out.Memberships, &model.Membership{ClientID: m.ClientID,
			Role: model.MembershipRole(strings.ToUpper(m.Role)), CreatedAt: m.CreatedAt})
	}
	return out
}

func toClientMember(m *platform.ClientMember) *model.ClientMember {
	return &model.ClientMember{UserID: m.UserID, Email: m.Email,
		Role: model.MembershipRole(strings.ToUpper(m.Role)), CreatedAt: m.CreatedAt}
}

func toAccessKey(k *platform.AccessKey) *model.AccessKey {
	out := &model.AccessKey{
		ID: k.ID, Kind: model.AccessKeyKind(strings.ToUpper(k.Kind)), Name: k.Name,
		Prefix: k.Prefix, ClientID: k.ClientID, Scopes: make([]model.AccessScope, 0, len(k.Scopes)),
		Domain: k.Domain, AllowedOrigins: k.AllowedOrigins, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, ReplacedBy: k.ReplacedBy,
		Revoked: k.RevokedAt != nil,
	}
	scopes := k.Scopes
	if k.Kind == platform.KeyPlatform {
		// Platform keys made before scopes were stored hold every scope too.
		scopes = []string{auth.ScopeRead, auth.ScopeTrigger, auth.ScopeManage}
	}
	for _, s := range scopes {
		out.Scopes = append(out.Scopes, model.AccessScope(strings.ToUpper(s)))
	}
	if out.AllowedOrigins == nil {
		out.AllowedOrigins = []string{}
	}
	return out
}

func scopesOf(in []model.AccessScope) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(string(s)))
	}
	return out
}

func toAuditEntry(e *platform.AuditEntry) *model.AuditEntry {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return &model.AuditEntry{ID: strconv.FormatInt(e.ID, 10), At: e.At, Actor: e.Actor,
		Action: e.Action, ClientID: e.ClientID, Target: e.Target, Details: details}
}

func toEmbedToken(m *auth.Minted) *model.EmbedToken {
	return &model.EmbedToken{Token: m.Token, ExpiresAt: m.ExpiresAt, ClientID: m.ClientID,
		AgentSlug: m.AgentSlug, UserID: m.EndUserID, Anonymous: m.Anonymous}
}
