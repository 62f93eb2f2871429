package ec2token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// testSSHPassphrase protects the passphrase-protected test keys.
const testSSHPassphrase = "correct horse battery staple"

// sshTestKey is an SSH key pair in the forms users keep on disk.
type sshTestKey struct {
	authorized string // one authorized_keys line, with a comment
	pem        []byte // OpenSSH private key
}

// testSSHKeys makes one ed25519 and one 2048-bit RSA key per test binary.
var testSSHKeys = sync.OnceValue(func() map[string]sshTestKey {
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return map[string]sshTestKey{
		ssh.KeyAlgoED25519: newSSHTestKey(edKey),
		ssh.KeyAlgoRSA:     newSSHTestKey(rsaKey),
	}
})

func newSSHTestKey(key crypto.Signer) sshTestKey {
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		panic(err)
	}
	plain, err := ssh.MarshalPrivateKey(key, "test key")
	if err != nil {
		panic(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " user@example.test"
	return sshTestKey{authorized: line, pem: pem.EncodeToMemory(plain)}
}

// protectedSSHKey reads a key protected by testSSHPassphrase, made by
// "ssh-keygen -a 1": one bcrypt round instead of the usual 16 keeps the
// tests fast under the race detector.
func protectedSSHKey(t testing.TB, typ string) sshTestKey {
	t.Helper()
	name := map[string]string{ssh.KeyAlgoED25519: "id_ed25519_protected",
		ssh.KeyAlgoRSA: "id_rsa_protected"}[typ]
	priv, err := os.ReadFile("testdata/seal/" + name)
	require.NoError(t, err)
	pub, err := os.ReadFile("testdata/seal/" + name + ".pub")
	require.NoError(t, err)
	return sshTestKey{authorized: string(pub), pem: priv}
}

func ecdsaAuthorizedKey(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pub, err := ssh.NewPublicKey(key.Public())
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func newX25519(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	return id
}

// requireInputError checks that err is an *InputError for field whose
// message quotes none of secrets.
func requireInputError(t *testing.T, err error, field string, secrets ...string) {
	t.Helper()
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, field, ie.Field, "InputError.Field")
	assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "), "error %q lacks the prefix", err)
	for _, s := range secrets {
		if s != "" {
			assert.NotContains(t, err.Error(), s)
		}
	}
}

func TestParseRecipient(t *testing.T) {
	keys := testSSHKeys()
	x := newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	require.NoError(t, err)
	ed := keys[ssh.KeyAlgoED25519].authorized

	tests := []struct {
		name, in string
		want     any // the type ParseRecipient must return
	}{
		{"X25519", x.Recipient().String(), &age.X25519Recipient{}},
		{"X25519 upper case with spaces", "  " + strings.ToUpper(x.Recipient().String()) + "\n",
			&age.X25519Recipient{}},
		{"post-quantum", pq.Recipient().String(), &age.HybridRecipient{}},
		{"ssh-ed25519 with comment", ed, &agessh.Ed25519Recipient{}},
		{"ssh-ed25519 without comment", strings.Join(strings.Fields(ed)[:2], " "),
			&agessh.Ed25519Recipient{}},
		{"ssh-ed25519 with options", `no-pty,command="true" ` + ed, &agessh.Ed25519Recipient{}},
		{"ssh-rsa", keys[ssh.KeyAlgoRSA].authorized, &agessh.RSARecipient{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecipient(tt.in)
			require.NoError(t, err)
			assert.IsType(t, tt.want, got, "ParseRecipient(%s) type", tt.name)
		})
	}
}

func TestParseRecipientErrors(t *testing.T) {
	x := newX25519(t)
	xs := x.Recipient().String()
	ed := testSSHKeys()[ssh.KeyAlgoED25519]
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	smallPub, err := ssh.NewPublicKey(small.Public())
	require.NoError(t, err)

	tests := []struct {
		name, in, problem string
	}{
		{"empty", " \n", "is empty"},
		{"age secret key", x.String(), "secret key"},
		{"private key PEM", string(ed.pem), "PEM block"},
		{"bad checksum", xs[:len(xs)-1] + flipChar(xs[len(xs)-1]), "not a valid age X25519"},
		{"plugin", "age1yubikey1q2w3e4r5t6y7u8i9o0p", "plugin"},
		{"bad post-quantum", "age1pq1qqqqqqqq", "not a valid age post-quantum"},
		{"garbage", "hello world", "neither an age public key"},
		{"two SSH keys", ed.authorized + "\n" + ed.authorized, "neither an age public key"},
		{"ecdsa", ecdsaAuthorizedKey(t), "ecdsa-sha2-nistp256"},
		{"short RSA", string(ssh.MarshalAuthorizedKey(smallPub)), "shorter than 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecipient(tt.in)
			require.Error(t, err, "ParseRecipient(%s) = %v, want an error", tt.name, got)
			assert.IsType(t, &InputError{}, err)
			requireInputError(t, err, "recipient", strings.TrimSpace(tt.in))
			assert.Contains(t, err.Error(), tt.problem)
		})
	}
}

