package ec2token

import (
	"errors"
	"fmt"
)

// ErrExpired is returned, possibly wrapped, when credentials are used or
// retrieved at or after their expiry time less [ExpiryMargin]. Test for it
// with errors.Is.
var ErrExpired = errors.New("ec2token: credentials have expired")

// ErrSealed is returned, possibly wrapped, by [ParseCredentials] when its
// input is a sealed string; open it with [OpenSealed] first.
var ErrSealed = errors.New("ec2token: input is sealed; open it with OpenSealed first")

// ErrUnknownFormat is returned, possibly wrapped, by [ParseCredentials] when
// its input matches none of the formats it knows.
var ErrUnknownFormat = errors.New("ec2token: input is in no known credentials format")

// InputError reports an argument or option that breaks a documented limit.
// It is returned before any request is sent. Its message names the field
// and the limit, and never quotes the value, which may be a secret.
type InputError struct {
	// Field names the offending argument or option, as in "Duration" or
	// "Tags[Project]".
	Field string
	// Problem says what is wrong and what the limit is.
	Problem string
}

// Error implements the error interface.
func (e *InputError) Error() string {
	return "ec2token: invalid " + e.Field + ": " + e.Problem
}

func inputErrorf(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Problem: fmt.Sprintf(format, args...)}
}
