package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Sentinel errors of the connection manager. Acquire returns them inside an
// *apperr.Error, so callers test them with errors.Is and API surfaces read the
// code with apperr.CodeOf.
var (
	// ErrClientNotFound reports a client id that the Directory does not know
	// (code NOT_FOUND). A Directory returns an error matching it for an
	// unknown client.
	ErrClientNotFound = errors.New("tenancy: client not found")

	// ErrClientNotReady reports a client whose tenant database status is not
	// "ready" (code CLIENT_NOT_READY).
	ErrClientNotReady = errors.New("tenancy: client not ready")

	// ErrTenantUnavailable reports a tenant database that could not be opened
	// or reached in time (code TENANT_UNAVAILABLE).
	ErrTenantUnavailable = errors.New("tenancy: tenant database unavailable")

	// ErrManagerClosed reports an Acquire after Close or Shutdown began. It
	// comes wrapped together with ErrTenantUnavailable.
	ErrManagerClosed = errors.New("tenancy: connection manager closed")
)

// errInvalidDSN carries no detail on purpose: url.Parse and pgdriver quote
// the whole DSN, password included, in their errors.
var errInvalidDSN = errors.New("invalid tenant database DSN; check the client's database settings")

func notFoundError(clientID uuid.UUID, cause error) *apperr.Error {
	return &apperr.Error{
		Code:    apperr.NotFound,
		Message: fmt.Sprintf("client %s not found", clientID),
		Err:     cause,
	}
}

func notReadyError(clientID uuid.UUID, status string) *apperr.Error {
	return &apperr.Error{
		Code:    apperr.ClientNotReady,
		Message: fmt.Sprintf("client %s is not ready: tenant database status is %q", clientID, status),
		Details: map[string]any{"status": status},
		Err:     ErrClientNotReady,
	}
}

// unavailableError returns a TENANT_UNAVAILABLE error whose chain contains
// both ErrTenantUnavailable and cause.
func unavailableError(message string, cause error) *apperr.Error {
	return &apperr.Error{
		Code:    apperr.TenantUnavailable,
		Message: message,
		Err:     &causeError{class: ErrTenantUnavailable, cause: cause},
	}
}

// contextError reports the end of the caller's context during Acquire. A
// deadline becomes TENANT_UNAVAILABLE because, for the caller, the tenant
// database did not become available in time (often because every pool was
// busy). A cancelled caller gets the plain context error.
func contextError(clientID uuid.UUID, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return unavailableError(fmt.Sprintf(
			"tenant database of client %s did not become available before the deadline",
			clientID), err)
	}
	return fmt.Errorf("acquire tenant database of client %s: %w", clientID, err)
}

func closedError() *apperr.Error {
	return unavailableError("tenant connection manager is shut down", ErrManagerClosed)
}

// causeError puts a sentinel class in an error chain without repeating the
// sentinel's text in the message.
type causeError struct {
	class error
	cause error
}

func (e *causeError) Error() string { return e.cause.Error() }

func (e *causeError) Unwrap() []error { return []error{e.class, e.cause} }
