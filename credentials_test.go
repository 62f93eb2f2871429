package ec2token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fixtureSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
	fixtureSession = "FwoGZXIvYXdzEXAMPLESESSIONTOKENxyz"
)

func testCreds(exp time.Time) Credentials {
	return Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: fixtureSecret,
		SessionToken: fixtureSession, Expiration: exp}
}

// setClock makes the package clock read t for the rest of the test.
func setClock(t *testing.T, at time.Time) {
	t.Helper()
	old := timeNow
	timeNow = func() time.Time { return at }
	t.Cleanup(func() { timeNow = old })
}

func TestExpired(t *testing.T) {
	exp := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		exp  time.Time
		want bool
	}{
		{"long before", exp.Add(-time.Hour), exp, false},
		{"just outside the margin", exp.Add(-ExpiryMargin - time.Nanosecond), exp, false},
		{"inside the margin", exp.Add(-ExpiryMargin), exp, true},
		{"at expiry", exp, exp, true},
		{"after", exp.Add(time.Hour), exp, true},
		{"zero expiration never expires", exp.Add(100 * 365 * 24 * time.Hour), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setClock(t, tt.now)
			c := testCreds(tt.exp)
			assert.Equal(t, tt.want, c.Expired(), "Expired() at %v for expiry %v", tt.now, tt.exp)
		})
	}
}

func TestRetrieve(t *testing.T) {
	exp := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	setClock(t, exp.Add(-time.Hour))
	got, err := testCreds(exp).Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ASIAEXAMPLEEXAMPLE01", got.AccessKeyID)
	assert.Equal(t, fixtureSecret, got.SecretAccessKey)
	assert.Equal(t, fixtureSession, got.SessionToken)
	assert.True(t, got.CanExpire)
	assert.Equal(t, exp, got.Expires)

	got, err = Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"}.Retrieve(context.Background())
	require.NoError(t, err)
	assert.False(t, got.CanExpire, "credentials without an expiry cannot expire")

	_, err = Credentials{AccessKeyID: "AKIAEXAMPLE"}.Retrieve(context.Background())
	require.Error(t, err, "credentials without a secret must not be retrievable")

	setClock(t, exp)
	_, err = testCreds(exp).Retrieve(context.Background())
	require.ErrorIs(t, err, ErrExpired)
	assert.NotContains(t, err.Error(), fixtureSecret)

	tok := &Token{Credentials: testCreds(exp)}
	_, err = tok.Retrieve(context.Background())
	require.ErrorIs(t, err, ErrExpired)
}

// holder is how users embed tokens in their own types.
type holder struct {
	Name  string
	Tok   *Token
	Creds Credentials
}

func TestSecretsNeverPrinted(t *testing.T) {
	exp := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	tok := &Token{Credentials: testCreds(exp),
		FederatedUser:    &FederatedUser{ARN: "arn:aws:sts::123456789012:federated-user/bob", ID: "123456789012:bob"},
		PackedPolicySize: aws.Int32(12)}
	values := map[string]any{
		"token":       tok,
		"credentials": tok.Credentials,
		"creds ptr":   &tok.Credentials,
		"holder":      holder{Name: "x", Tok: tok, Creds: tok.Credentials},
		"holder ptr":  &holder{Name: "x", Tok: tok, Creds: tok.Credentials},
		"slice":       []*Token{tok},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var outs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				outs = append(outs, fmt.Sprintf(verb, v))
			}
			js, err := json.Marshal(v)
			require.NoError(t, err)
			outs = append(outs, string(js))
			for _, h := range []func(*bytes.Buffer) slog.Handler{
				func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
				func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			} {
				var buf bytes.Buffer
				slog.New(h(&buf)).Info("minted", "value", v)
				outs = append(outs, buf.String())
			}
			for _, out := range outs {
				assert.NotContains(t, out, fixtureSecret)
				assert.NotContains(t, out, fixtureSession)
			}
			assert.Contains(t, outs[0], "ASIAEXAMPLEEXAMPLE01", "the access key ID should show")
		})
	}
}

