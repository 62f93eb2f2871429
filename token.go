package ec2token

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Token is the result of [GetFederationToken] or [GetSessionToken]: a set
// of temporary credentials and what STS said about them.
//
// Token implements [aws.CredentialsProvider] through its credentials. Like
// [Credentials], a Token never prints, formats, logs or JSON-encodes its
// secret access key or session token. This departs on purpose from the
// Perl module, whose token object interpolated as its session token in
// string context; call [Token.SessionToken] when the token is what you
// want.
//
// A Token is not modified by this package after it is returned and is safe
// for concurrent reads.
type Token struct {
	// Credentials are the temporary keys.
	Credentials Credentials
	// FederatedUser is the temporary user a federation token acts as. It is
	// nil for session tokens.
	FederatedUser *FederatedUser
	// PackedPolicySize is the size of the packed session policy and tags as
	// a percentage of the most STS allows. It is nil when STS returned none,
	// as it does for session tokens.
	PackedPolicySize *int32
	// SessionTokenUtilization is the share of the largest allowed session
	// token that this one uses, as a percentage. AWS has begun to send it
	// in place of PackedPolicySize; it is nil when STS returned none.
	SessionTokenUtilization *int32
}

// AccessKeyID returns the token's access key ID.
func (t *Token) AccessKeyID() string { return t.Credentials.AccessKeyID }

// SecretAccessKey returns the token's secret access key. Treat it as a
// secret: do not log it.
func (t *Token) SecretAccessKey() string { return t.Credentials.SecretAccessKey }

// SessionToken returns the token's session token. Treat it as a secret: do
// not log it.
func (t *Token) SessionToken() string { return t.Credentials.SessionToken }

// Retrieve implements [aws.CredentialsProvider]; see [Credentials.Retrieve].
// It returns an error wrapping [ErrExpired] once the token has expired.
func (t *Token) Retrieve(ctx context.Context) (aws.Credentials, error) {
	return t.Credentials.Retrieve(ctx)
}

// String returns a description of the token that names the federated user,
// the access key ID and the expiry, and nothing secret.
func (t *Token) String() string {
	if t == nil {
		return "Token(nil)"
	}
	return "Token{" + t.publicFields() + "}"
}

// GoString returns a Go-syntax-like form with the secrets redacted. It is
// what the %#v verb prints.
func (t *Token) GoString() string {
	if t == nil {
		return "(*ec2token.Token)(nil)"
	}
	return "&ec2token.Token{" + t.publicFields() + "}"
}

func (t *Token) publicFields() string {
	user, size := "<nil>", "<nil>"
	if t.FederatedUser != nil {
		user = fmt.Sprintf("%q", t.FederatedUser.ARN)
	}
	if t.PackedPolicySize != nil {
		size = fmt.Sprintf("%d%%", *t.PackedPolicySize)
	}
	return fmt.Sprintf("Credentials:%s FederatedUser:%s PackedPolicySize:%s",
		t.Credentials.String(), user, size)
}

// Format implements [fmt.Formatter] so that every verb, including %v, %+v,
// %#v, %s and %q, prints the redacted form.
func (t *Token) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, t.String(), t.GoString())
}

// LogValue implements [slog.LogValuer]: the access key ID, the expiry and
// the federated user, nothing secret.
func (t *Token) LogValue() slog.Value {
	if t == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.Any("credentials", t.Credentials)}
	if t.FederatedUser != nil {
		attrs = append(attrs, slog.String("federated_user", t.FederatedUser.ARN))
	}
	if t.PackedPolicySize != nil {
		attrs = append(attrs, slog.Int("packed_policy_size", int(*t.PackedPolicySize)))
	}
	return slog.GroupValue(attrs...)
}
