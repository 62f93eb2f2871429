package ec2token

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stubSTS records the requests it sees and answers with canned values.
type stubSTS struct {
	fedIn  []*sts.GetFederationTokenInput
	sessIn []*sts.GetSessionTokenInput
	err    error
	expiry time.Time
}

func (s *stubSTS) calls() int { return len(s.fedIn) + len(s.sessIn) }

func (s *stubSTS) creds() *types.Credentials {
	return &types.Credentials{
		AccessKeyId:     aws.String("ASIAEXAMPLEEXAMPLE01"),
		SecretAccessKey: aws.String("stub-secret-key"),
		SessionToken:    aws.String("stub-session-token"),
		Expiration:      aws.Time(s.expiry),
	}
}

func (s *stubSTS) GetFederationToken(_ context.Context, in *sts.GetFederationTokenInput,
	_ ...func(*sts.Options)) (*sts.GetFederationTokenOutput, error) {
	s.fedIn = append(s.fedIn, in)
	if s.err != nil {
		return nil, s.err
	}
	name := aws.ToString(in.Name)
	return &sts.GetFederationTokenOutput{
		Credentials: s.creds(),
		FederatedUser: &types.FederatedUser{
			Arn:             aws.String("arn:aws:sts::123456789012:federated-user/" + name),
			FederatedUserId: aws.String("123456789012:" + name),
		},
		//lint:ignore SA1019 STS still sends the field the Token contract keeps
		PackedPolicySize:        aws.Int32(7),
		SessionTokenUtilization: aws.Int32(9),
	}, nil
}

func (s *stubSTS) GetSessionToken(_ context.Context, in *sts.GetSessionTokenInput,
	_ ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	s.sessIn = append(s.sessIn, in)
	if s.err != nil {
		return nil, s.err
	}
	return &sts.GetSessionTokenOutput{Credentials: s.creds()}, nil
}

func newStub() *stubSTS {
	return &stubSTS{expiry: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
}

// bigPolicy is a valid policy document of more than 2048 characters.
var bigPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:TerminateInstances",` +
	`"Resource":["arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"` +
	strings.Repeat(`,"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"`, 40) + `]}]}`

func TestGetFederationTokenChecksInput(t *testing.T) {
	manyTags := map[string]string{}
	for i := range 51 {
		manyTags[strings.Repeat("k", i+1)] = "v"
	}
	manyARNs := make([]string, 11)
	for i := range manyARNs {
		manyARNs[i] = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	}
	tests := []struct {
		name      string
		user      string
		opts      FederationOptions
		wantField string
		wantText  string
	}{
		{"name too short", "a", FederationOptions{}, "name", "2 to 32"},
		{"name too long", strings.Repeat("a", 33), FederationOptions{}, "name", "has 33 characters"},
		{"name bad character", "bob smith", FederationOptions{}, "name", "+=,.@_-"},
		{"duration too short", "bob", FederationOptions{Duration: 14 * time.Minute}, "Duration", "between 15m0s and 36h0m0s"},
		{"duration too long", "bob", FederationOptions{Duration: 36*time.Hour + time.Second}, "Duration", "between"},
		{"duration fractional", "bob", FederationOptions{Duration: time.Hour + time.Millisecond}, "Duration", "whole number of seconds"},
		{"negative duration", "bob", FederationOptions{Duration: -time.Hour}, "Duration", "between"},
		{"both policies", "bob", FederationOptions{Policy: NewPolicy(), PolicyJSON: "{}"}, "Policy", "PolicyJSON"},
		{"policy JSON not an object", "bob", FederationOptions{PolicyJSON: `["a"]`}, "PolicyJSON", "JSON object"},
		{"policy JSON invalid", "bob", FederationOptions{PolicyJSON: `{"Version":`}, "PolicyJSON", "not valid JSON"},
		{"policy too large", "bob", FederationOptions{PolicyJSON: bigPolicy}, "PolicyJSON", "over the limit of 2048"},
		{"too many policy ARNs", "bob", FederationOptions{PolicyARNs: manyARNs}, "PolicyARNs", "limit of 10"},
		{"bad policy ARN", "bob", FederationOptions{PolicyARNs: []string{"arn:aws:s3:::bucket/object-name"}}, "PolicyARNs[0]", "IAM policy ARN"},
		{"too many tags", "bob", FederationOptions{Tags: manyTags}, "Tags", "limit of 50"},
		{"empty tag key", "bob", FederationOptions{Tags: map[string]string{"": "v"}}, "Tags", "1 to 128"},
		{"long tag key", "bob", FederationOptions{Tags: map[string]string{strings.Repeat("k", 129): "v"}}, "Tags", "1 to 128"},
		{"long tag value", "bob", FederationOptions{Tags: map[string]string{"k": strings.Repeat("v", 257)}}, `Tags["k"]`, "0 to 256"},
		{"bad tag character", "bob", FederationOptions{Tags: map[string]string{"k*": "v"}}, `Tags["k*"]`, "may hold only"},
		{"reserved tag prefix", "bob", FederationOptions{Tags: map[string]string{"AWS:x": "v"}}, `Tags["AWS:x"]`, "aws:"},
		{"duplicate tag keys", "bob", FederationOptions{Tags: map[string]string{"Team": "a", "team": "b"}}, `Tags["team"]`, "unique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newStub()
			tok, err := GetFederationToken(context.Background(), stub, tt.user,
				func(o *FederationOptions) { *o = tt.opts })
			require.Error(t, err)
			assert.Nil(t, tok)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.wantField, ie.Field)
			assert.Contains(t, err.Error(), tt.wantText)
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "), "error %q lacks the package prefix", err)
			assert.Zero(t, stub.calls(), "STS was called despite bad input")
		})
	}
}

