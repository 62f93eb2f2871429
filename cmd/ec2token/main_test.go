package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/ec2token/ec2token/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	// binDir holds the binary built for the subprocess tests.
	binDir string
	// buildEnv is the environment the tests started with, for go build:
	// the tests change HOME, which would move the build cache.
	buildEnv  []string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "ec2token-cli-test"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildEnv = os.Environ()
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// binary builds the command once and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		path := filepath.Join(binDir, "ec2token")
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Env = buildEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = path
	})
	require.NoError(t, buildErr)
	return binPath
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// tester runs the command in process.
type tester struct {
	t          *testing.T
	terminal   bool   // what isTerminal reports for standard output
	passphrase string // what readPassword returns; empty: an error
}

func (tt tester) run(stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	c := &cli{
		stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr,
		environ:    os.Environ,
		isTerminal: func(io.Writer) bool { return tt.terminal },
		loadConfig: loadAdminConfig,
		readPassword: func(string) ([]byte, error) {
			if tt.passphrase == "" {
				return nil, errors.New("no terminal in this test")
			}
			return []byte(tt.passphrase), nil
		},
	}
	code := c.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

// runCLI runs the command in process with standard output not a terminal.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return tester{t: t}.run(stdin, args...)
}

// requireOK fails t unless r succeeded.
func requireOK(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	require.Empty(t, r.stderr)
}

// requireFail fails t unless r exited with code and printed one error line
// on standard error that contains each of want.
func requireFail(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.code, "exit status; stderr: %s", r.stderr)
	require.True(t, strings.HasPrefix(r.stderr, "ec2token: "), "stderr = %q, want an ec2token: line", r.stderr)
	require.Equal(t, 1, strings.Count(r.stderr, "\n"), "stderr = %q, want one line", r.stderr)
	require.Equal(t, 1, strings.Count(r.stderr, "ec2token: "), "stderr = %q, want one prefix", r.stderr)
	for _, w := range want {
		require.Contains(t, r.stderr, w)
	}
}

// adminEnv starts an ststest server and points the AWS configuration of
// this process at it with its root credentials, isolated from the
// machine's ~/.aws. It returns the server and the environment, which
// subprocesses get too.
func adminEnv(t *testing.T) (*ststest.Server, []string) {
	t.Helper()
	srv := ststest.NewServer()
	t.Cleanup(srv.Close)
	id, secret := srv.RootCredentials()
	env := append(testpeer.AWSEnv(t, id, secret, ""), "AWS_ENDPOINT_URL="+srv.URL)
	for _, name := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k != "PATH" {
			t.Setenv(k, v)
		}
	}
	return srv, env
}

// testCreds returns made-up credentials that expire at exp.
func testCreds(exp time.Time) ec2token.Credentials {
	return ec2token.Credentials{
		AccessKeyID:     "ASIATESTTESTTESTTEST",
		SecretAccessKey: "secretsecretsecretsecretsecretsecret1234",
		SessionToken:    "sessiontokensessiontokensessiontoken",
		Expiration:      exp.UTC().Truncate(time.Second),
	}
}

// writeCreds writes creds in format f to a file and returns its path.
func writeCreds(t *testing.T, creds ec2token.Credentials, f ec2token.Format) string {
	t.Helper()
	data, err := creds.Marshal(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// assertNoSecret fails t if s holds the secret or the session token.
func assertNoSecret(t *testing.T, creds ec2token.Credentials, s string) {
	t.Helper()
	assert.NotContains(t, s, creds.SecretAccessKey)
	if creds.SessionToken != "" {
		assert.NotContains(t, s, creds.SessionToken)
	}
}

func TestErrorLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "ec2token: plain"},
		{"ec2token: wrapped", "ec2token: wrapped"},
		{"file: ec2token: inner", "ec2token: file: inner"},
		{"two\nlines", "ec2token: two lines"},
	}
	for _, tc := range tests {
		got := errorLine(fmt.Errorf("%s", tc.in))
		assert.Equal(t, tc.want, got, "errorLine(%q) = %q, want %q", tc.in, got, tc.want)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "no subcommand"},
		{"unknown subcommand", []string{"mint"}, 2, "unknown subcommand"},
		{"help of unknown", []string{"help", "mint"}, 2, "unknown subcommand"},
		{"help with two", []string{"help", "a", "b"}, 2, "too many arguments"},
		{"version with argument", []string{"version", "x"}, 2, "too many arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			require.Equal(t, tc.code, r.code, "run(%q) exit status; stderr %s", tc.args, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}

func TestHelp(t *testing.T) {
	r := runCLI(t, "", "help")
	requireOK(t, r)
	for _, cmd := range commands {
		assert.Contains(t, r.stdout, "\n  "+cmd.name+" ")

		for _, args := range [][]string{{"help", cmd.name}, {cmd.name, "-h"}, {cmd.name, "--help"}} {
			r := runCLI(t, "", args...)
			requireOK(t, r)
			assert.True(t, strings.HasPrefix(r.stdout, "Usage: ec2token "+cmd.name),
				"run(%q) = %q, want the usage first", args, r.stdout)
			_, examples, ok := strings.Cut(r.stdout, "\nExamples:\n  ")
			assert.True(t, ok, "run(%q) = %q, want examples", args, r.stdout)
			assert.Regexp(t, `ec2token `+cmd.name+`\b`, examples, "run(%q)", args)
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		requireOK(t, runCLI(t, "", args...))
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, "", args...)
		requireOK(t, r)
		assert.Regexp(t, `^ec2token \S+ go1\.\d+\S* \w+/\w+\n$`, r.stdout)
	}
}
