package ststest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ec2token/ec2token/ststest"
)

const readOnly = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},` +
	`{"Effect":"Deny","Action":"ec2:DescribeInstances","Resource":"*"}]}`

func newServer(t *testing.T) *ststest.Server {
	t.Helper()
	srv := ststest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// federate mints federation credentials with policy through the SDK.
func federate(t *testing.T, srv *ststest.Server, name, policy string) *sts.GetFederationTokenOutput {
	t.Helper()
	in := &sts.GetFederationTokenInput{Name: aws.String(name)}
	if policy != "" {
		in.Policy = aws.String(policy)
	}
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(context.Background(), in)
	require.NoError(t, err)
	return out
}

// configFor returns srv's configuration with other credentials.
func configFor(srv *ststest.Server, c *ststypes.Credentials) aws.Config {
	cfg := srv.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg
}

// apiCode returns the AWS error code of err, or "" if it has none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestGetFederationToken(t *testing.T) {
	srv := newServer(t)
	before := srv.Now()
	out := federate(t, srv, "TemporaryUser", readOnly)

	c := out.Credentials
	require.NotNil(t, c)
	assert.True(t, strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA"), "AccessKeyId = %q", aws.ToString(c.AccessKeyId))
	assert.Len(t, aws.ToString(c.SecretAccessKey), 40)
	assert.NotEmpty(t, aws.ToString(c.SessionToken))
	assert.WithinDuration(t, before.Add(12*time.Hour), aws.ToTime(c.Expiration), 2*time.Second)
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/TemporaryUser", aws.ToString(out.FederatedUser.Arn))
	assert.Equal(t, "123456789012:TemporaryUser", aws.ToString(out.FederatedUser.FederatedUserId))
	want := (len(readOnly)*100 + 2047) / 2048
	//lint:ignore SA1019 STS still sends PackedPolicySize and ec2token reports it.
	assert.Equal(t, int32(want), aws.ToInt32(out.PackedPolicySize))
	assert.Equal(t, int32(len(aws.ToString(c.SessionToken))), aws.ToInt32(out.SessionTokenSize))
	assert.Positive(t, aws.ToInt32(out.SessionTokenUtilization))
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"))

	again := federate(t, srv, "TemporaryUser", readOnly)
	assert.NotEqual(t, aws.ToString(c.AccessKeyId), aws.ToString(again.Credentials.AccessKeyId))
	assert.NotEqual(t, aws.ToString(c.SecretAccessKey), aws.ToString(again.Credentials.SecretAccessKey))

	ec2c := ec2.NewFromConfig(configFor(srv, c))
	imgs, err := ec2c.DescribeImages(context.Background(), &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	assert.Len(t, imgs.Images, 3)
	_, err = ec2c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "DescribeInstances error = %v", err)

	id, err := sts.NewFromConfig(configFor(srv, c)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/TemporaryUser", aws.ToString(id.Arn))
	assert.Equal(t, "123456789012", aws.ToString(id.Account))
}

func TestFederationLimits(t *testing.T) {
	srv := newServer(t)
	client := sts.NewFromConfig(srv.Config())
	skeleton := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*",` +
		`"Resource":"*","Sid":"%s"}]}`
	bigPolicy := fmt.Sprintf(skeleton, strings.Repeat("a", 1950-len(skeleton)+2))
	require.Len(t, bigPolicy, 1950, "the test policy's length")
	tags := func(n int) []ststypes.Tag {
		var out []ststypes.Tag
		for i := range n {
			out = append(out, ststypes.Tag{Key: aws.String("k" + strings.Repeat("x", i%5)), Value: aws.String("v")})
		}
		return out
	}
	arns := make([]ststypes.PolicyDescriptorType, 11)
	for i := range arns {
		arns[i].Arn = aws.String("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")
	}
	tests := []struct {
		name    string
		in      sts.GetFederationTokenInput
		code    string
		message string
	}{
		{"short name", sts.GetFederationTokenInput{Name: aws.String("a")}, "ValidationError",
			"1 validation error detected: Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"long name", sts.GetFederationTokenInput{Name: aws.String(strings.Repeat("n", 33))}, "ValidationError",
			"Member must have length less than or equal to 32"},
		{"bad name", sts.GetFederationTokenInput{Name: aws.String("bad name")}, "ValidationError",
			"Member must satisfy regular expression pattern"},
		{"short duration", sts.GetFederationTokenInput{Name: aws.String("ok"), DurationSeconds: aws.Int32(899)}, "ValidationError",
			"Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"long duration", sts.GetFederationTokenInput{Name: aws.String("ok"), DurationSeconds: aws.Int32(129601)}, "ValidationError",
			"Member must have value less than or equal to 129600"},
		{"two errors", sts.GetFederationTokenInput{Name: aws.String("a"), DurationSeconds: aws.Int32(1)}, "ValidationError",
			"2 validation errors detected: "},
		{"long policy", sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(bigPolicy + strings.Repeat(" ", 200))}, "ValidationError",
			"at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"too many ARNs", sts.GetFederationTokenInput{Name: aws.String("ok"), PolicyArns: arns}, "ValidationError",
			"at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"too many tags", sts.GetFederationTokenInput{Name: aws.String("ok"), Tags: tags(51)}, "ValidationError",
			"at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"invalid JSON", sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(`{"Version":`)}, "MalformedPolicyDocument",
			"Syntax errors in policy."},
		{"principal", sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`)}, "MalformedPolicyDocument",
			"Policy document should not specify a principal."},
		{"unsupported condition", sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}}`)}, "MalformedPolicyDocument",
			"NumericLessThan"},
		{"packed too large", sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(bigPolicy), Tags: tags(50)}, "PackedPolicyTooLarge",
			"Packed policy consumes 1"},
		{"unknown policy ARN", sts.GetFederationTokenInput{Name: aws.String("ok"), PolicyArns: arns[:1:1][:0:0]}, "", ""},
	}
	tests[len(tests)-1].in.PolicyArns = []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::123456789012:policy/none")}}
	tests[len(tests)-1].code, tests[len(tests)-1].message = "NoSuchEntity", "does not exist"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.GetFederationToken(context.Background(), &tt.in)
			require.Error(t, err)
			var ae smithy.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.code, ae.ErrorCode(), "GetFederationToken error = %v", err)
			assert.Contains(t, ae.ErrorMessage(), tt.message)
		})
	}

	_, err := client.GetFederationToken(context.Background(), &tests[9].in)
	var mal *ststypes.MalformedPolicyDocumentException
	assert.ErrorAs(t, err, &mal, "GetFederationToken(invalid JSON) = %v, want a MalformedPolicyDocumentException", err)
	_, err = client.GetFederationToken(context.Background(), &tests[12].in)
	var big *ststypes.PackedPolicyTooLargeException
	assert.ErrorAs(t, err, &big, "GetFederationToken(large) = %v, want a PackedPolicyTooLargeException", err)

	ok, err := client.GetFederationToken(context.Background(), &sts.GetFederationTokenInput{
		Name: aws.String("limits"), Policy: aws.String(bigPolicy), DurationSeconds: aws.Int32(129600)})
	require.NoError(t, err, "a policy of the largest packed size")
	//lint:ignore SA1019 STS still sends PackedPolicySize and ec2token reports it.
	assert.Equal(t, int32(96), aws.ToInt32(ok.PackedPolicySize), "1950 of 2048 bytes, rounded up")
}

