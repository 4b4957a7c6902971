package conversations_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/migrations"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
)

// tenantDB returns a migrated throwaway tenant database.
func tenantDB(t *testing.T) *bun.DB {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	sqldb.SetMaxOpenConns(20)
	db := bun.NewDB(sqldb, pgdialect.New())
	// The database is dropped in a cleanup registered before this one, so
	// closing the pool runs first.
	t.Cleanup(func() { _ = db.Close() })
	if _, err := migrations.Run(testContext(t), db, migrations.Tenant()); err != nil {
		t.Fatalf("migrate tenant database: %v", err)
	}
	return db
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ensure(t *testing.T, db bun.IDB, id, slug string) *conversations.Conversation {
	t.Helper()
	c, err := conversations.Ensure(testContext(t), db, &conversations.Conversation{
		ID: id, AgentSlug: slug, UserID: "user-1", Mode: "text",
	})
	if err != nil {
		t.Fatalf("Ensure(%s): %v", id, err)
	}
	return c
}

// appendTurn stores one turn of agent "bot" in conversation.
func appendTurn(t *testing.T, db bun.IDB, conversation, question string) {
	t.Helper()
	if err := tryAppendTurn(db, conversation, "bot", question); err != nil {
		t.Fatalf("AppendTurn(%s): %v", question, err)
	}
}

func tryAppendTurn(db bun.IDB, conversation, slug, question string) error {
	conv := &conversations.Conversation{ID: conversation, AgentSlug: slug, UserID: "user-1",
		Mode: "text"}
	user := &conversations.Message{Role: conversations.RoleUser, Content: question}
	reply := &conversations.Message{Role: conversations.RoleAssistant, Content: "re: " + question,
		LLMProvider: "openai", LLMModel: "gpt-test"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := conversations.AppendTurn(ctx, db, conv, user, reply)
	if err == nil && (user.ID == 0 || reply.ID <= user.ID) {
		return fmt.Errorf("stored ids %d, %d; want the reply after the question", user.ID,
			reply.ID)
	}
	return err
}

func contents(ms []*conversations.Message) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Content)
	}
	return out
}

func TestEnsure_createsOnceAndRejectsOtherAgent(t *testing.T) {
	db := tenantDB(t)

	first := ensure(t, db, "conv-1", "bot-a")
	again := ensure(t, db, "conv-1", "bot-a")

	if !first.CreatedAt.Equal(again.CreatedAt) {
		t.Errorf("second Ensure changed created_at from %v to %v", first.CreatedAt, again.CreatedAt)
	}
	_, err := conversations.Ensure(testContext(t), db, &conversations.Conversation{
		ID: "conv-1", AgentSlug: "bot-b", UserID: "user-1", Mode: "text"})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Conflict || e.Field != "conversation_id" {
		t.Errorf("Ensure with another agent = %v, want CONFLICT on conversation_id", err)
	}
	stored, err := conversations.Get(testContext(t), db, "conv-1")
	if err != nil {
		t.Fatal(err)
	}
	if stored.AgentSlug != "bot-a" || !stored.UpdatedAt.Equal(again.UpdatedAt) {
		t.Errorf("rejected Ensure changed the conversation to %+v", stored)
	}
}

func TestHistory_boundsByCountAndAge(t *testing.T) {
	db := tenantDB(t)
	for i := 1; i <= 3; i++ {
		appendTurn(t, db, "conv-r", fmt.Sprintf("q%d", i))
	}
	appendTurn(t, db, "conv-other", "elsewhere")
	_, err := db.NewUpdate().Table("messages").Set("created_at = now() - interval '2 hours'").
		Where("content IN ('q1', 're: q1')").Exec(testContext(t))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, conversation string
		limit              int
		maxAge             time.Duration
		want               []string
	}{
		{name: "all recent", conversation: "conv-r", limit: 10, maxAge: time.Hour,
			want: []string{"q2", "re: q2", "q3", "re: q3"}},
		{name: "newest three", conversation: "conv-r", limit: 3, maxAge: 3 * time.Hour,
			want: []string{"re: q2", "q3", "re: q3"}},
		{name: "old turn included", conversation: "conv-r", limit: 10, maxAge: 3 * time.Hour,
			want: []string{"q1", "re: q1", "q2", "re: q2", "q3", "re: q3"}},
		{name: "zero limit", conversation: "conv-r", limit: 0, maxAge: time.Hour,
			want: []string{}},
		{name: "zero age", conversation: "conv-r", limit: 10, maxAge: 0, want: []string{}},
		{name: "new conversation", conversation: "conv-new", limit: 10, maxAge: time.Hour,
			want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := conversations.History(testContext(t), db, tt.conversation, "bot",
				tt.limit, tt.maxAge)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(contents(got)) != fmt.Sprint(tt.want) {
				t.Errorf("History = %v, want %v", contents(got), tt.want)
			}
		})
	}
	t.Run("other agent", func(t *testing.T) {
		_, err := conversations.History(testContext(t), db, "conv-r", "bot-b", 10, time.Hour)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Conflict || e.Field != "conversation_id" {
			t.Errorf("History for another agent = %v, want CONFLICT on conversation_id", err)
		}
	})
}

