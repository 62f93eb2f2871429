package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2token/ec2token"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInspect(t *testing.T) {
	creds := testCreds(time.Now().Add(2 * time.Hour))
	for _, f := range []ec2token.Format{ec2token.FormatNative, ec2token.FormatPerl,
		ec2token.FormatCredentialProcess, ec2token.FormatIMDS} {
		t.Run(f.String(), func(t *testing.T) {
			r := runCLI(t, "", "inspect", writeCreds(t, creds, f))
			requireOK(t, r)
			assert.Regexp(t, `(?m)^format: +`+f.String()+`$`, r.stdout)
			assert.Regexp(t, `(?m)^access key ID: +`+creds.AccessKeyID+`$`, r.stdout)
			assert.Regexp(t, `(?m)^kind: +temporary`, r.stdout)
			assert.Regexp(t, `(?m)^expires: +`+creds.Expiration.Format(time.RFC3339)+` \((1h59m|2h0m)\d+s left\)$`, r.stdout)
			assertNoSecret(t, creds, r.stdout)
		})
	}
	t.Run("stdin", func(t *testing.T) {
		for _, args := range [][]string{{"inspect"}, {"inspect", "-"}} {
			r := runCLI(t, creds.Serialize(), args...)
			requireOK(t, r)
			assert.Contains(t, r.stdout, creds.AccessKeyID)
		}
	})
	t.Run("long-term", func(t *testing.T) {
		lt := ec2token.Credentials{AccessKeyID: "AKIATESTTESTTESTTEST", SecretAccessKey: "s3cr3ts3cr3ts3cr3t"}
		r := runCLI(t, lt.Serialize(), "inspect", "--check")
		requireOK(t, r)
		assert.Regexp(t, `(?m)^kind: +long-term`, r.stdout)
		assert.Regexp(t, `(?m)^expires: +never or unknown$`, r.stdout)
	})
	t.Run("expired", func(t *testing.T) {
		old := testCreds(time.Now().Add(-time.Hour))
		r := runCLI(t, old.Serialize(), "inspect")
		requireOK(t, r)
		assert.Regexp(t, `(?m)^expires: .* \(expired 1h0m\d+s ago\)$`, r.stdout)

		r = runCLI(t, old.Serialize(), "inspect", "--whoami")
		requireOK(t, r)
		assert.Regexp(t, `(?m)^identity: +unknown: expired`, r.stdout)

		r = runCLI(t, old.Serialize(), "inspect", "--check")
		assert.Equal(t, 1, r.code, "inspect --check of expired credentials: exit status")
		assert.Empty(t, r.stderr)
	})
}

func TestInspectWhoami(t *testing.T) {
	adminEnv(t)
	r := runCLI(t, "", "federate", "alice", "--allow", "DescribeImages")
	requireOK(t, r)
	r = runCLI(t, r.stdout, "inspect", "--whoami", "-")
	requireOK(t, r)
	assert.Regexp(t, `(?m)^identity: +arn:aws:sts::\d{12}:federated-user/alice$`, r.stdout)
}

// TestBadCredentialInput covers the input errors every subcommand that
// reads credentials shares.
func TestBadCredentialInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	require.NoError(t, os.WriteFile(garbage, []byte("not credentials at all"), 0o600))
	broken := filepath.Join(dir, "broken")
	require.NoError(t, os.WriteFile(broken, []byte(`{"Version": 1, "AccessKeyId": "AKIA"}`), 0o600))
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, make([]byte, maxInput+1), 0o600))
	expired := writeCreds(t, testCreds(time.Now().Add(-time.Minute)), ec2token.FormatNative)
	missing := filepath.Join(dir, "missing")
	closing := writeCreds(t, testCreds(time.Now().Add(ec2token.ExpiryMargin/2+time.Second)), ec2token.FormatNative)

	tests := []struct {
		name string
		file string
		code int
		want []string
	}{
		{"missing file", missing, 1, []string{missing, "no such file"}},
		{"unknown format", garbage, 1, []string{garbage, "no known credentials format"}},
		{"malformed", broken, 1, []string{broken, "credential_process", "SecretAccessKey"}},
		{"too large", big, 1, []string{big, "larger than"}},
		{"expired", expired, 1, []string{expired, "expired at", "mint new ones"}},
		{"expiring", closing, 1, []string{closing, "safety margin", "mint new ones"}},
	}
	for _, tc := range tests {
		for _, args := range [][]string{
			{"inspect", tc.file}, {"export", tc.file}, {"credential-process", tc.file},
			{"exec", tc.file, "--", "true"},
		} {
			if (tc.name == "expired" || tc.name == "expiring") && args[0] == "inspect" {
				continue
			}
			t.Run(tc.name+"/"+args[0], func(t *testing.T) {
				r := runCLI(t, "", args...)
				requireFail(t, r, tc.code, tc.want...)
				assert.Empty(t, r.stdout)
			})
		}
	}
}

