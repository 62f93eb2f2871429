package ec2token_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

const testTOTPSecret = "JBSWY3DPEHPK3PXP"

// totpCheck accepts the code of testTOTPSecret for the server's time, or
// the period either side of it.
func totpCheck(code string, now time.Time) bool {
	ok, err := totp.ValidateCustom(code, testTOTPSecret, now,
		totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}

func TestEndToEndFederationProviderOneRequest(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := ststest.NewServer()
	defer srv.Close()
	p := ec2token.NewFederationProvider(sts.NewFromConfig(srv.Config()), "Shared",
		func(o *ec2token.FederationOptions) { o.Policy = ec2token.NewPolicy().Allow("DescribeImages") })

	const n = 1000
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = p.Retrieve(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "Retrieve() in goroutine %d", i)
	}
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"), "requests for %d concurrent callers", n)

	client := ec2.NewFromConfig(userConfig(srv), func(o *ec2.Options) { o.Credentials = p })
	_, err := client.DescribeImages(context.Background(), &ec2.DescribeImagesInput{})
	require.NoError(t, err, "DescribeImages with the provider's credentials")
	_, err = client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "DescribeInstances outside the policy")
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"), "requests after two EC2 calls")
}

func TestEndToEndProviderRefreshesNearExpiry(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	p := ec2token.NewFederationProvider(sts.NewFromConfig(srv.Config()), "Refresh",
		func(o *ec2token.FederationOptions) { o.Duration = ec2token.MinDuration })
	ctx := context.Background()

	// With the server's clock 13 minutes behind, a 15-minute token has two
	// minutes left on the wall clock: inside the window.
	srv.Advance(-13 * time.Minute)
	first, err := p.Retrieve(ctx)
	require.NoError(t, err)
	srv.SetClock(nil)
	second, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessKeyID, second.AccessKeyID, "credentials inside the window were kept")
	third, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, second.AccessKeyID, third.AccessKeyID, "fresh credentials were replaced")
	assert.Equal(t, 2, srv.RequestCount("GetFederationToken"))
}

func TestEndToEndProviderRetriesAfterFault(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	srv.FailNext("GetFederationToken", 3, ststest.Throttling) // every attempt of one call
	p := ec2token.NewFederationProvider(sts.NewFromConfig(srv.Config()), "Retry")

	_, err := p.Retrieve(context.Background())
	var se *ec2token.STSError
	require.ErrorAs(t, err, &se)
	_, err = p.Retrieve(context.Background())
	require.NoError(t, err, "Retrieve after a failed refresh")
}

func TestEndToEndSessionProviderTOTP(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv.AddMFADevice(serial, totpCheck)
	client := sts.NewFromConfig(srv.Config())

	tests := []struct {
		name   string
		secret string
		wantOK bool
	}{
		{"right secret", testTOTPSecret, true},
		{"wrong secret", "KRSXG5CTMVRXEZLU", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var codes []string
			p := ec2token.NewSessionProvider(client, func(o *ec2token.SessionOptions) {
				o.SerialNumber = serial
				o.TokenProvider = func() (string, error) {
					c, err := totp.GenerateCode(tt.secret, time.Now())
					codes = append(codes, c)
					return c, err
				}
			})
			for range 2 {
				_, err := p.Retrieve(context.Background())
				if !tt.wantOK {
					var se *ec2token.STSError
					require.ErrorAs(t, err, &se)
					assert.Equal(t, "AccessDenied", se.Code())
					assert.NotContains(t, err.Error(), codes[len(codes)-1], "error quotes the code")
					continue
				}
				require.NoError(t, err)
				p.Invalidate()
			}
			assert.Len(t, codes, 2, "TokenProvider calls for two mints")
		})
	}
}

func TestEndToEndConsoleURL(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	client := sts.NewFromConfig(srv.Config())
	withEndpoint := func(o *ec2token.ConsoleOptions) { o.Endpoint = srv.URL + "/federation" }

	fed, err := ec2token.GetFederationToken(ctx, client, "Console")
	require.NoError(t, err)
	raw, err := fed.ConsoleURL(ctx, withEndpoint)
	require.NoError(t, err)
	u, err := url.Parse(raw)
	require.NoError(t, err)
	user, ok := srv.SigninUser(u.Query().Get("SigninToken"))
	assert.True(t, ok, "the server does not know the signin token")
	assert.Equal(t, fed.FederatedUser.ARN, user)
	assert.Equal(t, 1, srv.RequestCount("getSigninToken"))

	forged := *fed
	forged.Credentials.SecretAccessKey = "not-the-secret"
	_, err = forged.ConsoleURL(ctx, withEndpoint)
	require.ErrorContains(t, err, "HTTP 400")
	assert.NotContains(t, err.Error(), "not-the-secret")

	sess, err := ec2token.GetSessionToken(ctx, client)
	require.NoError(t, err)
	_, err = sess.ConsoleURL(ctx, withEndpoint)
	require.ErrorIs(t, err, ec2token.ErrNotFederated)
	assert.Equal(t, 2, srv.RequestCount("getSigninToken"), "requests for a session token")
}
