package ec2token

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// fixtureExpiry is when the credentials in testdata/seal/sealed-*.txt
// expire.
var fixtureExpiry = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// The fixtures were made once by the age tool, from testCreds(fixtureExpiry)
// serialized:
//
//	age -a -r age1dveer... (the key in identity.txt) > sealed-by-age.txt
//	age -a -R id_ed25519_protected.pub > sealed-to-ssh-by-age.txt
func TestOpenSealedAgeFixtures(t *testing.T) {
	setClock(t, fixtureExpiry.Add(-time.Hour))
	keyFile, err := os.ReadFile("testdata/seal/identity.txt")
	require.NoError(t, err)
	locked := protectedSSHKey(t, ssh.KeyAlgoED25519)

	tests := []struct {
		file       string
		identities []age.Identity
	}{
		{"sealed-by-age.txt", mustIdentities(t, string(keyFile))},
		{"sealed-to-ssh-by-age.txt",
			[]age.Identity{mustSSHIdentity(t, locked.pem, givePassphrase(testSSHPassphrase))}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sealed, err := os.ReadFile(filepath.Join("testdata/seal", tt.file))
			require.NoError(t, err)
			got, err := OpenSealed(string(sealed), tt.identities...)
			require.NoError(t, err)
			requireSameCredentials(t, testCreds(fixtureExpiry), got)
		})
	}
}

// runAge runs the age tool with stdin and args and returns its standard
// output, or its standard error as the error text.
func runAge(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testpeer.Age(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("age %s: %w: %s", strings.Join(args, " "), err,
			bytes.TrimSpace(stderr.Bytes()))
	}
	return string(out), nil
}

func mustRunAge(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := runAge(t, stdin, args...)
	require.NoError(t, err)
	return out
}

// writeFile writes a key file that only its owner reads, as age and SSH
// expect.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// ageCLIKeys are the key files an age user has: an age identity file and
// unprotected SSH keys.
type ageCLIKeys struct {
	x                       *age.X25519Identity
	identityFile            string // age identity file
	edFile, rsaFile         string // SSH private keys
	authorizedKeys          string // both SSH public keys
	edIdentity, rsaIdentity age.Identity
}

func newAgeCLIKeys(t *testing.T) ageCLIKeys {
	t.Helper()
	keys := testSSHKeys()
	ed, rsaKey := keys[ssh.KeyAlgoED25519], keys[ssh.KeyAlgoRSA]
	x := newX25519(t)
	return ageCLIKeys{
		x:              x,
		identityFile:   writeFile(t, "key.txt", "# test\n"+x.String()+"\n"),
		edFile:         writeFile(t, "id_ed25519", string(ed.pem)),
		rsaFile:        writeFile(t, "id_rsa", string(rsaKey.pem)),
		authorizedKeys: writeFile(t, "authorized_keys", ed.authorized+"\n"+rsaKey.authorized+"\n"),
		edIdentity:     mustSSHIdentity(t, ed.pem, nil),
		rsaIdentity:    mustSSHIdentity(t, rsaKey.pem, nil),
	}
}

// TestSealOpensWithAgeCLI checks that "age -d" opens what Seal seals, and
// that the payload is the native serialization.
func TestSealOpensWithAgeCLI(t *testing.T) {
	testpeer.Age(t)
	k := newAgeCLIKeys(t)
	sshRecipients, err := ParseRecipients(strings.NewReader(
		testSSHKeys()[ssh.KeyAlgoED25519].authorized + "\n" +
			testSSHKeys()[ssh.KeyAlgoRSA].authorized))
	require.NoError(t, err)
	c := testCreds(testExpiry)

	tests := []struct {
		name       string
		recipients []age.Recipient
		keyFile    string
	}{
		{"age key", []age.Recipient{mustRecipient(t, k.x.Recipient().String())}, k.identityFile},
		{"ssh-ed25519", sshRecipients, k.edFile},
		{"ssh-rsa", sshRecipients, k.rsaFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustSeal(t, c, tt.recipients...)
			out := mustRunAge(t, sealed, "-d", "-i", tt.keyFile)
			assert.Equal(t, c.Serialize(), out, "age -d output is not the native serialization")
			got, err := ParseCredentials(out)
			require.NoError(t, err)
			requireSameCredentials(t, c, got)
		})
	}
}

// TestOpenSealedReadsAgeCLI checks that OpenSealed opens what "age -a"
// encrypts, to age keys, to an authorized_keys file, and to keys that
// age-keygen made.
func TestOpenSealedReadsAgeCLI(t *testing.T) {
	testpeer.Age(t)
	k := newAgeCLIKeys(t)
	c := testCreds(testExpiry)

	keygenFile := filepath.Join(t.TempDir(), "keygen.txt")
	keygen := exec.Command(testpeer.Command(t, "age-keygen", "install it: apt-get install -y age"),
		"-o", keygenFile)
	require.NoError(t, keygen.Run())
	keygenText, err := os.ReadFile(keygenFile)
	require.NoError(t, err)
	keygenIDs := mustIdentities(t, string(keygenText))
	keygenPublic := keygenIDs[0].(*age.X25519Identity).Recipient().String()

	tests := []struct {
		name       string
		args       []string
		identities []age.Identity
	}{
		{"age key", []string{"-r", k.x.Recipient().String()}, []age.Identity{k.x}},
		{"age-keygen file", []string{"-r", keygenPublic}, keygenIDs},
		{"authorized_keys, ed25519 opens", []string{"-R", k.authorizedKeys},
			[]age.Identity{k.edIdentity}},
		{"authorized_keys, RSA opens", []string{"-R", k.authorizedKeys},
			[]age.Identity{k.rsaIdentity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustRunAge(t, c.Serialize(), append([]string{"-a"}, tt.args...)...)
			got, err := OpenSealed(sealed, tt.identities...)
			require.NoError(t, err)
			requireSameCredentials(t, c, got)
		})
	}
}

// TestTamperingDetectedBothWays changes and truncates sealed strings from
// each side and checks that the other side refuses them.
func TestTamperingDetectedBothWays(t *testing.T) {
	testpeer.Age(t)
	k := newAgeCLIKeys(t)
	c := testCreds(testExpiry)
	flip := func(raw []byte) { raw[len(raw)-20] ^= 0x40 }

	t.Run("age sealed, OpenSealed refuses", func(t *testing.T) {
		sealed := mustRunAge(t, c.Serialize(), "-a", "-r", k.x.Recipient().String())
		_, err := OpenSealed(rearmor(t, sealed, flip), k.x)
		require.ErrorIs(t, err, ErrCorrupt)
		_, err = OpenSealed(sealed[:len(sealed)-60], k.x)
		require.ErrorIs(t, err, ErrCorrupt)
	})

	t.Run("we sealed, age refuses", func(t *testing.T) {
		sealed := mustSeal(t, c, k.x.Recipient())
		for name, bad := range map[string]string{
			"flipped":   rearmor(t, sealed, flip),
			"truncated": sealed[:len(sealed)-60],
		} {
			out, err := runAge(t, bad, "-d", "-i", k.identityFile)
			assert.Error(t, err, "age -d accepted a %s sealed string", name)
			assert.Empty(t, out, "age -d printed part of a %s sealed string", name)
		}
	})
}
