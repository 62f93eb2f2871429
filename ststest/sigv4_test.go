package ststest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ec2token/ec2token/ststest"
)

// rawCall sends a request signed by hand, so a test controls every part
// of the signature. It returns the HTTP status and the error code of the
// answer ("" for a success).
func rawCall(t *testing.T, srv *ststest.Server, method, service string, params url.Values,
	creds aws.Credentials, when time.Time) (int, string) {
	t.Helper()
	body := params.Encode()
	target := srv.URL + "/"
	if method == http.MethodGet {
		target += "?" + body
		body = ""
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	require.NoError(t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]),
		service, "us-east-1", when)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e struct {
		Code string `xml:"Error>Code"`
		EC2  string `xml:"Errors>Error>Code"`
	}
	_ = xml.Unmarshal(raw, &e)
	return resp.StatusCode, e.Code + e.EC2
}

func rootCreds(srv *ststest.Server) aws.Credentials {
	id, secret := srv.RootCredentials()
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
}

func TestSignatureChecks(t *testing.T) {
	srv := newServer(t)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	fed := federate(t, srv, "sigcheck", readOnly).Credentials
	temp := aws.Credentials{AccessKeyID: *fed.AccessKeyId, SecretAccessKey: *fed.SecretAccessKey,
		SessionToken: *fed.SessionToken}
	wrongSecret := rootCreds(srv)
	wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "s"}
	noToken, wrongToken := temp, temp
	noToken.SessionToken = ""
	wrongToken.SessionToken = temp.SessionToken + "x"
	now := time.Now()
	stsCall := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	ec2Call := url.Values{"Action": {"DescribeRegions"}, "Version": {"2016-11-15"}}

	tests := []struct {
		name      string
		method    string
		creds     aws.Credentials
		when      time.Time
		stsStatus int
		stsCode   string
		ec2Status int
		ec2Code   string
	}{
		{"root POST", http.MethodPost, rootCreds(srv), now, 200, "", 200, ""},
		{"root GET", http.MethodGet, rootCreds(srv), now, 200, "", 200, ""},
		{"temporary", http.MethodPost, temp, now, 200, "", 200, ""},
		{"wrong secret", http.MethodPost, wrongSecret, now, 403, "SignatureDoesNotMatch", 401, "AuthFailure"},
		{"unknown key", http.MethodPost, unknown, now, 403, "InvalidClientTokenId", 401, "AuthFailure"},
		{"missing token", http.MethodPost, noToken, now, 403, "InvalidClientTokenId", 401, "AuthFailure"},
		{"wrong token", http.MethodPost, wrongToken, now, 403, "InvalidClientTokenId", 401, "AuthFailure"},
		{"16 minutes late", http.MethodPost, rootCreds(srv), now.Add(-16 * time.Minute), 403, "SignatureDoesNotMatch", 400, "RequestExpired"},
		{"16 minutes early", http.MethodPost, rootCreds(srv), now.Add(16 * time.Minute), 403, "SignatureDoesNotMatch", 400, "RequestExpired"},
		{"14 minutes late", http.MethodPost, rootCreds(srv), now.Add(-14 * time.Minute), 200, "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code := rawCall(t, srv, tt.method, "sts", stsCall, tt.creds, tt.when)
			assert.Equal(t, tt.stsStatus, status, "STS status")
			assert.Equal(t, tt.stsCode, code, "STS GetCallerIdentity code = %q, want %q", code, tt.stsCode)
			status, code = rawCall(t, srv, tt.method, "ec2", ec2Call, tt.creds, tt.when)
			assert.Equal(t, tt.ec2Status, status, "EC2 status")
			assert.Equal(t, tt.ec2Code, code, "EC2 DescribeRegions code = %q, want %q", code, tt.ec2Code)
		})
	}
}

func TestMissingAuthentication(t *testing.T) {
	srv := newServer(t)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	resp, err := http.PostForm(srv.URL+"/", url.Values{"Action": {"GetCallerIdentity"},
		"Version": {"2011-06-15"}})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "<Code>MissingAuthenticationToken</Code>")
	assert.Equal(t, 1, srv.RequestCount("GetCallerIdentity"))
}

func TestSDKWrongSecret(t *testing.T) {
	srv := newServer(t)
	cfg := srv.Config()
	id, _ := srv.RootCredentials()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, strings.Repeat("x", 40), "")

	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	assert.Equal(t, "SignatureDoesNotMatch", apiCode(err), "GetCallerIdentity error = %v", err)
	_, err = ec2.NewFromConfig(cfg).DescribeImages(context.Background(), &ec2.DescribeImagesInput{})
	assert.Equal(t, "AuthFailure", apiCode(err), "DescribeImages error = %v", err)
}

func TestExpiry(t *testing.T) {
	srv := newServer(t)
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(context.Background(),
		&sts.GetFederationTokenInput{Name: aws.String("shortlived"), Policy: aws.String(readOnly),
			DurationSeconds: aws.Int32(900)})
	require.NoError(t, err)
	cfg := configFor(srv, out.Credentials)
	ctx := context.Background()

	srv.Advance(899 * time.Second)
	_, err = ec2.NewFromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	require.NoError(t, err, "one second before expiry")

	srv.Advance(time.Second)
	_, err = ec2.NewFromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	assert.Equal(t, "RequestExpired", apiCode(err), "DescribeImages error = %v", err)
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.Equal(t, "ExpiredToken", apiCode(err), "GetCallerIdentity error = %v", err)

	// The root keys never expire.
	_, err = sts.NewFromConfig(srv.Config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.NoError(t, err)

	srv.SetClock(func() time.Time { return aws.ToTime(out.Credentials.Expiration).Add(-time.Minute) })
	assert.Equal(t, aws.ToTime(out.Credentials.Expiration).Add(-time.Minute), srv.Now())
	_, err = ec2.NewFromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	assert.NoError(t, err, "with the clock set back before expiry")
}

func TestPayloadHashMustMatchBody(t *testing.T) {
	srv := newServer(t)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	signedBody := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	sentBody := url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}}.Encode()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(sentBody))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(signedBody))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), rootCreds(srv), req,
		hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "<Code>SignatureDoesNotMatch</Code>")
}

func TestQueryEncodingAndUnknownActions(t *testing.T) {
	srv := newServer(t)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	now := time.Now()
	tests := []struct {
		name, method, service string
		params                url.Values
		status                int
		code                  string
	}{
		{"GET with characters to escape", http.MethodGet, "ec2", url.Values{"Action": {"DescribeImages"},
			"Version": {"2016-11-15"}, "Filter.1.Name": {"name"}, "Filter.1.Value.1": {"a b/c~d*é+%"}}, 200, ""},
		{"unknown STS action", http.MethodPost, "sts", url.Values{"Action": {"AssumeRole"},
			"Version": {"2011-06-15"}}, 400, "InvalidAction"},
		{"unknown EC2 action", http.MethodGet, "ec2", url.Values{"Action": {"DescribeVpcs"},
			"Version": {"2016-11-15"}}, 400, "InvalidAction"},
		{"unknown service", http.MethodPost, "iam", url.Values{"Action": {"ListUsers"}}, 400, "InvalidAction"},
		{"no action", http.MethodPost, "sts", url.Values{"Version": {"2011-06-15"}}, 400, "MissingAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code := rawCall(t, srv, tt.method, tt.service, tt.params, rootCreds(srv), now)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, code)
		})
	}
}
