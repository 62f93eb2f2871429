package ec2token_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMoto runs the library's flows against moto, an AWS emulator that
// nobody here wrote, to show that its answers parse and its requests are
// accepted.
func TestMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server")
	}
	url := testpeer.Moto(t)
	ctx := context.Background()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAEXAMPLEADMIN", "admin-secret", ""),
	}
	client := sts.NewFromConfig(cfg)

	t.Run("federation token", func(t *testing.T) {
		before := time.Now()
		tok, err := ec2token.GetFederationToken(ctx, client, "TemporaryUser", func(o *ec2token.FederationOptions) {
			o.Duration = 3 * time.Hour
			o.Policy = ec2token.NewPolicy().Allow("DescribeImages", "RunInstances")
			o.Tags = map[string]string{"Project": "demo"}
		})
		require.NoError(t, err)
		assert.NotEmpty(t, tok.AccessKeyID())
		assert.NotEmpty(t, tok.SecretAccessKey())
		assert.NotEmpty(t, tok.SessionToken())
		require.NotNil(t, tok.FederatedUser)
		assert.Equal(t, "TemporaryUser", tok.FederatedUser.Name())
		assert.Len(t, tok.FederatedUser.AccountID(), 12)
		require.NotNil(t, tok.PackedPolicySize)
		assert.WithinDuration(t, before.Add(3*time.Hour), tok.Credentials.Expiration, time.Minute)

		images, err := tok.Credentials.NewEC2FromConfig(cfg).DescribeImages(ctx,
			&ec2.DescribeImagesInput{Owners: []string{"amazon"}})
		require.NoError(t, err)
		assert.NotEmpty(t, images.Images, "moto lists no images for the minted credentials")
	})

	t.Run("session token with MFA", func(t *testing.T) {
		tok, err := ec2token.GetSessionToken(ctx, client, func(o *ec2token.SessionOptions) {
			o.Duration = time.Hour
			o.SerialNumber = "arn:aws:iam::123456789012:mfa/admin"
			o.TokenProvider = func() (string, error) { return "123456", nil }
		})
		require.NoError(t, err)
		assert.Nil(t, tok.FederatedUser)
		assert.NotEmpty(t, tok.SessionToken())
		assert.False(t, tok.Credentials.Expired())
	})
}
