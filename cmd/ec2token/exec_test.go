package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2token/ec2token"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const printEnv = `echo "id=$AWS_ACCESS_KEY_ID"
echo "secret=$AWS_SECRET_ACCESS_KEY"
echo "token=${AWS_SESSION_TOKEN-unset}"
echo "expiration=$AWS_CREDENTIAL_EXPIRATION"
echo "profile=${AWS_PROFILE-unset}"
echo "security=${AWS_SECURITY_TOKEN-unset}"
echo "region=$AWS_REGION"
echo "args=$*"
exit 3`

func TestExec(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAADMINADMINADMIN1")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "adminsecret")
	t.Setenv("AWS_SECURITY_TOKEN", "adminsecuritytoken")
	t.Setenv("AWS_PROFILE", "admin")
	t.Setenv("AWS_REGION", "eu-north-1")
	creds := testCreds(time.Now().Add(time.Hour))
	file := writeCreds(t, creds, ec2token.FormatNative)

	r := runCLI(t, "", "exec", file, "--", "sh", "-c", printEnv, "sh", "-x", "--", "y")
	assert.Equal(t, 3, r.code, "exec exit status; stderr %s", r.stderr)
	assert.Empty(t, r.stderr)
	assert.Equal(t, "id="+creds.AccessKeyID+"\n"+
		"secret="+creds.SecretAccessKey+"\n"+
		"token="+creds.SessionToken+"\n"+
		"expiration="+creds.Expiration.Format(time.RFC3339)+"\n"+
		"profile=unset\nsecurity=unset\nregion=eu-north-1\nargs=-x -- y\n", r.stdout)

	t.Run("long-term keys", func(t *testing.T) {
		lt := ec2token.Credentials{AccessKeyID: "AKIATESTTESTTESTTEST", SecretAccessKey: "s3cr3t"}
		r := runCLI(t, lt.Serialize(), "exec", "-", "--", "sh", "-c", printEnv)
		assert.Equal(t, 3, r.code, "stderr %s", r.stderr)
		assert.Contains(t, r.stdout, "\ntoken=unset\nexpiration=\n")
	})
	t.Run("flags and stdin", func(t *testing.T) {
		r := runCLI(t, "to the child", "exec", "--identity", "k", file, "--", "cat")
		requireOK(t, r)
		assert.Equal(t, "to the child", r.stdout)
	})
	t.Run("signal", func(t *testing.T) {
		r := runCLI(t, "", "exec", file, "--", "sh", "-c", "kill -TERM $$")
		assert.Equal(t, 128+15, r.code)
	})
	t.Run("interrupt", func(t *testing.T) {
		// Cancelling the context, as an interrupt does, sends SIGTERM.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		c := &cli{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard, environ: os.Environ}
		code := make(chan int, 1)
		go func() {
			code <- c.run(ctx, []string{"exec", file, "--", "sh", "-c",
				`trap 'kill $!; exit 42' TERM; sleep 60 & echo ready; wait`})
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\n", line)
		cancel()
		go io.Copy(io.Discard, pr)
		assert.Equal(t, 42, <-code)
	})
	t.Run("not found", func(t *testing.T) {
		r := runCLI(t, "", "exec", file, "--", "/nonexistent/command")
		requireFail(t, r, 127, "/nonexistent/command")
	})
	t.Run("usage", func(t *testing.T) {
		requireFail(t, runCLI(t, "", "exec", file, "sh"), 2, "missing --")
		requireFail(t, runCLI(t, "", "exec", file, "--"), 2, "no command")
		requireFail(t, runCLI(t, "", "exec", "--", "sh"), 2, "missing argument")
		requireFail(t, runCLI(t, "", "exec", "--bogus", file, "--", "sh"), 2, "-bogus")
	})
}

func TestPolicy(t *testing.T) {
	r := runCLI(t, "", "policy", "--allow", "DescribeImages,RunInstances", "--deny", "TerminateInstances")
	requireOK(t, r)
	want := ec2token.NewPolicy().Allow("DescribeImages", "RunInstances").Deny("TerminateInstances")
	require.JSONEq(t, want.String(), r.stdout)
	assert.Contains(t, r.stdout, "\n  \"", "policy output is not indented")

	r = runCLI(t, "", "policy", "--compact", "--allow", "DescribeImages")
	requireOK(t, r)
	assert.Equal(t, ec2token.NewPolicy().Allow("DescribeImages").String()+"\n", r.stdout)

	doc := `{"Statement": {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}}`
	file := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(file, []byte(doc), 0o600))
	parsed, err := ec2token.ParsePolicy(doc)
	require.NoError(t, err)
	for _, args := range [][]string{{"--policy-file", file}, {"--policy-file", "-"}} {
		r = runCLI(t, doc, append([]string{"policy"}, args...)...)
		requireOK(t, r)
		require.JSONEq(t, parsed.String(), r.stdout, "policy %q", args)
	}
	r = runCLI(t, doc, "policy", "--policy-file", "-", "--deny", "DescribeImages")
	requireOK(t, r)
	require.JSONEq(t, parsed.Deny("DescribeImages").String(), r.stdout)

	requireFail(t, runCLI(t, "", "policy", "--allow", "DescribeImagez"), 1, "Statement[0].Action[0]", "DescribeImages?")
	requireFail(t, runCLI(t, "{", "policy", "--policy-file", "-"), 1, "standard input")
	requireFail(t, runCLI(t, "", "policy"), 2, "--allow")
	requireFail(t, runCLI(t, "", "policy", "--allow", "DescribeImages", "x"), 2, "too many")
	requireFail(t, runCLI(t, "", "policy", "--policy-file", "/nonexistent/p.json"), 1, "/nonexistent/p.json")
}