// flipChar returns a different Bech32 character than c.
func flipChar(c byte) string {
	if c == 'q' {
		return "p"
	}
	return "q"
}

func TestParseRecipients(t *testing.T) {
	keys := testSSHKeys()
	x := newX25519(t)
	list := strings.Join([]string{
		"# keys of user@example.test",
		keys[ssh.KeyAlgoED25519].authorized,
		"",
		ecdsaAuthorizedKey(t),
		"   " + keys[ssh.KeyAlgoRSA].authorized + "\r",
		x.Recipient().String(),
	}, "\n")

	recs, err := ParseRecipients(strings.NewReader(list))
	require.NoError(t, err)
	require.Len(t, recs, 3, "ParseRecipients(list) = %d recipients, want 3 (ecdsa skipped)", len(recs))
	assert.IsType(t, &agessh.Ed25519Recipient{}, recs[0])
	assert.IsType(t, &agessh.RSARecipient{}, recs[1])
	assert.IsType(t, &age.X25519Recipient{}, recs[2])
}

func TestParseRecipientsErrors(t *testing.T) {
	x := newX25519(t)
	ed := testSSHKeys()[ssh.KeyAlgoED25519].authorized
	readErr := errors.New("disk on fire")

	tests := []struct {
		name   string
		in     string
		field  string
		secret string
	}{
		{"secret key on line 3", ed + "\n\n" + x.String() + "\n", "recipient on line 3", x.String()},
		{"garbage on line 2", "# c\nnot a key\n", "recipient on line 2", "not a key"},
		{"only comments", "# nothing\n\n", "recipients", ""},
		{"only unsupported keys", ecdsaAuthorizedKey(t), "recipients", ""},
		{"too long", strings.Repeat("#", maxKeyFileSize+1), "recipients", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecipients(strings.NewReader(tt.in))
			require.Error(t, err, "ParseRecipients(%s) = %v, want an error", tt.name, got)
			requireInputError(t, err, tt.field, tt.secret)
		})
	}
	t.Run("read error", func(t *testing.T) {
		_, err := ParseRecipients(iotest.ErrReader(readErr))
		assert.ErrorIs(t, err, readErr)
	})
}

func TestParseIdentities(t *testing.T) {
	x1, x2 := newX25519(t), newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	require.NoError(t, err)
	file := "# created: 2026-12-03T16:00:00Z\n# public key: " + x1.Recipient().String() +
		"\n" + x1.String() + "\r\n\n  " + x2.String() + "\n" + pq.String() + "\n"

	ids, err := ParseIdentities(strings.NewReader(file))
	require.NoError(t, err)
	require.Len(t, ids, 3)
	assert.Equal(t, x1.String(), ids[0].(*age.X25519Identity).String())
	assert.Equal(t, x2.String(), ids[1].(*age.X25519Identity).String())
	assert.Equal(t, pq.String(), ids[2].(*age.HybridIdentity).String())
}

func TestParseIdentitiesErrors(t *testing.T) {
	x := newX25519(t)
	xs := x.String()
	broken := xs[:len(xs)-1] + strings.ToUpper(flipChar(strings.ToLower(xs)[len(xs)-1]))
	tests := []struct {
		name, in, field, problem string
	}{
		{"broken key on line 2", "# key\n" + broken, "identity on line 2", "not a valid age X25519"},
		{"public key", x.Recipient().String(), "identity on line 1", "public key"},
		{"SSH key", string(testSSHKeys()[ssh.KeyAlgoED25519].pem), "identity on line 1",
			"ParseSSHIdentity"},
		{"plugin", "AGE-PLUGIN-YUBIKEY-1QQQQQ", "identity on line 1", "plugin"},
		{"bad post-quantum", "AGE-SECRET-KEY-PQ-1QQQQ", "identity on line 1", "post-quantum"},
		{"garbage", "password123", "identity on line 1", "not an age secret key"},
		{"empty", "\n# only a comment\n", "identities", "none found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIdentities(strings.NewReader(tt.in))
			require.Error(t, err, "ParseIdentities(%s) = %v, want an error", tt.name, got)
			requireInputError(t, err, tt.field, broken, "password123")
			assert.Contains(t, err.Error(), tt.problem)
		})
	}
}

func TestParseSSHIdentity(t *testing.T) {
	for _, typ := range []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSA} {
		key := testSSHKeys()[typ]
		t.Run(typ, func(t *testing.T) {
			id, err := ParseSSHIdentity(key.pem, nil)
			require.NoError(t, err)
			assert.IsType(t, &sshKeyIdentity{}, id)
			assertPrintsFingerprint(t, id, typ)
		})
		t.Run(typ+" protected", func(t *testing.T) {
			var asked atomic.Int32
			id, err := ParseSSHIdentity(protectedSSHKey(t, typ).pem, func() ([]byte, error) {
				asked.Add(1)
				return []byte(testSSHPassphrase), nil
			})
			require.NoError(t, err)
			assert.IsType(t, &lockedSSHIdentity{}, id)
			assert.Zero(t, asked.Load(), "passphrase asked before it was needed")
			assertPrintsFingerprint(t, id, typ)
		})
	}
}