func TestExport(t *testing.T) {
	creds := testCreds(time.Now().Add(time.Hour))
	perl := writeCreds(t, creds, ec2token.FormatPerl)
	tests := []struct {
		flag string
		want ec2token.Format
	}{
		{"native", ec2token.FormatNative},
		{"perl", ec2token.FormatPerl},
		{"json", ec2token.FormatCredentialProcess},
		{"credential_process", ec2token.FormatCredentialProcess},
		{"imds", ec2token.FormatIMDS},
	}
	for _, tc := range tests {
		t.Run(tc.flag, func(t *testing.T) {
			r := runCLI(t, "", "export", "--format", tc.flag, perl)
			requireOK(t, r)
			f, err := ec2token.DetectFormat(r.stdout)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f)
			got, err := ec2token.ParseCredentials(r.stdout)
			require.NoError(t, err)
			assert.Equal(t, creds, got, "export --format %s round trip", tc.flag)
		})
	}
	t.Run("env by default", func(t *testing.T) {
		r := runCLI(t, creds.Serialize(), "export")
		requireOK(t, r)
		assert.Equal(t, "export AWS_ACCESS_KEY_ID='"+creds.AccessKeyID+"'\n"+
			"export AWS_SECRET_ACCESS_KEY='"+creds.SecretAccessKey+"'\n"+
			"export AWS_SESSION_TOKEN='"+creds.SessionToken+"'\n"+
			"export AWS_CREDENTIAL_EXPIRATION='"+creds.Expiration.Format(time.RFC3339)+"'\n", r.stdout)
	})
	t.Run("file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		requireOK(t, runCLI(t, "", "export", "--format", "native", perl, "-o", out))
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, creds.Serialize()+"\n", string(data))

		r := runCLI(t, "", "export", perl, "-o", out)
		requireFail(t, r, 1, out, "already exists", "--force")
		requireOK(t, runCLI(t, "", "export", perl, "-o", out, "--force"))
		data, err = os.ReadFile(out)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(data), "export "), "export --force did not replace the file")
	})
	t.Run("terminal", func(t *testing.T) {
		tty := tester{t: t, terminal: true}
		requireFail(t, tty.run("", "export", perl), 1, "terminal")
		requireOK(t, tty.run("", "export", perl, "--show-secrets"))
	})
	t.Run("usage", func(t *testing.T) {
		requireFail(t, runCLI(t, "", "export", "--format", "toml", perl), 2, "--format")
		requireFail(t, runCLI(t, "", "export", "--fromat", "env", perl), 2, "-fromat")
		requireFail(t, runCLI(t, "", "export", perl, perl), 2, "too many")
	})
}

func TestCredentialProcess(t *testing.T) {
	creds := testCreds(time.Now().Add(time.Hour))
	file := writeCreds(t, creds, ec2token.FormatIMDS)

	r := runCLI(t, "", "credential-process", file)
	requireOK(t, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, map[string]any{
		"Version": 1.0, "AccessKeyId": creds.AccessKeyID, "SecretAccessKey": creds.SecretAccessKey,
		"SessionToken": creds.SessionToken, "Expiration": creds.Expiration.Format(time.RFC3339),
	}, out)

	tty := tester{t: t, terminal: true}
	requireFail(t, tty.run("", "credential-process", file), 1, "terminal")
	requireOK(t, tty.run("", "credential-process", "--show-secrets", file))

	requireFail(t, runCLI(t, "", "credential-process"), 2, "missing argument")
	requireFail(t, runCLI(t, "", "credential-process", file, "-o", "x"), 2, "-o")
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	require.NoError(t, writeFileAtomic(name, []byte("one"), false))
	err := writeFileAtomic(name, []byte("two"), false)
	require.ErrorContains(t, err, "already exists")
	require.NoError(t, writeFileAtomic(name, []byte("three"), true))

	data, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "three", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "writeFileAtomic left temporary files")

	err = writeFileAtomic(filepath.Join(dir, "no", "such", "dir"), []byte("x"), false)
	require.Error(t, err)
}
