// Package conversations stores the conversations and messages of one tenant
// database. Every function takes the tenant database explicitly.
package conversations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Conversation is one thread between a user and an agent.
type Conversation struct {
	bun.BaseModel `bun:"table:conversations"`

	ID        string    `bun:"id,pk"`
	AgentSlug string    `bun:"agent_slug,notnull"`
	UserID    string    `bun:"user_id,notnull"`
	SessionID string    `bun:"session_id,notnull"`
	Mode      string    `bun:"mode,notnull"`
	RoomName  string    `bun:"room_name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,notnull,default:current_timestamp"`
}

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one message of a conversation. IDs grow in insertion order.
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID             int64     `bun:"id,pk,autoincrement"`
	ConversationID string    `bun:"conversation_id,notnull"`
	Role           string    `bun:"role,notnull"`
	Content        string    `bun:"content,notnull"`
	LLMProvider    string    `bun:"llm_provider,notnull"`
	LLMModel       string    `bun:"llm_model,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull,default:current_timestamp"`
}

// Event is a LiveKit room or participant event recorded against a
// conversation.
type Event struct {
	bun.BaseModel `bun:"table:conversation_events"`

	ID             int64     `bun:"id,pk,autoincrement"`
	ConversationID string    `bun:"conversation_id,notnull"`
	EventID        string    `bun:"event_id,notnull"`
	Event          string    `bun:"event,notnull"`
	RoomName       string    `bun:"room_name,notnull"`
	Participant    string    `bun:"participant,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull,default:current_timestamp"`
}

// Ensure creates the conversation c when its id is new and returns the stored
// row. An existing conversation of another agent is CONFLICT, so one id
// cannot mix two agents' histories.
func Ensure(ctx context.Context, db bun.IDB, c *Conversation) (*Conversation, error) {
	_, err := db.NewInsert().Model(c).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("create conversation %s: %w", c.ID, err)
	}
	stored, err := Get(ctx, db, c.ID)
	if err != nil {
		return nil, err
	}
	if stored.AgentSlug != c.AgentSlug {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "conversation_id",
			Message: fmt.Sprintf("conversation_id: conversation %q belongs to another agent", c.ID)}
	}
	return stored, nil
}

// Get loads one conversation.
func Get(ctx context.Context, db bun.IDB, id string) (*Conversation, error) {
	c := new(Conversation)
	err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "conversation %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load conversation %s: %w", id, err)
	}
	return c, nil
}

// Recent returns, oldest first, at most limit messages of the conversation
// that are newer than maxAge. A zero maxAge or limit means no history.
func Recent(ctx context.Context, db bun.IDB, conversationID string, limit int,
	maxAge time.Duration) ([]*Message, error) {
	if limit <= 0 || maxAge <= 0 {
		return nil, nil
	}
	var newestFirst []*Message
	err := db.NewSelect().Model(&newestFirst).
		Where("conversation_id = ?", conversationID).
		Where("created_at > ?", time.Now().Add(-maxAge)).
		Order("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load history of conversation %s: %w", conversationID, err)
	}
	out := make([]*Message, len(newestFirst))
	for i, m := range newestFirst {
		out[len(newestFirst)-1-i] = m
	}
	return out, nil
}

// AppendTurn stores the user and assistant messages of one turn in one
// transaction, so the history never holds a question without its answer.
func AppendTurn(ctx context.Context, db bun.IDB, user, assistant *Message) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(user).Exec(ctx); err != nil {
			return fmt.Errorf("store user message: %w", err)
		}
		if _, err := tx.NewInsert().Model(assistant).Exec(ctx); err != nil {
			return fmt.Errorf("store assistant message: %w", err)
		}
		_, err := tx.NewUpdate().Model((*Conversation)(nil)).Set("updated_at = now()").
			Where("id = ?", user.ConversationID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("touch conversation: %w", err)
		}
		return nil
	})
}

// Filter selects conversations.
type Filter struct {
	AgentSlug, UserID string
	// AfterTime and AfterID continue after the last row of the previous page.
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// List returns conversations, most recently updated first, and the total.
func List(ctx context.Context, db bun.IDB, f Filter) ([]*Conversation, int, bool, error) {
	var list []*Conversation
	q := db.NewSelect().Model(&list)
	if f.AgentSlug != "" {
		q = q.Where("agent_slug = ?", f.AgentSlug)
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, false, fmt.Errorf("count conversations: %w", err)
	}
	if f.AfterID != "" {
		q = q.Where("(updated_at, id) < (?, ?)", f.AfterTime, f.AfterID)
	}
	err = q.OrderExpr("updated_at DESC, id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
	if err != nil {
		return nil, 0, false, fmt.Errorf("list conversations: %w", err)
	}
	hasNext := len(list) > f.Limit
	if hasNext {
		list = list[:f.Limit]
	}
	return list, int(total), hasNext, nil
}

// Messages returns up to limit messages of a conversation after id afterID,
// oldest first.
func Messages(ctx context.Context, db bun.IDB, conversationID string, afterID int64,
	limit int) ([]*Message, int, bool, error) {
	var list []*Message
	q := db.NewSelect().Model(&list).Where("conversation_id = ?", conversationID)
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, false, fmt.Errorf("count messages: %w", err)
	}
	err = q.Where("id > ?", afterID).Order("id").Limit(int64(limit + 1)).Scan(ctx)
	if err != nil {
		return nil, 0, false, fmt.Errorf("list messages of %s: %w", conversationID, err)
	}
	hasNext := len(list) > limit
	if hasNext {
		list = list[:limit]
	}
	return list, int(total), hasNext, nil
}

// RecordEvent stores a webhook event once; a repeated event id is ignored.
func RecordEvent(ctx context.Context, db bun.IDB, e *Event) error {
	_, err := db.NewInsert().Model(e).On("CONFLICT (event_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("record event %s: %w", e.EventID, err)
	}
	return nil
}

// Events returns the recorded events of a conversation in order.
func Events(ctx context.Context, db bun.IDB, conversationID string) ([]*Event, error) {
	var list []*Event
	err := db.NewSelect().Model(&list).Where("conversation_id = ?", conversationID).
		Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", conversationID, err)
	}
	return list, nil
}
