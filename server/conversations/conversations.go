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

// Ensure creates the conversation c when its id is new, or marks the
// existing one as updated, and returns the stored row. An existing
// conversation of another agent is CONFLICT and stays unchanged, so one id
// cannot mix two agents' histories. It is one statement, because every voice
// trigger runs it.
func Ensure(ctx context.Context, db bun.IDB, c *Conversation) (*Conversation, error) {
	var stored []*Conversation
	err := db.NewInsert().Model(c).
		On("CONFLICT (id) DO UPDATE").Set("updated_at = now()").
		Where("conversation.agent_slug = EXCLUDED.agent_slug").
		Returning("*").Scan(ctx, &stored)
	if err != nil {
		return nil, fmt.Errorf("create conversation %s: %w", c.ID, err)
	}
	if len(stored) == 0 {
		return nil, otherAgentError(c.ID)
	}
	return stored[0], nil
}

func otherAgentError(id string) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "conversation_id",
		Message: fmt.Sprintf("conversation_id: conversation %q belongs to another agent", id)}
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

// History returns, oldest first, at most limit messages of conversation id
// that are newer than maxAge. A zero maxAge or limit means no messages. The
// conversation need not exist yet, but when it does it must belong to
// agentSlug, or the error is CONFLICT. One query reads both, because a text
// turn runs it on every message.
func History(ctx context.Context, db bun.IDB, id, agentSlug string, limit int,
	maxAge time.Duration) ([]*Message, error) {
	if limit < 0 || maxAge <= 0 {
		limit = 0
	}
	var rows []struct {
		AgentSlug   string
		ID          sql.NullInt64
		Role        sql.NullString
		Content     sql.NullString
		LLMProvider sql.NullString `bun:"llm_provider"`
		LLMModel    sql.NullString `bun:"llm_model"`
		CreatedAt   sql.NullTime
	}
	err := db.NewRaw(`SELECT c.agent_slug, m.id, m.role, m.content, m.llm_provider,
		m.llm_model, m.created_at
		FROM conversations AS c
		LEFT JOIN LATERAL (
			SELECT * FROM messages
			WHERE conversation_id = c.id AND created_at > ?
			ORDER BY id DESC LIMIT ?
		) AS m ON true
		WHERE c.id = ?
		ORDER BY m.id`, time.Now().Add(-maxAge), limit, id).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load history of conversation %s: %w", id, err)
	}
	if len(rows) > 0 && rows[0].AgentSlug != agentSlug {
		return nil, otherAgentError(id)
	}
	out := make([]*Message, 0, len(rows))
	for _, r := range rows {
		if !r.ID.Valid {
			continue
		}
		out = append(out, &Message{ID: r.ID.Int64, ConversationID: id, Role: r.Role.String,
			Content: r.Content.String, LLMProvider: r.LLMProvider.String,
			LLMModel: r.LLMModel.String, CreatedAt: r.CreatedAt.Time})
	}
	return out, nil
}

// AppendTurn stores the user and assistant messages of one turn, and creates
// conversation c first when it is new. One statement does it all, so it is
// one transaction and one commit: the history never holds a question without
// its answer. The conversation row is upserted first, and its row lock makes
// concurrent turns of one conversation insert one after the other, so each
// user message is directly followed by its reply in id order. A conversation
// of another agent is CONFLICT and nothing is stored.
func AppendTurn(ctx context.Context, db bun.IDB, c *Conversation, user, assistant *Message) error {
	var stored []struct {
		ID        int64
		Role      string
		CreatedAt time.Time
	}
	err := db.NewRaw(`WITH conv AS (
			INSERT INTO conversations (id, agent_slug, user_id, session_id, mode, room_name)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET updated_at = now()
			WHERE conversations.agent_slug = EXCLUDED.agent_slug
			RETURNING id
		)
		INSERT INTO messages (conversation_id, role, content, llm_provider, llm_model)
		SELECT conv.id, v.role, v.content, v.llm_provider, v.llm_model
		FROM conv CROSS JOIN (VALUES (1, ?, ?, ?, ?), (2, ?, ?, ?, ?))
			AS v (position, role, content, llm_provider, llm_model)
		ORDER BY v.position
		RETURNING id, role, created_at`,
		c.ID, c.AgentSlug, c.UserID, c.SessionID, c.Mode, c.RoomName,
		user.Role, user.Content, user.LLMProvider, user.LLMModel,
		assistant.Role, assistant.Content, assistant.LLMProvider, assistant.LLMModel,
	).Scan(ctx, &stored)
	if err != nil {
		return fmt.Errorf("store turn of conversation %s: %w", c.ID, err)
	}
	if len(stored) != 2 {
		return otherAgentError(c.ID)
	}
	for _, row := range stored {
		m := user
		if row.Role == assistant.Role {
			m = assistant
		}
		m.ConversationID, m.ID, m.CreatedAt = c.ID, row.ID, row.CreatedAt
	}
	return nil
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
