package platform

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

func insertUser(t *testing.T, s *Store, email string) *User {
	t.Helper()
	now := time.Now()
	u := &User{ID: uuid.New(), Email: NormalizeEmail(email), PasswordHash: "$argon2id$test",
		CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
	if err := s.InsertUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func insertSession(t *testing.T, s *Store, userID uuid.UUID, token string, ttl time.Duration) *Session {
	t.Helper()
	now := time.Now()
	sess := &Session{ID: uuid.New(), UserID: userID, TokenHash: HashKey(token), CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.InsertSession(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	return sess
}

func TestUsers_emailIsCaseInsensitiveAndUnique(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := insertUser(t, s, " Ann@Example.COM ")
	if u.Email != "ann@example.com" {
		t.Errorf("stored email = %q, want it trimmed and lowercase", u.Email)
	}
	got, err := s.UserByEmail(ctx, "ANN@example.com")
	if err != nil || got.ID != u.ID {
		t.Fatalf("UserByEmail(other case) = %v, %v; want the user", got, err)
	}
	dup := &User{ID: uuid.New(), Email: "ann@example.com", PasswordHash: "x"}
	if err := s.InsertUser(ctx, dup); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second user with the same email: %v, want CONFLICT", err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@example.com"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("UserByEmail(unknown) = %v, want NOT_FOUND", err)
	}
}

func TestMemberships_setReplacesRole(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := insertUser(t, s, "bo@example.com")
	a, b := insertClient(t, s, "Acme"), insertClient(t, s, "Globex")

	for _, m := range []*Membership{{UserID: u.ID, ClientID: a.ID, Role: RoleMember},
		{UserID: u.ID, ClientID: a.ID, Role: RoleAdmin}, {UserID: u.ID, ClientID: b.ID, Role: RoleMember}} {
		if err := s.SetMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[uuid.UUID]string{}
	for _, m := range got.Memberships {
		roles[m.ClientID] = m.Role
	}
	if len(roles) != 2 || roles[a.ID] != RoleAdmin || roles[b.ID] != RoleMember {
		t.Errorf("roles = %v, want admin of Acme and member of Globex", roles)
	}

	members, err := s.ClientMembers(ctx, a.ID)
	if err != nil || len(members) != 1 || members[0].Email != "bo@example.com" {
		t.Errorf("ClientMembers(Acme) = %v, %v", members, err)
	}

	if err := s.RemoveMembership(ctx, u.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMembership(ctx, u.ID, a.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("removing a removed membership: %v, want NOT_FOUND", err)
	}

	if err := s.DeleteClient(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, u.ID); len(got.Memberships) != 0 {
		t.Errorf("memberships after the client was deleted: %v", got.Memberships)
	}
}

func TestSessions_liveOnlyUntilExpiredOrRevoked(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := insertUser(t, s, "cy@example.com")
	live := insertSession(t, s, u.ID, "live-token", time.Hour)
	insertSession(t, s, u.ID, "expired-token", -time.Second)

	sess, user, err := s.LiveSession(ctx, HashKey("live-token"))
	if err != nil || sess.ID != live.ID || user.ID != u.ID {
		t.Fatalf("LiveSession(live) = %v, %v, %v", sess, user, err)
	}
	if _, _, err := s.LiveSession(ctx, HashKey("expired-token")); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("LiveSession(expired) = %v, want ErrSessionNotFound", err)
	}
	if err := s.RevokeSession(ctx, live.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LiveSession(ctx, HashKey("live-token")); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("LiveSession(revoked) = %v, want ErrSessionNotFound", err)
	}
	var stored []byte
	if err := s.DB().NewSelect().Table("sessions").Column("token_hash").Where("id = ?", live.ID).
		Scan(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte("live-token")) {
		t.Error("the session token is stored in clear")
	}
}

func TestSetPasswordHash_endsOtherSessions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := insertUser(t, s, "di@example.com")
	keep := insertSession(t, s, u.ID, "keep", time.Hour)
	insertSession(t, s, u.ID, "other-1", time.Hour)
	insertSession(t, s, u.ID, "other-2", time.Hour)

	ended, err := s.SetPasswordHash(ctx, u.ID, "$argon2id$new", keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ended != 2 {
		t.Errorf("ended %d sessions, want 2", ended)
	}
	if _, _, err := s.LiveSession(ctx, HashKey("keep")); err != nil {
		t.Errorf("the kept session ended: %v", err)
	}
	if _, _, err := s.LiveSession(ctx, HashKey("other-1")); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("another session survived the password change: %v", err)
	}
	got, _ := s.UserByID(ctx, u.ID)
	if got.PasswordHash != "$argon2id$new" {
		t.Errorf("password hash = %q after the change", got.PasswordHash)
	}
	if _, err := s.SetPasswordHash(ctx, uuid.New(), "x", uuid.Nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("SetPasswordHash(unknown user) = %v, want NOT_FOUND", err)
	}
}

func TestRotateAccessKey_replacesAndRevokes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	c := insertClient(t, s, "Rotor")
	old, oldRaw, err := NewAccessKey(KeySite, "shop", &c.ID)
	if err != nil {
		t.Fatal(err)
	}
	old.Scopes, old.Domain, old.AllowedOrigins = []string{"read", "trigger"}, "shop.example",
		[]string{"https://shop.example"}
	if err := s.InsertAccessKey(ctx, old); err != nil {
		t.Fatal(err)
	}

	next, raw, err := s.RotateAccessKey(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if raw == oldRaw || next.Kind != KeySite || next.Domain != "shop.example" ||
		len(next.Scopes) != 2 || len(next.AllowedOrigins) != 1 {
		t.Errorf("rotated key = %+v, want a new site key with the old attributes", next)
	}

	if _, err := s.AccessKeyByRaw(ctx, oldRaw); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("the old key still authenticates: %v", err)
	}
	if _, err := s.AccessKeyByRaw(ctx, raw); err != nil {
		t.Errorf("the new key does not authenticate: %v", err)
	}
	stored, _ := s.AccessKeyByID(ctx, old.ID)
	if stored.ReplacedBy == nil || *stored.ReplacedBy != next.ID {
		t.Errorf("old key replaced_by = %v, want %s", stored.ReplacedBy, next.ID)
	}
	if _, _, err := s.RotateAccessKey(ctx, old); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("rotating a revoked key: %v, want ErrKeyNotFound", err)
	}
}

func TestAuditMark_setOnlyByAudit(t *testing.T) {
	s := newStore(t)
	ctx := WithAuditMark(context.Background())
	if Audited(ctx) {
		t.Fatal("a fresh mark is set")
	}
	if err := s.Audit(ctx, "user:ann@example.com", "test.action", nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if !Audited(ctx) {
		t.Error("Audit did not set the mark")
	}
	entries, total, err := s.ListAudit(context.Background(), AuditFilter{Limit: 10})
	if err != nil || total != 1 || entries[0].Action != "test.action" {
		t.Errorf("ListAudit = %v, %d, %v", entries, total, err)
	}
}
