package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// ageKey makes an age key pair and returns the recipient and the path of
// an identity file.
func ageKey(t *testing.T) (recipient, identityFile string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	identityFile = filepath.Join(t.TempDir(), "key.txt")
	require.NoError(t, os.WriteFile(identityFile, []byte("# test key\n"+id.String()+"\n"), 0o600))
	return id.Recipient().String(), identityFile
}

// sshKey makes an ed25519 SSH key pair, the private key protected by
// passphrase unless it is empty, and returns the authorized_keys line and
// the path of the private key.
func sshKey(t *testing.T, passphrase string) (public, privateFile string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	require.NoError(t, err)
	privateFile = filepath.Join(t.TempDir(), "id_ed25519")
	require.NoError(t, os.WriteFile(privateFile, pem.EncodeToMemory(block), 0o600))
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " test", privateFile
}

func TestSealAndOpen(t *testing.T) {
	srv, _ := adminEnv(t)
	rcpt1, id1 := ageKey(t)
	rcpt2, id2 := ageKey(t)
	sshPub, sshPriv := sshKey(t, "")
	keys := filepath.Join(t.TempDir(), "team.keys")
	require.NoError(t, os.WriteFile(keys, []byte("# the team\n"+rcpt2+"\n"+sshPub+"\n"), 0o600))

	// Sealed output may go to a terminal: that is what sealing is for.
	tty := tester{t: t, terminal: true}
	r := tty.run("", "federate", "bob", "--allow", "DescribeImages", "--seal-to", rcpt1, "--seal-to", keys)
	requireOK(t, r)
	sealed := r.stdout
	assert.True(t, strings.HasPrefix(sealed, "-----BEGIN AGE ENCRYPTED FILE-----\n"), "federate --seal-to = %.40q", sealed)
	assert.True(t, strings.HasSuffix(sealed, "-----END AGE ENCRYPTED FILE-----\n"))

	var got []ec2token.Credentials
	for _, id := range []string{id1, id2, sshPriv} {
		r := runCLI(t, sealed, "export", "--identity", id, "--format", "native")
		requireOK(t, r)
		creds, err := ec2token.ParseCredentials(r.stdout)
		require.NoError(t, err)
		got = append(got, creds)
	}
	assert.Equal(t, got[0], got[1])
	assert.Equal(t, got[0], got[2])

	r = runCLI(t, sealed, "inspect", "--identity", id2)
	requireOK(t, r)
	assert.Regexp(t, `(?m)^format: +sealed$`, r.stdout)
	assert.Contains(t, r.stdout, got[0].AccessKeyID)

	file := filepath.Join(t.TempDir(), "bob.age")
	require.NoError(t, os.WriteFile(file, []byte(sealed), 0o600))
	r = runCLI(t, "", "exec", "--identity", id1, file, "--", "sh", "-c", `echo "$AWS_ACCESS_KEY_ID"`)
	requireOK(t, r)
	assert.Equal(t, got[0].AccessKeyID+"\n", r.stdout)
	requireOK(t, runCLI(t, "", "credential-process", "--identity", sshPriv, file))

	// Session tokens seal the same way.
	r = runCLI(t, "", "session", "--seal-to", rcpt1, "-o", filepath.Join(t.TempDir(), "s.age"))
	requireOK(t, r)

	t.Run("bad input", func(t *testing.T) {
		before := srv.RequestCount("GetFederationToken")
		_, other := ageKey(t)
		tests := []struct {
			name  string
			stdin string
			args  []string
			want  []string
		}{
			{"not a key", "", []string{"federate", "bob", "--allow", "DescribeImages", "--seal-to", "bob"},
				[]string{"--seal-to"}},
			{"secret key as recipient", "", []string{"federate", "bob", "--allow", "DescribeImages",
				"--seal-to", id1}, []string{"--seal-to " + id1}},
			{"no identity", sealed, []string{"export"}, []string{"sealed", "--identity"}},
			{"wrong identity", sealed, []string{"export", "--identity", other}, []string{"no identity"}},
			{"missing identity file", sealed, []string{"inspect", "--identity", "/nonexistent/key"},
				[]string{"/nonexistent/key"}},
			{"public key as identity", sealed, []string{"inspect", "--identity", keys}, []string{"--identity " + keys}},
			{"corrupt", strings.Replace(sealed, "\n", "\nAAAA", 2), []string{"export", "--identity", id1},
				[]string{"standard input"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := runCLI(t, tc.stdin, tc.args...)
				requireFail(t, r, 1, tc.want...)
				assert.Empty(t, r.stdout)
			})
		}
		assert.Equal(t, before, srv.RequestCount("GetFederationToken"), "bad input sent requests")
	})
}

func TestOpenWithProtectedSSHKey(t *testing.T) {
	creds := testCreds(time.Now().Add(time.Hour))
	pub, priv := sshKey(t, "correct horse")
	r, err := ec2token.ParseRecipient(pub)
	require.NoError(t, err)
	sealed, err := creds.Seal(r)
	require.NoError(t, err)

	out := tester{t: t, passphrase: "correct horse"}.run(sealed, "export", "--identity", priv, "--format", "json")
	requireOK(t, out)
	got, err := ec2token.ParseCredentials(out.stdout)
	require.NoError(t, err)
	assert.Equal(t, creds, got)

	out = tester{t: t, passphrase: "wrong"}.run(sealed, "export", "--identity", priv)
	requireFail(t, out, 1, "wrong passphrase")
	out = tester{t: t}.run(sealed, "export", "--identity", priv)
	requireFail(t, out, 1, "no terminal")

	// credential-process runs under the AWS CLI, where nobody can answer.
	file := filepath.Join(t.TempDir(), "sealed")
	require.NoError(t, os.WriteFile(file, []byte(sealed), 0o600))
	out = tester{t: t, passphrase: "correct horse"}.run("", "credential-process", "--identity", priv, file)
	requireFail(t, out, 1, "cannot ask")
}

func TestSealedExpired(t *testing.T) {
	creds := testCreds(time.Now().Add(-time.Hour))
	rcpt, id := ageKey(t)
	r, err := ec2token.ParseRecipient(rcpt)
	require.NoError(t, err)
	sealed, err := creds.Seal(r)
	require.NoError(t, err)

	out := runCLI(t, sealed, "inspect", "--identity", id)
	requireOK(t, out)
	assert.Contains(t, out.stdout, "expired 1h0m")
	requireFail(t, runCLI(t, sealed, "export", "--identity", id), 1, "expired at")
}

// TestSealedOpensWithAge checks that the age tool opens what federate
// sealed.
func TestSealedOpensWithAge(t *testing.T) {
	ageBin := testpeer.Age(t)
	adminEnv(t)
	rcpt, id := ageKey(t)
	r := runCLI(t, "", "federate", "bob", "--allow", "DescribeImages", "--seal-to", rcpt)
	requireOK(t, r)

	cmd := exec.Command(ageBin, "-d", "-i", id)
	cmd.Stdin = strings.NewReader(r.stdout)
	out, err := cmd.Output()
	require.NoError(t, err)
	creds, err := ec2token.ParseCredentials(string(out))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(creds.AccessKeyID, "ASIA"))
}
