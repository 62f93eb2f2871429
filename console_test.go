package ec2token

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSigninToken = "SIGNIN-TOKEN-secret-value"

// federationServer is a stub console federation endpoint. It answers
// getSigninToken for the session it expects with testSigninToken, and
// counts requests.
type federationServer struct {
	*httptest.Server
	requests atomic.Int32
	answer   func(w http.ResponseWriter) // replaces the normal answer when set
	want     Credentials
	t        *testing.T
}

func newFederationServer(t *testing.T, want Credentials) *federationServer {
	f := &federationServer{want: want, t: t}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *federationServer) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.answer != nil {
		f.answer(w)
		return
	}
	q := r.URL.Query()
	assert.Equal(f.t, http.MethodGet, r.Method)
	assert.Equal(f.t, "/federation", r.URL.Path)
	assert.Equal(f.t, "getSigninToken", q.Get("Action"))
	assert.False(f.t, q.Has("SessionDuration"), "SessionDuration sent for a federation token")
	var s map[string]string
	require.NoError(f.t, json.Unmarshal([]byte(q.Get("Session")), &s))
	assert.Equal(f.t, map[string]string{"sessionId": f.want.AccessKeyID,
		"sessionKey": f.want.SecretAccessKey, "sessionToken": f.want.SessionToken}, s)
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": testSigninToken})
}

func consoleTestToken() *Token {
	return &Token{
		Credentials: Credentials{
			AccessKeyID:     "ASIACONSOLEEXAMPLE01",
			SecretAccessKey: "console-secret-key",
			SessionToken:    "console-session-token",
			Expiration:      time.Now().Add(time.Hour),
		},
		FederatedUser: &FederatedUser{ARN: "arn:aws:sts::123456789012:federated-user/Bob"},
	}
}

// assertNoSecrets fails when err reveals the token's keys or the signin
// token.
func assertNoSecrets(t *testing.T, err error, tok *Token) {
	t.Helper()
	for _, s := range []string{tok.SecretAccessKey(), tok.SessionToken(), testSigninToken, "Session="} {
		assert.NotContains(t, err.Error(), s, "error reveals a secret")
	}
}

func TestConsoleURL(t *testing.T) {
	tok := consoleTestToken()
	fed := newFederationServer(t, tok.Credentials)
	got, err := tok.ConsoleURL(context.Background(), func(o *ConsoleOptions) {
		o.Endpoint = fed.URL + "/federation"
		o.Issuer = "https://broker.example.com/"
	})
	require.NoError(t, err)

	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, fed.URL+"/federation", u.Scheme+"://"+u.Host+u.Path)
	assert.Equal(t, url.Values{
		"Action":      {"login"},
		"Issuer":      {"https://broker.example.com/"},
		"Destination": {"https://console.aws.amazon.com/"},
		"SigninToken": {testSigninToken},
	}, u.Query())
	assert.Equal(t, int32(1), fed.requests.Load())
}

func TestConsoleURLRefusesWithoutRequest(t *testing.T) {
	session := consoleTestToken()
	session.FederatedUser = nil
	expired := consoleTestToken()
	expired.Credentials.Expiration = time.Now().Add(-time.Minute)
	tests := []struct {
		name      string
		tok       *Token
		opts      ConsoleOptions
		wantErr   error
		wantField string
	}{
		{"session token", session, ConsoleOptions{}, ErrNotFederated, ""},
		{"expired token", expired, ConsoleOptions{}, ErrExpired, ""},
		{"unknown partition", consoleTestToken(), ConsoleOptions{Partition: "aws-iso"}, nil, "Partition"},
		{"bad region", consoleTestToken(), ConsoleOptions{Region: "eu west"}, nil, "Region"},
		{"relative destination", consoleTestToken(), ConsoleOptions{Destination: "/ec2"}, nil, "Destination"},
		{"destination scheme", consoleTestToken(), ConsoleOptions{Destination: "javascript:alert(1)"}, nil, "Destination"},
		{"endpoint scheme", consoleTestToken(), ConsoleOptions{Endpoint: "ftp://example.com/federation"}, nil, "Endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fed := newFederationServer(t, tt.tok.Credentials)
			_, err := tt.tok.ConsoleURL(context.Background(), func(o *ConsoleOptions) {
				*o = tt.opts
				if o.Endpoint == "" {
					o.Endpoint = fed.URL + "/federation"
				}
			})
			require.Error(t, err)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tt.wantField, ie.Field)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "), "error %q lacks the package prefix", err)
			assertNoSecrets(t, err, tt.tok)
			assert.Zero(t, fed.requests.Load(), "requests despite a refusal")
		})
	}
}

func TestConsoleURLNilToken(t *testing.T) {
	var tok *Token
	_, err := tok.ConsoleURL(context.Background())
	require.ErrorContains(t, err, "ec2token: ")
}

