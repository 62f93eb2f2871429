package ststest_test

import (
	"context"
	"errors"
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
