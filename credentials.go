package ec2token

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ExpiryMargin is how long before their Expiration credentials count as
// expired. Requests signed in the last seconds of a lifetime can reach AWS
// after the end of it; the margin keeps [Credentials.Retrieve] from handing
// out credentials that would fail on the wire.
const ExpiryMargin = 10 * time.Second

// timeNow is the package's one clock. Tests replace it.
var timeNow = time.Now

// Credentials are a set of AWS access keys, usually temporary ones issued by
// STS. The zero value holds no keys and is not usable.
//
// Credentials print, format and log with the access key ID and expiry only:
// String, GoString, Format, LogValue and MarshalJSON never reveal the secret
// access key or the session token. Use [Credentials.Serialize] or
// [Credentials.Marshal] to write them out on purpose.
//
// Credentials are plain values and safe for concurrent use.
type Credentials struct {
	// AccessKeyID identifies the keys. Temporary keys start with "ASIA".
	AccessKeyID string
	// SecretAccessKey signs requests. It is a secret.
	SecretAccessKey string
	// SessionToken accompanies temporary keys on every request. It is empty
	// for long-term keys, and it is a secret.
	SessionToken string
	// Expiration is when the keys stop working. The zero time means the
	// expiry is unknown or the keys never expire.
	Expiration time.Time
}

// Expired reports whether the credentials have expired, counting
// [ExpiryMargin] as already gone. Credentials with a zero Expiration never
// expire.
func (c Credentials) Expired() bool {
	return c.expiredAt(timeNow())
}

func (c Credentials) expiredAt(t time.Time) bool {
	return !c.Expiration.IsZero() && !t.Add(ExpiryMargin).Before(c.Expiration)
}

// Retrieve implements [aws.CredentialsProvider], so Credentials can be set
// as the Credentials of an [aws.Config]. It reports CanExpire and Expires
// from Expiration. It returns an error wrapping [ErrExpired], without any
// request, once the credentials have expired, and an error when the access
// key ID or the secret is missing.
func (c Credentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("ec2token: credentials lack an access key ID or secret access key")
	}
	if c.Expired() {
		return aws.Credentials{}, fmt.Errorf("%w: access key %s expired at %s",
			ErrExpired, c.AccessKeyID, c.Expiration.UTC().Format(time.RFC3339))
	}
	return aws.Credentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Source:          "ec2token",
		CanExpire:       !c.Expiration.IsZero(),
		Expires:         c.Expiration,
	}, nil
}

// String returns the access key ID and the expiry, with the secret access
// key and session token redacted.
func (c Credentials) String() string {
	return "Credentials{" + c.publicFields() + "}"
}

// GoString returns a Go-syntax-like form with the secrets redacted. It is
// what the %#v verb prints.
func (c Credentials) GoString() string {
	return "ec2token.Credentials{" + c.publicFields() + "}"
}

func (c Credentials) publicFields() string {
	exp := "none"
	if !c.Expiration.IsZero() {
		exp = c.Expiration.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("AccessKeyID:%q SecretAccessKey:%s SessionToken:%s Expiration:%s",
		c.AccessKeyID, redacted(c.SecretAccessKey), redacted(c.SessionToken), exp)
}

func redacted(s string) string {
	if s == "" {
		return "<empty>"
	}
	return "<redacted>"
}

// Format implements [fmt.Formatter] so that every verb, including %v, %+v,
// %#v, %s and %q, prints the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.GoString())
}

// formatRedacted writes s, or gs for %#v, honouring %q.
func formatRedacted(f fmt.State, verb rune, s, gs string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, gs)
	case verb == 'q':
		fmt.Fprintf(f, "%q", s)
	default:
		fmt.Fprint(f, s)
	}
}

// LogValue implements [slog.LogValuer]: a group with the access key ID and
// the expiry, nothing secret.
func (c Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("access_key_id", c.AccessKeyID)}
	if !c.Expiration.IsZero() {
		attrs = append(attrs, slog.Time("expiration", c.Expiration))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON implements [json.Marshaler] with the secrets left out, so
// that a Credentials value, or a struct that holds one, cannot leak them
// through encoding/json or a JSON log handler. To write credentials as JSON
// on purpose, use [Credentials.Marshal] with [FormatCredentialProcess].
func (c Credentials) MarshalJSON() ([]byte, error) {
	v := struct {
		AccessKeyID     string
		SecretAccessKey string
		SessionToken    string
		Expiration      *time.Time `json:",omitempty"`
	}{AccessKeyID: c.AccessKeyID, SecretAccessKey: redacted(c.SecretAccessKey),
		SessionToken: redacted(c.SessionToken)}
	if !c.Expiration.IsZero() {
		v.Expiration = &c.Expiration
	}
	return json.Marshal(v)
}