func TestGetSessionTokenChecksInput(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/admin"
	failing := func() (string, error) { return "", errors.New("no terminal") }
	tests := []struct {
		name      string
		opts      SessionOptions
		wantField string
		wantText  string
	}{
		{"duration too short", SessionOptions{Duration: time.Minute}, "Duration", "between"},
		{"code without serial", SessionOptions{TokenCode: "123456"}, "TokenCode", "SerialNumber"},
		{"serial too short", SessionOptions{SerialNumber: "abc", TokenCode: "123456"}, "SerialNumber", "9 to 256"},
		{"serial bad character", SessionOptions{SerialNumber: "GAHT 1234 5678", TokenCode: "123456"}, "SerialNumber", "9 to 256"},
		{"serial without code", SessionOptions{SerialNumber: serial}, "TokenCode", "TokenProvider"},
		{"code too short", SessionOptions{SerialNumber: serial, TokenCode: "12345"}, "TokenCode", "six digits"},
		{"code not digits", SessionOptions{SerialNumber: serial, TokenCode: "12345a"}, "TokenCode", "six digits"},
		{"provider gives bad code", SessionOptions{SerialNumber: serial,
			TokenProvider: func() (string, error) { return "1234567", nil }}, "TokenCode", "six digits"},
		{"provider fails", SessionOptions{SerialNumber: serial, TokenProvider: failing}, "", "no terminal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newStub()
			_, err := GetSessionToken(context.Background(), stub, func(o *SessionOptions) { *o = tt.opts })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantText)
			if tt.wantField != "" {
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tt.wantField, ie.Field)
			}
			assert.NotContains(t, err.Error(), "12345", "error quotes the MFA code")
			assert.Zero(t, stub.calls(), "STS was called despite bad input")
		})
	}
}

func TestGetFederationTokenBuildsRequest(t *testing.T) {
	stub := newStub()
	pol := NewPolicy().Allow("DescribeImages")
	tok, err := GetFederationToken(context.Background(), stub, "TemporaryUser", func(o *FederationOptions) {
		o.Duration = 3 * time.Hour
		o.Policy = pol
		o.PolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
		o.Tags = map[string]string{"Team": "ops", "Project": "demo"}
	})
	require.NoError(t, err)
	require.Len(t, stub.fedIn, 1)
	in := stub.fedIn[0]
	assert.Equal(t, "TemporaryUser", aws.ToString(in.Name))
	assert.Equal(t, int32(3*3600), aws.ToInt32(in.DurationSeconds))
	assert.Equal(t, pol.String(), aws.ToString(in.Policy))
	require.Len(t, in.PolicyArns, 1)
	require.Len(t, in.Tags, 2)
	assert.Equal(t, "Project", aws.ToString(in.Tags[0].Key), "tags are sent in key order")

	assert.Equal(t, "ASIAEXAMPLEEXAMPLE01", tok.AccessKeyID())
	assert.Equal(t, "stub-secret-key", tok.SecretAccessKey())
	assert.Equal(t, "stub-session-token", tok.SessionToken())
	assert.Equal(t, stub.expiry, tok.Credentials.Expiration)
	require.NotNil(t, tok.FederatedUser)
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/TemporaryUser", tok.FederatedUser.String())
	assert.Equal(t, "TemporaryUser", tok.FederatedUser.Name())
	assert.Equal(t, "123456789012", tok.FederatedUser.AccountID())
	assert.Equal(t, int32(7), *tok.PackedPolicySize)
	assert.Equal(t, int32(9), *tok.SessionTokenUtilization)
}

func TestGetFederationTokenCompactsPolicyJSON(t *testing.T) {
	stub := newStub()
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}\n}"
	_, err := GetFederationToken(context.Background(), stub, "bob",
		func(o *FederationOptions) { o.PolicyJSON = doc })
	require.NoError(t, err)
	assert.Equal(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ec2:*","Resource":"*"}}`,
		aws.ToString(stub.fedIn[0].Policy))
}

