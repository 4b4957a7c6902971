package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// presentError maps domain errors to GraphQL errors with a stable
// extensions.code. Errors without a code are logged and shown as a generic
// internal error, so no database detail or secret reaches the caller.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if e.Code == apperr.InvalidInput && e.Field == "" && len(gqlErr.Path) > 0 {
				// A scalar rejected an argument: name it from the path.
				field := fmt.Sprint(gqlErr.Path[len(gqlErr.Path)-1])
				ext["field"] = field
				gqlErr.Message = field + ": " + e.Message
			}
			if e.Field != "" {
				ext["field"] = e.Field
			}
			for k, v := range e.Details {
				ext[k] = v
			}
			gqlErr.Extensions = ext
			if e.Code == apperr.Forbidden {
				// A denial is a security event. The actor names the caller
				// without a secret.
				log.Info("request denied", "code", e.Code, "path", gqlErr.Path.String(),
					"actor", auth.FromContext(ctx).Actor())
			}
			if e.Code == apperr.Internal || e.Code == apperr.UpstreamFailed {
				log.Warn("request failed", "code", e.Code, "path", gqlErr.Path.String(), "error", err)
			}
			return gqlErr
		}
		var existing *gqlerror.Error
		if errors.As(err, &existing) && existing.Extensions["code"] != nil {
			return invalidVariable(gqlErr)
		}
		if errors.Is(err, context.Canceled) {
			gqlErr.Message = "request cancelled"
			gqlErr.Extensions = map[string]any{"code": "CANCELLED"}
			return gqlErr
		}
		log.Error("unhandled resolver error", "path", gqlErr.Path.String(), "error", err)
		gqlErr.Message = "internal error"
		gqlErr.Extensions = map[string]any{"code": string(apperr.Internal)}
		return gqlErr
	}
}

func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.Error("resolver panic", "panic", fmt.Sprint(v))
		return apperr.New(apperr.Internal, "internal error")
	}
}

// invalidVariable reports a variable that failed the schema's type check
// (an unknown enum value, a string for an Int) as INVALID_INPUT naming the
// variable's field, like every other bad input. gqlgen gives such errors
// the code GRAPHQL_VALIDATION_FAILED and a path such as
// ["variable", "input", "mode"].
func invalidVariable(e *gqlerror.Error) *gqlerror.Error {
	if e.Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" || len(e.Path) < 2 ||
		fmt.Sprint(e.Path[0]) != "variable" {
		return e
	}
	field := fmt.Sprint(e.Path[len(e.Path)-1])
	e.Extensions = map[string]any{"code": string(apperr.InvalidInput), "field": field}
	return e
}