// assertPrintsFingerprint checks that every way of printing or logging an
// SSH identity shows its type and fingerprint and nothing of its fields.
func assertPrintsFingerprint(t *testing.T, id age.Identity, typ string) {
	t.Helper()
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("opening", "identity", id)
	outputs := []string{logged.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outputs = append(outputs, fmt.Sprintf(verb, id))
	}
	for _, out := range outputs {
		assert.Contains(t, out, "SSH identity "+typ+" SHA256:")
		assert.NotContains(t, out, "{", "printed the fields: %s", out)
	}
}

func TestParseSSHIdentityErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecPEM, err := ssh.MarshalPrivateKey(ecKey, "")
	require.NoError(t, err)
	garbage := []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0\n-----END OPENSSH PRIVATE KEY-----\n")

	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not PEM", []byte("ssh-ed25519 AAAA")},
		{"malformed OpenSSH", garbage},
		{"ecdsa", pem.EncodeToMemory(ecPEM)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSSHIdentity(tt.in, nil)
			require.Error(t, err, "ParseSSHIdentity(%s) = %v, want an error", tt.name, got)
			requireInputError(t, err, "SSH private key", "c2VjcmV0")
		})
	}

	t.Run("protected without callback", func(t *testing.T) {
		_, err := ParseSSHIdentity(protectedSSHKey(t, ssh.KeyAlgoED25519).pem, nil)
		var missing *ssh.PassphraseMissingError
		require.ErrorAs(t, err, &missing)
		assert.Contains(t, err.Error(), "no passphrase callback")
	})
}

// TestParseSSHIdentityLegacyPEM reads an RSA key in the old PEM form that
// "ssh-keygen -m PEM" writes, whose encryption hides the public key too, so
// the passphrase is asked at once.
func TestParseSSHIdentityLegacyPEM(t *testing.T) {
	pemBytes, err := os.ReadFile("testdata/seal/id_rsa_legacy_pem")
	require.NoError(t, err)
	pubLine, err := os.ReadFile("testdata/seal/id_rsa_legacy_pem.pub")
	require.NoError(t, err)
	block, _ := pem.Decode(pemBytes)
	require.NotNil(t, block)
	//lint:ignore SA1019 only checks that the fixture is in the legacy form
	require.True(t, x509.IsEncryptedPEMBlock(block), "fixture is not a legacy encrypted PEM key")

	asked := 0
	id, err := ParseSSHIdentity(pemBytes, func() ([]byte, error) {
		asked++
		return []byte(legacyPEMPassphrase), nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1, asked, "passphrase asked %d times, want 1", asked)

	rec, err := ParseRecipient(string(pubLine))
	require.NoError(t, err)
	sealed, err := testCreds(testExpiry).Seal(rec)
	require.NoError(t, err)
	got, err := OpenSealed(sealed, id)
	require.NoError(t, err)
	requireSameCredentials(t, testCreds(testExpiry), got)

	_, err = ParseSSHIdentity(pemBytes, func() ([]byte, error) { return []byte("wrong"), nil })
	require.ErrorIs(t, err, ErrWrongPassphrase)
	assert.ErrorIs(t, err, x509.IncorrectPasswordError)
	assert.NotContains(t, err.Error(), "wrong\"")
}

// legacyPEMPassphrase protects testdata/seal/id_rsa_legacy_pem.
const legacyPEMPassphrase = "legacy test passphrase"

func TestNewPassphraseEmpty(t *testing.T) {
	_, err := NewPassphraseRecipient("")
	requireInputError(t, err, "passphrase")
	_, err = NewPassphraseIdentity("")
	requireInputError(t, err, "passphrase")
}

// TestParseSSHIdentityMarshaledWithPassphrase opens credentials with a key
// that x/crypto protected, with the 16 bcrypt rounds OpenSSH uses too.
func TestParseSSHIdentityMarshaledWithPassphrase(t *testing.T) {
	if underRace {
		t.Skip("16 bcrypt rounds take seconds under the race detector; " +
			"this test runs without -race")
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(key, "", []byte(testSSHPassphrase))
	require.NoError(t, err)
	pub, err := ssh.NewPublicKey(key.Public())
	require.NoError(t, err)

	c := testCreds(testExpiry)
	sealed := mustSeal(t, c, mustRecipient(t, string(ssh.MarshalAuthorizedKey(pub))))
	id := mustSSHIdentity(t, pem.EncodeToMemory(block), givePassphrase(testSSHPassphrase))
	got, err := OpenSealed(sealed, id)
	require.NoError(t, err)
	requireSameCredentials(t, c, got)
}