func TestGetFederationTokenDefaultsSendNothingOptional(t *testing.T) {
	stub := newStub()
	_, err := GetFederationToken(context.Background(), stub, "bob")
	require.NoError(t, err)
	in := stub.fedIn[0]
	assert.Nil(t, in.DurationSeconds, "zero Duration must leave the STS default")
	assert.Nil(t, in.Policy)
	assert.Empty(t, in.PolicyArns)
	assert.Empty(t, in.Tags)
}

func TestGetSessionTokenMFA(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/admin"
	t.Run("code given", func(t *testing.T) {
		stub := newStub()
		tok, err := GetSessionToken(context.Background(), stub, func(o *SessionOptions) {
			o.SerialNumber, o.TokenCode, o.Duration = serial, "123456", time.Hour
		})
		require.NoError(t, err)
		assert.Nil(t, tok.FederatedUser)
		assert.Nil(t, tok.PackedPolicySize)
		in := stub.sessIn[0]
		assert.Equal(t, serial, aws.ToString(in.SerialNumber))
		assert.Equal(t, "123456", aws.ToString(in.TokenCode))
		assert.Equal(t, int32(3600), aws.ToInt32(in.DurationSeconds))
	})
	t.Run("provider asked once", func(t *testing.T) {
		stub, asked := newStub(), 0
		_, err := GetSessionToken(context.Background(), stub, func(o *SessionOptions) {
			o.SerialNumber = serial
			o.TokenProvider = func() (string, error) { asked++; return " 654321\n", nil }
		})
		require.NoError(t, err)
		assert.Equal(t, 1, asked)
		assert.Equal(t, "654321", aws.ToString(stub.sessIn[0].TokenCode))
	})
	t.Run("code wins over provider", func(t *testing.T) {
		stub := newStub()
		_, err := GetSessionToken(context.Background(), stub, func(o *SessionOptions) {
			o.SerialNumber, o.TokenCode = serial, "111111"
			o.TokenProvider = func() (string, error) { t.Error("provider called"); return "", nil }
		})
		require.NoError(t, err)
	})
}

func TestSTSErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantHint string
		as       func(error) bool
	}{
		{"temporary caller", &smithy.GenericAPIError{Code: "AccessDenied", Message: "Cannot call GetFederationToken with session credentials"},
			"AccessDenied", "long-term credentials of an IAM user", nil},
		{"packed policy too large", &types.PackedPolicyTooLargeException{Message: aws.String("too big")},
			"PackedPolicyTooLarge", "shorten the policy", func(err error) bool {
				var e *types.PackedPolicyTooLargeException
				return errors.As(err, &e)
			}},
		{"malformed policy", &types.MalformedPolicyDocumentException{Message: aws.String("bad")},
			"MalformedPolicyDocument", "ParsePolicy", func(err error) bool {
				var e *types.MalformedPolicyDocumentException
				return errors.As(err, &e)
			}},
		{"region disabled", &types.RegionDisabledException{Message: aws.String("off")},
			"RegionDisabledException", "activate STS", func(err error) bool {
				var e *types.RegionDisabledException
				return errors.As(err, &e)
			}},
		{"network", context.DeadlineExceeded, "", "", func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newStub()
			stub.err = tt.err
			_, err := GetFederationToken(context.Background(), stub, "bob")
			var se *STSError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "GetFederationToken", se.Op)
			assert.Equal(t, tt.wantCode, se.Code())
			assert.Contains(t, err.Error(), tt.wantHint)
			if tt.as != nil {
				assert.True(t, tt.as(err), "errors.As does not reach the SDK's error through %v", err)
			}
		})
	}
}

func TestGetFederationTokenNoCredentials(t *testing.T) {
	_, err := GetFederationToken(context.Background(), emptySTS{}, "bob")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no credentials")
	_, err = GetSessionToken(context.Background(), emptySTS{})
	require.Error(t, err)
}

type emptySTS struct{}

func (emptySTS) GetFederationToken(context.Context, *sts.GetFederationTokenInput,
	...func(*sts.Options)) (*sts.GetFederationTokenOutput, error) {
	return &sts.GetFederationTokenOutput{}, nil
}

func (emptySTS) GetSessionToken(context.Context, *sts.GetSessionTokenInput,
	...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return &sts.GetSessionTokenOutput{}, nil
}

var _ STSClient = (*sts.Client)(nil)

func TestGetFederationTokenChecksPolicyJSONActions(t *testing.T) {
	stub := newStub()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeImage","Resource":"*"}]}`
	_, err := GetFederationToken(context.Background(), stub, "bob",
		func(o *FederationOptions) { o.PolicyJSON = doc })
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "PolicyJSON", ie.Field)
	assert.Contains(t, err.Error(), "did you mean DescribeImages?")
	assert.Zero(t, stub.calls())
}
