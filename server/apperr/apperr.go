// Package apperr defines the domain errors that every API surface maps to one
// stable code: GraphQL puts the code in extensions.code, REST in the "code"
// field next to an HTTP status.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error class.
type Code string

const (
	Unauthenticated   Code = "UNAUTHENTICATED"
	Forbidden         Code = "FORBIDDEN"
	NotFound          Code = "NOT_FOUND"
	InvalidInput      Code = "INVALID_INPUT"
	Conflict          Code = "CONFLICT"
	AmbiguousAgent    Code = "AMBIGUOUS_AGENT"
	ClientNotReady    Code = "CLIENT_NOT_READY"
	TenantUnavailable Code = "TENANT_UNAVAILABLE"
	RateLimited       Code = "RATE_LIMITED"
	UpstreamFailed    Code = "UPSTREAM_FAILED"
	UpstreamTimeout   Code = "UPSTREAM_TIMEOUT"
	NotConfigured     Code = "NOT_CONFIGURED"
	Internal          Code = "INTERNAL"
)

// Status returns the HTTP status of a REST response with code.
func (c Code) Status() int {
	switch c {
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case InvalidInput, NotConfigured:
		return http.StatusBadRequest
	case Conflict, AmbiguousAgent:
		return http.StatusConflict
	case ClientNotReady, TenantUnavailable:
		return http.StatusServiceUnavailable
	case RateLimited:
		return http.StatusTooManyRequests
	case UpstreamFailed:
		return http.StatusBadGateway
	case UpstreamTimeout:
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

// Error is a domain error with a code, a message safe to show to the caller,
// and optional structured details (the offending field, candidate clients).
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, in the caller's spelling.
	Field string
	// Details holds extra values for extensions, for example "candidates".
	Details map[string]any
	// Err is the underlying cause. It is logged, never shown to the caller.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and message whose cause is err.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Invalid returns an INVALID_INPUT error about field.
func Invalid(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: InvalidInput, Field: field, Message: field + ": " + msg}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, or Internal when err carries none.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
