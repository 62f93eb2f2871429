package ststest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ec2token/ec2token/ststest"
)

// awsCLI returns a function that runs the AWS CLI against srv with the
// given keys, reading no configuration of the machine. It skips the test
// when the CLI is missing, unless EC2TOKEN_REQUIRE_PEERS=1.
func awsCLI(t *testing.T, srv *ststest.Server) func(keys []string, args ...string) (string, string, error) {
	t.Helper()
	bin := testpeer.AWSCLI(t)
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o600))
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
	return func(keys []string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--endpoint-url", srv.URL, "--output", "json"}, args...)...)
		cmd.Env = append(slices.Clip(env), "AWS_ACCESS_KEY_ID="+keys[0], "AWS_SECRET_ACCESS_KEY="+keys[1])
		if len(keys) > 2 {
			cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+keys[2])
		}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
}

func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	srv := newServer(t)
	run := awsCLI(t, srv)
	id, secret := srv.RootCredentials()

	// The CLI is slow to start: independent calls run side by side.
	wrongSecret := inBackground(func() result {
		return call(run([]string{id, strings.Repeat("x", 40)}, "sts", "get-caller-identity"))
	})
	out, stderr, err := run([]string{id, secret}, "sts", "get-federation-token",
		"--name", "TemporaryUser", "--duration-seconds", "3600", "--policy", readOnly)
	require.NoError(t, err, "get-federation-token: %s", stderr)
	var fed struct {
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}
		FederatedUser struct {
			Arn             string
			FederatedUserID string `json:"FederatedUserId"`
		}
		PackedPolicySize int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &fed))
	assert.True(t, strings.HasPrefix(fed.Credentials.AccessKeyID, "ASIA"))
	assert.NotEmpty(t, fed.Credentials.Expiration)
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/TemporaryUser", fed.FederatedUser.Arn)
	assert.Equal(t, "123456789012:TemporaryUser", fed.FederatedUser.FederatedUserID)
	assert.Positive(t, fed.PackedPolicySize)

	temp := []string{fed.Credentials.AccessKeyID, fed.Credentials.SecretAccessKey, fed.Credentials.SessionToken}
	denied := inBackground(func() result { return call(run(temp, "ec2", "describe-instances")) })
	out, stderr, err = run(temp, "ec2", "describe-images", "--owners", "self")
	require.NoError(t, err, "describe-images: %s", stderr)
	var images struct {
		Images []struct {
			ImageID string `json:"ImageId"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &images))
	assert.Len(t, images.Images, len(ststest.DefaultImages()))

	r := <-denied
	assert.Error(t, r.err, "describe-instances outside the policy")
	assert.Contains(t, r.stderr, "UnauthorizedOperation")
	r = <-wrongSecret
	assert.Error(t, r.err, "get-caller-identity with a wrong secret")
	assert.Contains(t, r.stderr, "SignatureDoesNotMatch")
}

type result struct {
	stdout, stderr string
	err            error
}

func call(stdout, stderr string, err error) result { return result{stdout, stderr, err} }

// inBackground runs f in a goroutine. Its result must be received before
// the test ends.
func inBackground(f func() result) <-chan result {
	c := make(chan result, 1)
	go func() { c <- f() }()
	return c
}