func TestAppendTurn_concurrentTurnsStayPaired(t *testing.T) {
	const turns = 50
	db := tenantDB(t)

	var wg sync.WaitGroup
	errs := make(chan error, turns)
	for i := range turns {
		wg.Go(func() { errs <- tryAppendTurn(db, "conv-c", "bot", fmt.Sprintf("q%02d", i)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent AppendTurn: %v", err)
		}
	}
	if n, _ := db.NewSelect().Table("conversations").Count(testContext(t)); n != 1 {
		t.Errorf("%d conversations created by concurrent first turns, want 1", n)
	}

	got, total, _, err := conversations.Messages(testContext(t), db, "conv-c", 0, 2*turns)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2*turns || len(got) != 2*turns {
		t.Fatalf("%d messages stored (%d listed), want %d", total, len(got), 2*turns)
	}
	for i := 0; i < len(got); i += 2 {
		if got[i].Role != "user" || got[i+1].Content != "re: "+got[i].Content {
			t.Errorf("messages %d, %d = %q, %q; want a question directly followed by its reply",
				got[i].ID, got[i+1].ID, got[i].Content, got[i+1].Content)
		}
	}
}

func TestAppendTurn_otherAgentStoresNothing(t *testing.T) {
	db := tenantDB(t)
	appendTurn(t, db, "conv-owned", "mine")

	err := tryAppendTurn(db, "conv-owned", "bot-b", "intruder")

	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Conflict || e.Field != "conversation_id" {
		t.Errorf("AppendTurn for another agent = %v, want CONFLICT on conversation_id", err)
	}
	got, total, _, err := conversations.Messages(testContext(t), db, "conv-owned", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || fmt.Sprint(contents(got)) != fmt.Sprint([]string{"mine", "re: mine"}) {
		t.Errorf("messages = %v, want only the owner's turn", contents(got))
	}
	stored, err := conversations.Get(testContext(t), db, "conv-owned")
	if err != nil {
		t.Fatal(err)
	}
	if stored.AgentSlug != "bot" {
		t.Errorf("conversation agent = %q, want bot", stored.AgentSlug)
	}
}

func TestAppendTurn_createsConversation(t *testing.T) {
	db := tenantDB(t)

	appendTurn(t, db, "conv-fresh", "hello")

	c, err := conversations.Get(testContext(t), db, "conv-fresh")
	if err != nil {
		t.Fatalf("conversation not created: %v", err)
	}
	if c.AgentSlug != "bot" || c.UserID != "user-1" || c.Mode != "text" {
		t.Errorf("conversation = %+v, want agent bot, user user-1, mode text", c)
	}
	before := c.UpdatedAt
	appendTurn(t, db, "conv-fresh", "again")
	c, err = conversations.Get(testContext(t), db, "conv-fresh")
	if err != nil {
		t.Fatal(err)
	}
	if !c.UpdatedAt.After(before) {
		t.Errorf("updated_at stayed %v after a second turn", before)
	}
}

func TestRecordEvent_storesRepeatedIDOnce(t *testing.T) {
	db := tenantDB(t)
	ev := func() *conversations.Event {
		return &conversations.Event{ConversationID: "conv-e", EventID: "EV_1",
			Event: "room_started", RoomName: "room", CreatedAt: time.Now()}
	}

	for range 3 {
		if err := conversations.RecordEvent(testContext(t), db, ev()); err != nil {
			t.Fatal(err)
		}
	}
	second := ev()
	second.EventID, second.Event = "EV_2", "participant_joined"
	if err := conversations.RecordEvent(testContext(t), db, second); err != nil {
		t.Fatal(err)
	}

	got, err := conversations.Events(testContext(t), db, "conv-e")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].EventID != "EV_1" || got[1].EventID != "EV_2" {
		t.Errorf("events = %+v, want EV_1 then EV_2 once each", got)
	}
}

func TestMessages_pagesInOrder(t *testing.T) {
	db := tenantDB(t)
	for i := 1; i <= 3; i++ {
		appendTurn(t, db, "conv-p", fmt.Sprintf("q%d", i))
	}

	page1, total, more, err := conversations.Messages(testContext(t), db, "conv-p", 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if total != 6 || !more || len(page1) != 4 {
		t.Fatalf("first page: %d messages, total %d, more %v; want 4, 6, true", len(page1), total,
			more)
	}
	page2, _, more, err := conversations.Messages(testContext(t), db, "conv-p", page1[3].ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	if more || fmt.Sprint(contents(page2)) != fmt.Sprint([]string{"q3", "re: q3"}) {
		t.Errorf("second page = %v (more %v), want [q3 re: q3] and no more", contents(page2), more)
	}
}

func TestList_filtersAndPages(t *testing.T) {
	db := tenantDB(t)
	for i, c := range []struct{ id, slug, user string }{
		{"c1", "bot-a", "u1"}, {"c2", "bot-a", "u2"}, {"c3", "bot-b", "u1"}, {"c4", "bot-a", "u1"},
	} {
		_, err := conversations.Ensure(testContext(t), db, &conversations.Conversation{
			ID: c.id, AgentSlug: c.slug, UserID: c.user, Mode: "text",
			UpdatedAt: time.Now().Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}

	list, total, more, err := conversations.List(testContext(t), db, conversations.Filter{
		AgentSlug: "bot-a", UserID: "u1", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || !more || len(list) != 1 || list[0].ID != "c4" {
		t.Fatalf("first page = %v, total %d, more %v; want [c4], 2, true", ids(list), total, more)
	}
	list, _, more, err = conversations.List(testContext(t), db, conversations.Filter{
		AgentSlug: "bot-a", UserID: "u1", Limit: 1, AfterTime: list[0].UpdatedAt,
		AfterID: list[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if more || len(list) != 1 || list[0].ID != "c1" {
		t.Errorf("second page = %v, more %v; want [c1] and no more", ids(list), more)
	}
}

func ids(list []*conversations.Conversation) []string {
	out := make([]string, 0, len(list))
	for _, c := range list {
		out = append(out, c.ID)
	}
	return out
}
