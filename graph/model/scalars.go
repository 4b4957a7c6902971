package model

import (
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// MarshalUUID writes a UUID as a JSON string.
func MarshalUUID(id uuid.UUID) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(id.String()))
	})
}

// UnmarshalUUID parses a UUID argument. A malformed value is INVALID_INPUT;
// the error presenter adds the argument name from the error's path.
func UnmarshalUUID(v any) (uuid.UUID, error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, &apperr.Error{Code: apperr.InvalidInput,
			Message: fmt.Sprintf("must be a UUID string, got %T", v)}
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, &apperr.Error{Code: apperr.InvalidInput,
			Message: fmt.Sprintf("%q is not a valid UUID", truncate(s, 64))}
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
