package ec2token

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// STSClient is the part of [sts.Client] that this package uses. A
// *sts.Client satisfies it; tests can stub it.
type STSClient interface {
	GetFederationToken(ctx context.Context, in *sts.GetFederationTokenInput,
		optFns ...func(*sts.Options)) (*sts.GetFederationTokenOutput, error)
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput,
		optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// Limits that STS documents and that this package checks before it sends a
// request.
const (
	MinDuration   = 15 * time.Minute // shortest token lifetime STS grants
	MaxDuration   = 36 * time.Hour   // longest token lifetime STS grants
	MaxPolicyARNs = 10               // most managed policies per federation token
	MaxTags       = 50               // most session tags per federation token
)

// FederationOptions tunes [GetFederationToken]. Every field is checked
// before any request; a value out of bounds is rejected with an
// [*InputError], never clamped.
type FederationOptions struct {
	// Duration is the token's lifetime, in whole seconds from
	// [MinDuration] to [MaxDuration]. Zero asks for the STS default, 12
	// hours.
	Duration time.Duration
	// Policy limits what the federated user may do. Without Policy,
	// PolicyJSON or PolicyARNs the user may do nothing at all. Its
	// document may be at most 2048 characters once white space outside
	// strings is removed.
	Policy *Policy
	// PolicyJSON is a hand-written policy document to use instead of
	// Policy. It is checked as [ParsePolicy] checks it, EC2 action names
	// included, and obeys the same size limit; it is sent compacted.
	// Setting both Policy and PolicyJSON is an error.
	PolicyJSON string
	// PolicyARNs names up to [MaxPolicyARNs] IAM managed policies that
	// also limit the user, as in "arn:aws:iam::aws:policy/ReadOnlyAccess".
	PolicyARNs []string
	// Tags are session tags passed to the federated user's session: at
	// most [MaxTags]; keys of 1 to 128 and values of 0 to 256 letters,
	// digits, spaces and "_.:/=+-@"; keys unique ignoring case and not
	// starting with "aws:".
	Tags map[string]string
	// ExpiryWindow is read by [NewFederationProvider] alone: how long
	// before the credentials expire it mints new ones. Zero means
	// [DefaultExpiryWindow]; a negative window refreshes only at expiry.
	ExpiryWindow time.Duration
}

// SessionOptions tunes [GetSessionToken]. Every field is checked before
// any request; a value out of bounds is rejected with an [*InputError].
type SessionOptions struct {
	// Duration is the token's lifetime, in whole seconds from
	// [MinDuration] to [MaxDuration]. Zero asks for the STS default, 12
	// hours. STS allows at most one hour for an account's root user.
	Duration time.Duration
	// SerialNumber identifies the caller's MFA device: the ARN of a
	// virtual device or the serial of a hardware one, 9 to 256 characters
	// of letters, digits and "+=/:,.@-_". Empty means no MFA.
	SerialNumber string
	// TokenCode is the six-digit code the MFA device shows. It is used
	// only with SerialNumber.
	TokenCode string
	// TokenProvider supplies the code when SerialNumber is set and
	// TokenCode is empty, typically by asking a person. It is called once
	// per token, just before the request.
	TokenProvider func() (string, error)
	// ExpiryWindow is read by [NewSessionProvider] alone: how long before
	// the credentials expire it mints new ones. Zero means
	// [DefaultExpiryWindow]; a negative window refreshes only at expiry.
	ExpiryWindow time.Duration
}

var (
	policyARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[\w+=,.@/-]+$`)
	tagTextRe   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// isWordOr reports whether s has min to max bytes, each an ASCII letter,
// digit, underscore or one of extra.
func isWordOr(s string, min, max int, extra string) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' ||
			strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

func isMFACode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// GetFederationToken asks STS for temporary credentials of a federated
// user called name, limited by the policy in the options. The client must
// be authorized by the long-term credentials of an IAM user: STS refuses
// temporary credentials.
//
// Bad arguments are reported as an [*InputError] before any request. A
// failed request comes back as an [*STSError] that wraps the SDK's error,
// so errors.As still finds types such as
// [types.PackedPolicyTooLargeException].
func GetFederationToken(ctx context.Context, client STSClient, name string,
	optFns ...func(*FederationOptions)) (*Token, error) {
	var opts FederationOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	in, err := federationInput(name, &opts)
	if err != nil {
		return nil, err
	}

	out, err := client.GetFederationToken(ctx, in)
	if err != nil {
		return nil, newSTSError("GetFederationToken", err)
	}
	if out.Credentials == nil {
		return nil, &STSError{Op: "GetFederationToken", Err: errNoCredentials}
	}
	tok := &Token{
		Credentials: fromSTS(out.Credentials),
		//lint:ignore SA1019 the Perl module's contract keeps PackedPolicySize; AWS still sends it
		PackedPolicySize:        out.PackedPolicySize,
		SessionTokenUtilization: out.SessionTokenUtilization,
	}
	if u := out.FederatedUser; u != nil {
		tok.FederatedUser = &FederatedUser{ARN: aws.ToString(u.Arn), ID: aws.ToString(u.FederatedUserId)}
	}
	return tok, nil
}

func federationInput(name string, opts *FederationOptions) (*sts.GetFederationTokenInput, error) {
	if !isWordOr(name, 2, 32, "+=,.@-") {
		return nil, inputErrorf("name",
			"must be 2 to 32 letters, digits or characters of \"+=,.@_-\" (has %d characters)",
			utf8.RuneCountInString(name))
	}
	in := &sts.GetFederationTokenInput{Name: aws.String(name)}
	var err error
	if in.DurationSeconds, err = durationSeconds(opts.Duration); err != nil {
		return nil, err
	}
	if in.Policy, err = policyDocument(opts); err != nil {
		return nil, err
	}
	if in.PolicyArns, err = policyARNs(opts.PolicyARNs); err != nil {
		return nil, err
	}
	if in.Tags, err = sessionTags(opts.Tags); err != nil {
		return nil, err
	}
	return in, nil
}

// GetSessionToken asks STS for temporary credentials with the caller's own
// rights, optionally proven by an MFA code.
//
// Bad arguments are reported as an [*InputError] before any request; an
// error from SessionOptions.TokenProvider is returned wrapped. A failed
// request comes back as an [*STSError] that wraps the SDK's error.
func GetSessionToken(ctx context.Context, client STSClient,
	optFns ...func(*SessionOptions)) (*Token, error) {
	var opts SessionOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	in, err := sessionInput(&opts)
	if err != nil {
		return nil, err
	}

	out, err := client.GetSessionToken(ctx, in)
	if err != nil {
		return nil, newSTSError("GetSessionToken", err)
	}
	if out.Credentials == nil {
		return nil, &STSError{Op: "GetSessionToken", Err: errNoCredentials}
	}
	return &Token{Credentials: fromSTS(out.Credentials)}, nil
}

func sessionInput(opts *SessionOptions) (*sts.GetSessionTokenInput, error) {
	secs, err := durationSeconds(opts.Duration)
	if err != nil {
		return nil, err
	}
	in := &sts.GetSessionTokenInput{DurationSeconds: secs}
	if opts.SerialNumber == "" {
		if opts.TokenCode != "" {
			return nil, inputErrorf("TokenCode", "needs a SerialNumber naming the MFA device")
		}
		return in, nil
	}
	if !isWordOr(opts.SerialNumber, 9, 256, "+=/:,.@-") {
		return nil, inputErrorf("SerialNumber",
			"must be 9 to 256 letters, digits or characters of \"+=/:,.@_-\" (has %d characters)",
			utf8.RuneCountInString(opts.SerialNumber))
	}
	code := opts.TokenCode
	if code == "" {
		if opts.TokenProvider == nil {
			return nil, inputErrorf("TokenCode", "is needed with a SerialNumber; set it or a TokenProvider")
		}
		if code, err = opts.TokenProvider(); err != nil {
			return nil, fmt.Errorf("ec2token: MFA token provider: %w", err)
		}
		code = strings.TrimSpace(code)
	}
	if !isMFACode(code) {
		return nil, inputErrorf("TokenCode", "must be exactly six digits")
	}
	in.SerialNumber, in.TokenCode = aws.String(opts.SerialNumber), aws.String(code)
	return in, nil
}

func durationSeconds(d time.Duration) (*int32, error) {
	switch {
	case d == 0:
		return nil, nil
	case d%time.Second != 0:
		return nil, inputErrorf("Duration", "must be a whole number of seconds")
	case d < MinDuration || d > MaxDuration:
		return nil, inputErrorf("Duration", "must be between %v and %v, or 0 for the STS default (is %v)",
			MinDuration, MaxDuration, d)
	}
	return aws.Int32(int32(d / time.Second)), nil
}

func policyDocument(opts *FederationOptions) (*string, error) {
	switch {
	case opts.Policy != nil && opts.PolicyJSON != "":
		return nil, inputErrorf("Policy", "cannot be set together with PolicyJSON; choose one")
	case opts.Policy != nil:
		doc, err := opts.Policy.document("Policy")
		if err != nil {
			return nil, err
		}
		return aws.String(doc), nil
	case opts.PolicyJSON != "":
		_, packed, err := parsePolicy("PolicyJSON", opts.PolicyJSON)
		if err != nil {
			return nil, err
		}
		return aws.String(packed), nil
	}
	return nil, nil
}

func policyARNs(arns []string) ([]types.PolicyDescriptorType, error) {
	if len(arns) > MaxPolicyARNs {
		return nil, inputErrorf("PolicyARNs", "has %d entries, more than the limit of %d", len(arns), MaxPolicyARNs)
	}
	var out []types.PolicyDescriptorType
	for i, arn := range arns {
		if len(arn) < 20 || len(arn) > 2048 || !policyARNRe.MatchString(arn) {
			return nil, inputErrorf(fmt.Sprintf("PolicyARNs[%d]", i),
				"must be an IAM policy ARN of 20 to 2048 characters, as in arn:aws:iam::aws:policy/ReadOnlyAccess")
		}
		out = append(out, types.PolicyDescriptorType{Arn: aws.String(arn)})
	}
	return out, nil
}

func sessionTags(tags map[string]string) ([]types.Tag, error) {
	if len(tags) > MaxTags {
		return nil, inputErrorf("Tags", "has %d entries, more than the limit of %d", len(tags), MaxTags)
	}
	keys := slices.Sorted(maps.Keys(tags))
	seen := make(map[string]bool, len(keys))
	var out []types.Tag
	for _, k := range keys {
		field := fmt.Sprintf("Tags[%q]", k)
		switch n := utf8.RuneCountInString(k); {
		case n < 1 || n > 128:
			return nil, inputErrorf("Tags", "key must be 1 to 128 characters (one has %d)", n)
		case !tagTextRe.MatchString(k):
			return nil, inputErrorf(field, "key may hold only letters, digits, spaces and \"_.:/=+-@\"")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, inputErrorf(field, "key must not start with the reserved prefix \"aws:\"")
		case seen[strings.ToLower(k)]:
			return nil, inputErrorf(field, "key repeats another when case is ignored; keys must be unique")
		}
		seen[strings.ToLower(k)] = true
		v := tags[k]
		if n := utf8.RuneCountInString(v); n > 256 || !tagTextRe.MatchString(v) {
			return nil, inputErrorf(field, "value must be 0 to 256 letters, digits, spaces and \"_.:/=+-@\"")
		}
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

func fromSTS(c *types.Credentials) Credentials {
	return Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expiration:      aws.ToTime(c.Expiration),
	}
}

var errNoCredentials = errors.New("response held no credentials")
