package ec2token_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userConfig is what a user without an AWS account of its own has: the
// endpoint and region, and no credentials.
func userConfig(srv *ststest.Server) aws.Config {
	cfg := srv.Config()
	cfg.Credentials = nil
	return cfg
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestEndToEndFederation(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "TemporaryUser",
		func(o *ec2token.FederationOptions) {
			o.Duration = 3 * time.Hour
			o.Policy = ec2token.NewPolicy().Allow("DescribeImages", "RunInstances")
		})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"))
	assert.Equal(t, "TemporaryUser", tok.FederatedUser.Name())
	assert.Equal(t, ststest.DefaultAccountID, tok.FederatedUser.AccountID())
	assert.WithinDuration(t, srv.Now().Add(3*time.Hour), tok.Credentials.Expiration, time.Minute)

	// The user holds nothing but the serialized string.
	parsed, err := ec2token.ParseCredentials(tok.Credentials.Serialize())
	require.NoError(t, err)
	client := parsed.NewEC2FromConfig(userConfig(srv))

	out, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err, "the policy allows DescribeImages")
	assert.NotEmpty(t, out.Images)

	_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "DescribeInstances error = %v", err)

	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "TerminateInstances error = %v", err)

	t.Run("server-side expiry", func(t *testing.T) {
		srv.Advance(3*time.Hour + time.Minute)
		defer srv.Advance(-(3*time.Hour + time.Minute))
		_, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
		assert.Equal(t, "RequestExpired", apiCode(err), "DescribeImages with expired credentials: %v", err)
	})

	t.Run("temporary credentials cannot federate", func(t *testing.T) {
		cfg := userConfig(srv)
		cfg.Credentials = tok
		_, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(cfg), "Other")
		var se *ec2token.STSError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "AccessDenied", se.Code())
		assert.Contains(t, err.Error(), "long-term credentials of an IAM user")
		assert.NotContains(t, err.Error(), tok.SecretAccessKey())
	})

	t.Run("wrong secret", func(t *testing.T) {
		forged := parsed
		forged.SecretAccessKey = "not-the-secret"
		_, err := forged.NewEC2FromConfig(userConfig(srv)).DescribeImages(ctx, &ec2.DescribeImagesInput{})
		assert.Equal(t, "AuthFailure", apiCode(err), "error = %v", err)
	})
}

func TestEndToEndNoPolicyMeansNoRights(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "nobody")
	require.NoError(t, err)
	_, err = tok.Credentials.NewEC2FromConfig(userConfig(srv)).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err))
}

func TestEndToEndSessionTokenMFA(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))
	ctx := context.Background()
	client := sts.NewFromConfig(srv.Config())

	tok, err := ec2token.GetSessionToken(ctx, client, func(o *ec2token.SessionOptions) {
		o.SerialNumber, o.TokenCode, o.Duration = serial, "123456", time.Hour
	})
	require.NoError(t, err)
	assert.Nil(t, tok.FederatedUser)
	_, err = tok.Credentials.NewEC2FromConfig(userConfig(srv)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	require.NoError(t, err, "a session token acts with its creator's rights")

	_, err = ec2token.GetSessionToken(ctx, client, func(o *ec2token.SessionOptions) {
		o.SerialNumber, o.TokenCode = serial, "654321"
	})
	var se *ec2token.STSError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "AccessDenied", se.Code())
	assert.Contains(t, err.Error(), "MFA")
	assert.NotContains(t, err.Error(), "654321")
	assert.Equal(t, 2, srv.RequestCount("GetSessionToken"))
}

func TestEndToEndNewEC2WithAdminConfig(t *testing.T) {
	// An SDK config that already carries other credentials: the token's
	// keys must still sign.
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "bob",
		func(o *ec2token.FederationOptions) { o.Policy = ec2token.NewPolicy().Allow("DescribeRegions") })
	require.NoError(t, err)
	cfg := srv.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAWRONG", "wrong", "")
	_, err = tok.Credentials.NewEC2FromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	require.NoError(t, err)
	_, err = tok.Credentials.NewEC2FromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "the federated user's policy must apply")
}