func TestStringForms(t *testing.T) {
	exp := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	c := testCreds(exp)
	assert.Equal(t, `Credentials{AccessKeyID:"ASIAEXAMPLEEXAMPLE01" SecretAccessKey:<redacted> `+
		`SessionToken:<redacted> Expiration:2026-12-03T18:00:00Z}`, fmt.Sprint(c))
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", c), "ec2token.Credentials{"))
	assert.Contains(t, Credentials{}.String(), "SecretAccessKey:<empty>")
	var nilTok *Token
	assert.Equal(t, "Token(nil)", fmt.Sprint(nilTok))
	tok := &Token{Credentials: c}
	assert.Contains(t, fmt.Sprintf("%v", tok), "FederatedUser:<nil>")
}

func TestFederatedUser(t *testing.T) {
	tests := []struct {
		arn, account, name string
	}{
		{"arn:aws:sts::123456789012:federated-user/TemporaryUser", "123456789012", "TemporaryUser"},
		{"arn:aws-cn:sts::210987654321:federated-user/a@b.c", "210987654321", "a@b.c"},
		{"arn:aws:sts::123456789012:assumed-role/r/s", "123456789012", ""},
		{"not an arn", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		u := FederatedUser{ARN: tt.arn}
		assert.Equal(t, tt.account, u.AccountID(), "AccountID(%q)", tt.arn)
		assert.Equal(t, tt.name, u.Name(), "Name(%q)", tt.arn)
		assert.Equal(t, tt.arn, u.String())
	}
}

// recordingEC2 is an httptest server that answers DescribeRegions and
// remembers the authorization headers it saw.
func recordingEC2(t *testing.T) (*httptest.Server, *atomic.Int32, *atomic.Value) {
	var n atomic.Int32
	var last atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		last.Store(r.Header.Clone())
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`+
			`<requestId>r</requestId><regionInfo><item><regionName>us-east-1</regionName>`+
			`<regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint></item></regionInfo>`+
			`</DescribeRegionsResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &last
}

// isolateAWSConfig keeps the tests from reading this machine's AWS files
// and environment.
func isolateAWSConfig(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestNewEC2SignsWithToken(t *testing.T) {
	isolateAWSConfig(t)
	srv, n, last := recordingEC2(t)
	tok := &Token{Credentials: testCreds(time.Now().Add(time.Hour))}

	client, err := tok.NewEC2(context.Background(), config.WithBaseEndpoint(srv.URL),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	require.NoError(t, err)
	assert.Zero(t, n.Load(), "NewEC2 sent a request before any call")
	assert.Equal(t, DefaultRegion, client.Options().Region)

	_, err = client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	require.NoError(t, err)
	assert.Equal(t, int32(1), n.Load())
	h := last.Load().(http.Header)
	assert.Contains(t, h.Get("Authorization"), "Credential=ASIAEXAMPLEEXAMPLE01/",
		"the request is not signed with the token's key, though another provider was configured")
	assert.Equal(t, fixtureSession, h.Get("X-Amz-Security-Token"))
}

func TestNewEC2KeepsConfiguredRegion(t *testing.T) {
	isolateAWSConfig(t)
	t.Setenv("AWS_REGION", "eu-west-1")
	client, err := testCreds(time.Time{}).NewEC2(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", client.Options().Region)
}

func TestNewEC2FromConfig(t *testing.T) {
	srv, n, last := recordingEC2(t)
	cfg := aws.Config{Region: "us-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.AnonymousCredentials{}}
	client := testCreds(time.Now().Add(time.Hour)).NewEC2FromConfig(cfg)
	assert.Zero(t, n.Load())
	_, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	require.NoError(t, err)
	h := last.Load().(http.Header)
	assert.Contains(t, h.Get("Authorization"), "Credential=ASIAEXAMPLEEXAMPLE01/")
	assert.Contains(t, h.Get("Authorization"), "/us-west-2/ec2/")
	assert.Equal(t, fixtureSession, h.Get("X-Amz-Security-Token"))
}

func TestExpiredTokenFailsEC2CallWithoutRequest(t *testing.T) {
	srv, n, _ := recordingEC2(t)
	exp := time.Now().Add(time.Hour)
	setClock(t, exp.Add(time.Second))
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)}
	client := testCreds(exp).NewEC2FromConfig(cfg)
	_, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrExpired), "DescribeRegions error %v does not wrap ErrExpired", err)
	assert.Zero(t, n.Load(), "an expired token reached the server")
}

func TestPackageNewEC2(t *testing.T) {
	isolateAWSConfig(t)
	srv, n, last := recordingEC2(t)
	c := testCreds(time.Now().Add(time.Hour))

	client, err := NewEC2(context.Background(), c.Serialize(), config.WithBaseEndpoint(srv.URL))
	require.NoError(t, err)
	assert.Zero(t, n.Load())
	_, err = client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	require.NoError(t, err)
	assert.Equal(t, fixtureSession, last.Load().(http.Header).Get("X-Amz-Security-Token"))

	_, err = NewEC2(context.Background(), "ec2token.v1.not-a-payload", config.WithBaseEndpoint(srv.URL))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "not-a-payload", "the error quotes its input")
	assert.Equal(t, int32(1), n.Load())
}
