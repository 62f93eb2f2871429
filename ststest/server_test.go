package ststest_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ec2token/ec2token/ststest"
)

func TestFailNext(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		action    string
		n         int
		fault     ststest.Fault
		wantCode  string
		wantCount int
	}{
		{"STS throttled twice then served", "GetCallerIdentity", 2, ststest.Throttling, "", 3},
		{"STS throttled beyond the retries", "GetCallerIdentity", 3, ststest.Throttling, "Throttling", 3},
		{"STS internal failure", "GetCallerIdentity", 5, ststest.InternalError, "InternalFailure", 3},
		{"EC2 throttled beyond the retries", "DescribeRegions", 3, ststest.Throttling, "RequestLimitExceeded", 3},
		{"EC2 internal error once", "DescribeRegions", 1, ststest.InternalError, "", 2},
		{"no fault", "DescribeRegions", 0, ststest.Throttling, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			srv.FailNext(tt.action, tt.n, tt.fault)
			var err error
			if tt.action == "GetCallerIdentity" {
				_, err = sts.NewFromConfig(srv.Config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			} else {
				_, err = ec2.NewFromConfig(srv.Config()).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			}
			assert.Equal(t, tt.wantCode, apiCode(err), "%s error = %v", tt.action, err)
			assert.Equal(t, tt.wantCount, srv.RequestCount(tt.action), "RequestCount(%s)", tt.action)
		})
	}
}

func TestDelayFault(t *testing.T) {
	srv := newServer(t)
	srv.FailNext("GetCallerIdentity", 1, ststest.Delay(time.Hour))
	cfg := srv.Config()
	cfg.RetryMaxAttempts = 1
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	srv.FailNext("GetCallerIdentity", 1, ststest.Delay(time.Millisecond))
	_, err = sts.NewFromConfig(srv.Config()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	assert.NoError(t, err, "a short delay, then the normal answer")
}

func TestSetupMisusePanics(t *testing.T) {
	started := newServer(t)
	tests := map[string]func(){
		"Start twice":        started.Start,
		"negative FailNext":  func() { started.FailNext("GetCallerIdentity", -1, ststest.Throttling) },
		"zero Fault":         func() { started.FailNext("GetCallerIdentity", 1, ststest.Fault{}) },
		"zero Delay":         func() { ststest.Delay(0) },
		"MFA without check":  func() { started.AddMFADevice("arn:aws:iam::123456789012:mfa/x", nil) },
		"bad managed policy": func() { started.AddManagedPolicy("arn:aws:iam::123456789012:policy/x", "{") },
		"Config before Start": func() {
			ststest.NewUnstartedServer().Config()
		},
		"bad UserPolicy": func() {
			s := ststest.NewUnstartedServer()
			s.UserPolicy = `{"Statement":{"Effect":"Allow","Action":"*"}}`
			s.Start()
		},
		"bad AccountID": func() {
			s := ststest.NewUnstartedServer()
			s.AccountID = "42"
			s.Start()
		},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r, "%s did not panic", name)
				assert.True(t, strings.HasPrefix(r.(string), "ststest: "), "panic %q lacks the prefix", r)
			}()
			f()
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 8 {
		wg.Go(func() {
			out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(ctx,
				&sts.GetFederationTokenInput{Name: aws.String("worker" + string(rune('a'+i))), Policy: aws.String(readOnly)})
			if err != nil {
				errs <- err
				return
			}
			client := ec2.NewFromConfig(configFor(srv, out.Credentials))
			for range 3 {
				_, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
				errs <- err
				srv.Advance(time.Millisecond)
				_ = srv.RequestCount("DescribeImages")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, map[string]int{"GetFederationToken": 8, "DescribeImages": 24}, srv.RequestCounts())
}

func TestCloseReleasesEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := ststest.NewServer()
	srv.FailNext("GetCallerIdentity", 1, ststest.Delay(time.Hour))
	cfg := srv.Config()
	cfg.RetryMaxAttempts = 1
	done := make(chan error)
	go func() {
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		done <- err
	}()
	for srv.RequestCount("GetCallerIdentity") == 0 {
		runtime.Gosched()
	}
	srv.Close()
	<-done
	srv.Close()

	_, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	assert.Error(t, err, "the listener is still open after Close")
	for range 100 {
		if runtime.NumGoroutine() <= before {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Close")
}

func TestFederationEndpoint(t *testing.T) {
	srv := newServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	t.Cleanup(client.CloseIdleConnections)
	fed := federate(t, srv, "console", readOnly).Credentials
	sess, err := sts.NewFromConfig(srv.Config()).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	require.NoError(t, err)

	getToken := func(id, key, token string, extra url.Values) (int, string) {
		q := url.Values{"Action": {"getSigninToken"},
			"Session": {`{"sessionId":"` + id + `","sessionKey":"` + key + `","sessionToken":"` + token + `"}`}}
		for k, v := range extra {
			q[k] = v
		}
		resp, err := client.Get(srv.URL + "/federation?" + q.Encode())
		require.NoError(t, err)
		defer resp.Body.Close()
		var body struct{ SigninToken string }
		_ = jsonDecode(resp, &body)
		return resp.StatusCode, body.SigninToken
	}
	login := func(token string) *http.Response {
		q := url.Values{"Action": {"login"}, "Issuer": {"https://example.com"},
			"Destination": {"https://console.aws.amazon.com/ec2"}, "SigninToken": {token}}
		resp, err := client.Get(srv.URL + "/federation?" + q.Encode())
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}

	status, tok := getToken(*fed.AccessKeyId, *fed.SecretAccessKey, *fed.SessionToken, nil)
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, tok)
	user, ok := srv.SigninUser(tok)
	assert.True(t, ok)
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/console", user)
	resp := login(tok)
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "https://console.aws.amazon.com/ec2", resp.Header.Get("Location"))
	assert.Equal(t, http.StatusBadRequest, login(tok).StatusCode, "a second login with the same token")

	refused := map[string][4]string{
		"wrong key":     {*fed.AccessKeyId, "wrong", *fed.SessionToken},
		"wrong token":   {*fed.AccessKeyId, *fed.SecretAccessKey, "wrong"},
		"session token": {*sess.Credentials.AccessKeyId, *sess.Credentials.SecretAccessKey, *sess.Credentials.SessionToken},
		"duration":      {*fed.AccessKeyId, *fed.SecretAccessKey, *fed.SessionToken, "3600"},
	}
	for name, c := range refused {
		var extra url.Values
		if c[3] != "" {
			extra = url.Values{"SessionDuration": {c[3]}}
		}
		status, _ := getToken(c[0], c[1], c[2], extra)
		assert.Equal(t, http.StatusBadRequest, status, "getSigninToken with %s", name)
	}

	_, late := getToken(*fed.AccessKeyId, *fed.SecretAccessKey, *fed.SessionToken, nil)
	srv.Advance(ststest.SigninTokenLifetime)
	_, ok = srv.SigninUser(late)
	assert.False(t, ok, "SigninUser after the token's lifetime")
	assert.Equal(t, http.StatusBadRequest, login(late).StatusCode, "login after the token's lifetime")
	srv.Advance(12 * time.Hour)
	status, _ = getToken(*fed.AccessKeyId, *fed.SecretAccessKey, *fed.SessionToken, nil)
	assert.Equal(t, http.StatusBadRequest, status, "getSigninToken with expired credentials")

	assert.Equal(t, 7, srv.RequestCount("getSigninToken"))
	assert.Equal(t, 3, srv.RequestCount("login"))
}

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}
