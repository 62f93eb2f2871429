package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/ec2token/ec2token"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFederateWritesFileThatWorks(t *testing.T) {
	srv, _ := adminEnv(t)
	out := filepath.Join(t.TempDir(), "alice.token")

	r := runCLI(t, "", "federate", "alice", "--allow", "DescribeImages", "--duration", "3h",
		"--tag", "team=ci", "-o", out)
	requireOK(t, r)
	assert.Empty(t, r.stdout)
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"))

	info, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "ec2token.v1."), "file = %.20q, want the native format", data)
	creds, err := ec2token.ParseCredentials(string(data))
	require.NoError(t, err)
	assert.WithinDuration(t, srv.Now().Add(3*time.Hour), creds.Expiration, time.Minute)

	// The token works for what the policy allows, and only for that.
	client, err := creds.NewEC2(context.Background())
	require.NoError(t, err)
	_, err = client.DescribeImages(context.Background(), &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	_, err = client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	require.Error(t, err)
	_, err = client.RunInstances(context.Background(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	require.Error(t, err)
}

func TestFederatePolicyFile(t *testing.T) {
	srv, _ := adminEnv(t)
	doc := `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"}]}`
	r := runCLI(t, doc, "federate", "build", "--policy-file", "-", "--allow", "DescribeImages")
	requireOK(t, r)
	creds, err := ec2token.ParseCredentials(r.stdout)
	require.NoError(t, err)
	client, err := creds.NewEC2(context.Background())
	require.NoError(t, err)
	_, err = client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	require.NoError(t, err)
	_, err = client.DescribeImages(context.Background(), &ec2.DescribeImagesInput{})
	require.NoError(t, err)

	r = runCLI(t, `{"Statement": []`, "federate", "build", "--policy-file", "-")
	requireFail(t, r, 1, "standard input", "Policy")
	r = runCLI(t, "", "federate", "build", "--allow", "DescribeImagez")
	requireFail(t, r, 1, "did you mean DescribeImages?")
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"))
}

func TestFederateFormats(t *testing.T) {
	adminEnv(t)
	tests := []struct {
		flag string
		want ec2token.Format
	}{
		{"native", ec2token.FormatNative},
		{"perl", ec2token.FormatPerl},
		{"json", ec2token.FormatCredentialProcess},
		{"credential-process", ec2token.FormatCredentialProcess},
		{"imds", ec2token.FormatIMDS},
	}
	for _, tc := range tests {
		t.Run(tc.flag, func(t *testing.T) {
			r := runCLI(t, "", "federate", "bob", "--policy-arn",
				"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess", "--format", tc.flag)
			requireOK(t, r)
			got, err := ec2token.DetectFormat(r.stdout)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "federate --format %s wrote %v, want %v", tc.flag, got, tc.want)
			_, err = ec2token.ParseCredentials(r.stdout)
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(r.stdout, "\n"))
		})
	}
	t.Run("env", func(t *testing.T) {
		r := runCLI(t, "", "federate", "bob", "--deny", "RunInstances", "--allow", "Describe*",
			"--format", "env")
		requireOK(t, r)
		assert.Regexp(t, `(?m)^export AWS_ACCESS_KEY_ID='ASIA\w+'$`, r.stdout)
		assert.Regexp(t, `(?m)^export AWS_SESSION_TOKEN='`, r.stdout)
	})
}

func TestFederateBadInput(t *testing.T) {
	srv, _ := adminEnv(t)
	existing := filepath.Join(t.TempDir(), "existing")
	require.NoError(t, os.WriteFile(existing, []byte("keep me"), 0o644))
	allow := []string{"--allow", "DescribeImages"}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"alice", "--bogus"}, 2, "-bogus"},
		{"no name", allow, 2, "missing argument"},
		{"two names", append([]string{"alice", "bob"}, allow...), 2, "too many arguments"},
		{"no policy", []string{"alice"}, 2, "give a policy"},
		{"duration not Go syntax", append([]string{"alice", "--duration", "3 hours"}, allow...), 2, "duration"},
		{"duration too short", append([]string{"alice", "--duration", "5m"}, allow...), 1, "Duration"},
		{"bad name", append([]string{"a"}, allow...), 1, "name"},
		{"unknown format", append([]string{"alice", "--format", "yaml"}, allow...), 2, "--format"},
		{"tag without value", append([]string{"alice", "--tag", "team"}, allow...), 2, "KEY=VALUE"},
		{"tag twice", append([]string{"alice", "--tag", "a=1", "--tag", "a=2"}, allow...), 2, "twice"},
		{"empty action", []string{"alice", "--allow", "Describe*,"}, 2, "empty value"},
		{"bad policy ARN", []string{"alice", "--policy-arn", "ReadOnly"}, 1, "PolicyARNs[0]"},
		{"existing output", append([]string{"alice", "-o", existing}, allow...), 1, "--force"},
		{"missing policy file", []string{"alice", "--policy-file", "/nonexistent/p.json"}, 1, "/nonexistent/p.json"},
		{"format with seal", append([]string{"alice", "--format", "env", "--seal-to", "x"}, allow...), 2, "--seal-to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"federate"}, tc.args...)...)
			requireFail(t, r, tc.code, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Zero(t, srv.RequestCount("GetFederationToken"), "bad input sent requests")
	data, err := os.ReadFile(existing)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(data))

	r := runCLI(t, "", append([]string{"federate", "alice", "-o", existing, "--force"}, allow...)...)
	requireOK(t, r)
	info, err := os.Stat(existing)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestFederateRefusesTerminal(t *testing.T) {
	srv, _ := adminEnv(t)
	tty := tester{t: t, terminal: true}
	r := tty.run("", "federate", "alice", "--allow", "DescribeImages")
	requireFail(t, r, 1, "terminal", "--show-secrets")
	assert.Zero(t, srv.RequestCount("GetFederationToken"))

	r = tty.run("", "federate", "alice", "--allow", "DescribeImages", "--show-secrets")
	requireOK(t, r)
	_, err := ec2token.ParseCredentials(r.stdout)
	require.NoError(t, err)

	// A file is fine: the secret does not reach the terminal.
	r = tty.run("", "federate", "alice", "--allow", "DescribeImages", "-o", filepath.Join(t.TempDir(), "f"))
	requireOK(t, r)
}

func TestFederateSTSError(t *testing.T) {
	adminEnv(t)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrongwrongwrongwrongwrongwrongwrongwrong")
	r := runCLI(t, "", "federate", "alice", "--allow", "DescribeImages")
	requireFail(t, r, 1, "GetFederationToken", "SignatureDoesNotMatch")
	assert.NotContains(t, r.stderr, "wrongwrong")
}

func TestFederateProfile(t *testing.T) {
	srv, _ := adminEnv(t)
	id, secret := srv.RootCredentials()
	// A named profile in the shared files, and no keys in the environment.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "credentials"),
		[]byte("[admin]\naws_access_key_id = "+id+"\naws_secret_access_key = "+secret+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config"),
		[]byte("[profile admin]\nregion = eu-west-1\n"), 0o600))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "admin")

	r := runCLI(t, "", "federate", "alice", "--allow", "DescribeImages")
	requireOK(t, r)
	assert.Equal(t, 1, srv.RequestCount("GetFederationToken"))

	t.Setenv("AWS_PROFILE", "nobody")
	r = runCLI(t, "", "federate", "alice", "--allow", "DescribeImages")
	requireFail(t, r, 1, "nobody")
}
