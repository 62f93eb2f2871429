package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBinary runs the built command as a subprocess with env.
func runBinary(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	return runProgram(t, binary(t), env, stdin, args...)
}

func runProgram(t *testing.T, path string, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", path, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// TestBinary runs the built command against ststest, configured only
// through the environment as an admin's shell would be.
func TestBinary(t *testing.T) {
	srv, env := adminEnv(t)
	token := filepath.Join(t.TempDir(), "alice.token")

	r := runBinary(t, env, "", "federate", "alice", "--allow", "DescribeImages", "-o", token)
	requireOK(t, r)
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"), "AWS_ENDPOINT_URL was not used")
	info, err := os.Stat(token)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	r = runBinary(t, env, "", "inspect", token)
	requireOK(t, r)
	assert.Regexp(t, `(?m)^expires: .* \(1[12]h\d+m\d+s left\)$`, r.stdout)

	r = runBinary(t, env, "", "federate", "alice", "--allow", "DescribeImages", "-o", token)
	requireFail(t, r, 1, "already exists")
	r = runBinary(t, env, "", "inspect", "--bogus")
	requireFail(t, r, 2, "-bogus")
	r = runBinary(t, env, "", "exec", token, "--", "sh", "-c", "exit 7")
	assert.Equal(t, 7, r.code)
	r = runBinary(t, env, "", "help", "exec")
	requireOK(t, r)
	assert.Contains(t, r.stdout, "Usage: ec2token exec")
}

// cliEnv is the environment of the AWS CLI in these tests: no keys, and
// the given config file.
func cliEnv(t *testing.T, config string) []string {
	t.Helper()
	var env []string
	for _, kv := range testpeer.AWSEnv(t, "", "", "") {
		if !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") &&
			!strings.HasPrefix(kv, "AWS_CONFIG_FILE=") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_CONFIG_FILE="+config)
}

// TestAWSCLICredentialProcess checks that the AWS CLI takes the
// credentials from "ec2token credential-process", and says so clearly
// when they have expired.
func TestAWSCLICredentialProcess(t *testing.T) {
	aws := testpeer.AWSCLI(t)
	srv, env := adminEnv(t)
	dir := t.TempDir()
	token := filepath.Join(dir, "alice.token")
	requireOK(t, runBinary(t, env, "", "federate", "alice", "--allow", "DescribeImages", "-o", token))
	expired := writeCreds(t, testCreds(time.Now().Add(-time.Hour)), ec2token.FormatNative)

	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte(
		"[profile alice]\nregion = us-east-1\ncredential_process = "+binary(t)+" credential-process "+token+"\n"+
			"[profile old]\nregion = us-east-1\ncredential_process = "+binary(t)+" credential-process "+expired+"\n"),
		0o600))
	describe := []string{"ec2", "describe-images", "--owners", "self", "--endpoint-url", srv.URL, "--output", "json"}

	r := runProgram(t, aws, cliEnv(t, config), "", append(describe, "--profile", "alice")...)
	require.Equal(t, 0, r.code, "aws ec2 describe-images: stderr %s", r.stderr)
	assert.Contains(t, r.stdout, `"ImageId": "ami-`)
	assert.Equal(t, 1, srv.RequestCount("DescribeImages"))

	// The policy binds: the CLI really signs with the federation token.
	r = runProgram(t, aws, cliEnv(t, config), "", "ec2", "describe-instances",
		"--endpoint-url", srv.URL, "--profile", "alice")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "UnauthorizedOperation")

	t.Run("expired file", func(t *testing.T) {
		r := runProgram(t, aws, cliEnv(t, config), "", append(describe, "--profile", "old")...)
		assert.NotEqual(t, 0, r.code)
		assert.Contains(t, r.stderr, "ec2token: the credentials in "+expired+" expired at ")
		assert.Equal(t, 1, srv.RequestCount("DescribeImages"), "expired credentials reached the server")
	})
	// The file still says the token is good, but the server's clock has
	// gone past its expiry.
	t.Run("expired on the server", func(t *testing.T) {
		srv.Advance(13 * time.Hour)
		r := runProgram(t, aws, cliEnv(t, config), "", append(describe, "--profile", "alice")...)
		assert.NotEqual(t, 0, r.code)
		// EC2 answers an expired session token with RequestExpired.
		assert.Contains(t, r.stderr, "(RequestExpired)")
		assert.Contains(t, r.stderr, "expired")
	})
}

// TestAWSCLIExec checks that a command run by exec signs with the token
// and not with the admin's keys that the environment also holds.
func TestAWSCLIExec(t *testing.T) {
	aws := testpeer.AWSCLI(t)
	srv, env := adminEnv(t)
	token := filepath.Join(t.TempDir(), "alice.token")
	requireOK(t, runBinary(t, env, "", "federate", "alice", "--allow", "DescribeImages", "-o", token))

	r := runBinary(t, env, "", "exec", token, "--", aws, "ec2", "describe-images",
		"--owners", "self", "--endpoint-url", srv.URL)
	require.Equal(t, 0, r.code, "stderr %s", r.stderr)
	assert.Contains(t, r.stdout, "ami-")

	r = runBinary(t, env, "", "exec", token, "--", aws, "ec2", "describe-instances", "--endpoint-url", srv.URL)
	assert.NotEqual(t, 0, r.code, "the command ran with the admin's keys")
	assert.Contains(t, r.stderr, "UnauthorizedOperation")
}