func TestTemporaryCredentialsCannotMint(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	fed := federate(t, srv, "nested", readOnly)
	sess, err := sts.NewFromConfig(srv.Config()).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	require.NoError(t, err)

	for name, c := range map[string]*ststypes.Credentials{"federated": fed.Credentials, "session": sess.Credentials} {
		client := sts.NewFromConfig(configFor(srv, c))
		_, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
		assert.Equal(t, "AccessDenied", apiCode(err), "%s: GetFederationToken error = %v", name, err)
		assert.ErrorContains(t, err, "Cannot call GetFederationToken with session credentials")
		_, err = client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		assert.Equal(t, "AccessDenied", apiCode(err), "%s: GetSessionToken error = %v", name, err)
		assert.ErrorContains(t, err, "Cannot call GetSessionToken with session credentials")
	}
}

func TestGetSessionTokenMFA(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv := newServer(t)
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))
	client := sts.NewFromConfig(srv.Config())
	ctx := context.Background()

	tests := []struct {
		name, serial, code string
		wantCode, wantMsg  string
	}{
		{"right code", serial, "123456", "", ""},
		{"no MFA", "", "", "", ""},
		{"wrong code", serial, "654321", "AccessDenied",
			"MultiFactorAuthentication failed with invalid MFA one time pass code."},
		{"unknown device", "arn:aws:iam::123456789012:mfa/other", "123456", "AccessDenied",
			"MultiFactorAuthentication failed"},
		{"code without device", "", "123456", "AccessDenied", "must provide both"},
		{"short code", serial, "12345", "ValidationError", "at 'tokenCode'"},
		{"letters", serial, "12345a", "ValidationError", "at 'tokenCode'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.GetSessionTokenInput{}
			if tt.serial != "" {
				in.SerialNumber = aws.String(tt.serial)
			}
			if tt.code != "" {
				in.TokenCode = aws.String(tt.code)
			}
			out, err := client.GetSessionToken(ctx, in)
			assert.Equal(t, tt.wantCode, apiCode(err), "GetSessionToken error = %v", err)
			if tt.wantCode != "" {
				assert.ErrorContains(t, err, tt.wantMsg)
				assert.NotContains(t, err.Error(), tt.code, "the error quotes the MFA code")
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA"))
			assert.Equal(t, int32(len(aws.ToString(out.Credentials.SessionToken))), aws.ToInt32(out.SessionTokenSize))
		})
	}
}

func TestMFACheckSeesServerClock(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/clock"
	srv := newServer(t)
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return start })
	var seen time.Time
	srv.AddMFADevice(serial, func(code string, now time.Time) bool {
		seen = now
		return code == now.Format("150405")
	})
	srv.Advance(90 * time.Second)
	_, err := sts.NewFromConfig(srv.Config()).GetSessionToken(context.Background(),
		&sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("000130")})
	require.NoError(t, err)
	assert.Equal(t, start.Add(90*time.Second), seen)
}

func TestMinimumSessionTokenSize(t *testing.T) {
	srv := newServer(t)
	client := sts.NewFromConfig(srv.Config())
	out, err := client.GetSessionToken(context.Background(),
		&sts.GetSessionTokenInput{MinimumSessionTokenSize: aws.Int32(2000)})
	require.NoError(t, err)
	assert.Len(t, aws.ToString(out.Credentials.SessionToken), 2000)
	assert.Equal(t, int32(2000), aws.ToInt32(out.SessionTokenSize))
	assert.Equal(t, int32((2000*100+4095)/4096), aws.ToInt32(out.SessionTokenUtilization))

	_, err = client.GetFederationToken(context.Background(), &sts.GetFederationTokenInput{
		Name: aws.String("big"), MinimumSessionTokenSize: aws.Int32(4097)})
	assert.Equal(t, "ValidationError", apiCode(err), "GetFederationToken error = %v", err)
}
