package ec2token

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
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

// STSError reports a GetFederationToken or GetSessionToken request that
// failed. It wraps the SDK's error, so errors.As still reaches types such
// as [smithy.APIError] or [types.PackedPolicyTooLargeException], and its
// message adds what to do about the common causes.
type STSError struct {
	// Op is the STS operation, as in "GetFederationToken".
	Op string
	// Hint says what to do, or is empty when there is no advice.
	Hint string
	// Err is the error the SDK returned.
	Err error
}

// Error implements the error interface.
func (e *STSError) Error() string {
	msg := "ec2token: " + e.Op + ": " + e.Err.Error()
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Unwrap returns the SDK's error.
func (e *STSError) Unwrap() error { return e.Err }

// Code returns the AWS error code, as in "AccessDenied", or "" when the
// request failed before STS answered.
func (e *STSError) Code() string {
	var api smithy.APIError
	if errors.As(e.Err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func newSTSError(op string, err error) error {
	e := &STSError{Op: op, Err: err}
	switch e.Code() {
	case "AccessDenied":
		if op == "GetFederationToken" {
			e.Hint = "GetFederationToken needs the long-term credentials of an IAM user " +
				"allowed sts:GetFederationToken; STS refuses temporary credentials and the root user"
		} else {
			e.Hint = "check the MFA serial number and code; STS refuses GetSessionToken " +
				"to callers that use temporary credentials"
		}
	case "PackedPolicyTooLarge":
		e.Hint = "shorten the policy or pass fewer tags or policy ARNs"
	case "MalformedPolicyDocument":
		e.Hint = "check the document with ParsePolicy or Policy.Validate"
	case "RegionDisabled", "RegionDisabledException":
		e.Hint = "activate STS for this region in the IAM console, or use another region"
	case "InvalidClientTokenId":
		e.Hint = "AWS does not know the caller's access key ID; check the configured credentials"
	case "SignatureDoesNotMatch":
		e.Hint = "the secret access key does not match the access key ID, or the clock is wrong"
	case "ExpiredToken":
		e.Hint = "the caller's own credentials have expired; refresh them"
	}
	return e
}