func TestConsoleURLEndpointFailures(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(w http.ResponseWriter)
		wantErr string
	}{
		{"refusal echoes the request", func(w http.ResponseWriter) {
			http.Error(w, "bad Session console-secret-key console-session-token", http.StatusBadRequest)
		}, "HTTP 400"},
		{"redirect", func(w http.ResponseWriter) {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
			w.WriteHeader(http.StatusFound)
		}, "HTTP 302"},
		{"not JSON", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte("<html>console-secret-key</html>"))
		}, "not a JSON object"},
		{"no token", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"Other":"console-session-token"}`))
		}, "no SigninToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := consoleTestToken()
			fed := newFederationServer(t, tok.Credentials)
			fed.answer = tt.answer
			got, err := tok.ConsoleURL(context.Background(), func(o *ConsoleOptions) {
				o.Endpoint = fed.URL + "/federation"
			})
			require.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, got)
			assertNoSecrets(t, err, tok)
		})
	}
}

func TestConsoleURLTransportErrorHidesRequest(t *testing.T) {
	tok := consoleTestToken()
	fed := newFederationServer(t, tok.Credentials)
	endpoint := fed.URL + "/federation"
	fed.Close()
	_, err := tok.ConsoleURL(context.Background(), func(o *ConsoleOptions) { o.Endpoint = endpoint })
	require.ErrorContains(t, err, "ec2token: getSigninToken: ")
	assert.Contains(t, err.Error(), endpoint, "error names the endpoint")
	assertNoSecrets(t, err, tok)
	assert.NotContains(t, err.Error(), tok.AccessKeyID(), "error quotes the session")
}

func TestConsoleURLCanceled(t *testing.T) {
	tok := consoleTestToken()
	fed := newFederationServer(t, tok.Credentials)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tok.ConsoleURL(ctx, func(o *ConsoleOptions) { o.Endpoint = fed.URL + "/federation" })
	require.ErrorIs(t, err, context.Canceled)
	assertNoSecrets(t, err, tok)
}

func TestConsoleTargets(t *testing.T) {
	tests := []struct {
		name         string
		arn          string
		opts         ConsoleOptions
		wantEndpoint string
		wantDest     string
	}{
		{"aws from the ARN", "arn:aws:sts::123456789012:federated-user/Bob", ConsoleOptions{},
			"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"},
		{"aws-cn from the ARN", "arn:aws-cn:sts::123456789012:federated-user/Bob", ConsoleOptions{},
			"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"},
		{"aws-us-gov from the ARN", "arn:aws-us-gov:sts::123456789012:federated-user/Bob", ConsoleOptions{},
			"https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/"},
		{"aws when the ARN is odd", "Bob", ConsoleOptions{},
			"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"},
		{"partition beats the ARN", "arn:aws:sts::123456789012:federated-user/Bob",
			ConsoleOptions{Partition: "aws-cn"},
			"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"},
		{"region", "arn:aws:sts::123456789012:federated-user/Bob", ConsoleOptions{Region: "eu-west-1"},
			"https://signin.aws.amazon.com/federation",
			"https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"},
		{"China region", "arn:aws:sts::123456789012:federated-user/Bob", ConsoleOptions{Region: "cn-north-1"},
			"https://signin.amazonaws.cn/federation",
			"https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"},
		{"GovCloud region", "arn:aws:sts::123456789012:federated-user/Bob",
			ConsoleOptions{Region: "us-gov-west-1"},
			"https://signin.amazonaws-us-gov.com/federation",
			"https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
		{"destination and endpoint", "arn:aws:sts::123456789012:federated-user/Bob",
			ConsoleOptions{Destination: "https://console.aws.amazon.com/ec2/", Endpoint: "http://127.0.0.1:9/f"},
			"http://127.0.0.1:9/f", "https://console.aws.amazon.com/ec2/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint, dest, err := consoleTargets(&tt.opts, tt.arn)
			require.NoError(t, err)
			assert.Equal(t, tt.wantEndpoint, endpoint.String(), "consoleTargets(%+v) endpoint", tt.opts)
			assert.Equal(t, tt.wantDest, dest, "consoleTargets(%+v) destination", tt.opts)
		})
	}
}

func FuzzParseSigninResponse(f *testing.F) {
	f.Add([]byte(`{"SigninToken":"abc"}`))
	f.Add([]byte(`{"SigninToken":""}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"SigninToken":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseSigninResponse(body)
		if err != nil {
			assert.Empty(t, tok)
			if len(body) > 8 {
				assert.NotContains(t, err.Error(), string(body), "error quotes the answer")
			}
			return
		}
		assert.NotEmpty(t, tok, "parseSigninResponse(%q) gave an empty token without error", body)
	})
}
