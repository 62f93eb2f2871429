package ec2token

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// testExpiry is two hours after the test binary started.
var testExpiry = time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)

const testPassphrase = "open sesame, but slowly"

func requireSameCredentials(t testing.TB, want, got Credentials) {
	t.Helper()
	assert.Equal(t, want.AccessKeyID, got.AccessKeyID, "AccessKeyID")
	assert.True(t, want.SecretAccessKey == got.SecretAccessKey, "SecretAccessKey differs")
	assert.True(t, want.SessionToken == got.SessionToken, "SessionToken differs")
	assert.True(t, want.Expiration.Equal(got.Expiration), "Expiration = %v, want %v",
		got.Expiration, want.Expiration)
}

// fastScrypt lowers the scrypt work factor of passphrase recipients for
// the rest of the test.
func fastScrypt(t testing.TB) {
	t.Helper()
	old := scryptLogN
	scryptLogN = 10
	t.Cleanup(func() { scryptLogN = old })
}

func mustSeal(t testing.TB, c Credentials, recipients ...age.Recipient) string {
	t.Helper()
	sealed, err := c.Seal(recipients...)
	require.NoError(t, err)
	return sealed
}

func mustRecipient(t testing.TB, s string) age.Recipient {
	t.Helper()
	r, err := ParseRecipient(s)
	require.NoError(t, err)
	return r
}

func mustIdentities(t testing.TB, s string) []age.Identity {
	t.Helper()
	ids, err := ParseIdentities(strings.NewReader(s))
	require.NoError(t, err)
	return ids
}

func mustSSHIdentity(t testing.TB, pemBytes []byte, passphrase func() ([]byte, error)) age.Identity {
	t.Helper()
	id, err := ParseSSHIdentity(pemBytes, passphrase)
	require.NoError(t, err)
	return id
}

func givePassphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

// ageArmored encrypts payload with the age library itself, armored.
func ageArmored(t testing.TB, payload string, recipients ...age.Recipient) string {
	t.Helper()
	var b strings.Builder
	aw := armor.NewWriter(&b)
	w, err := age.Encrypt(aw, recipients...)
	require.NoError(t, err)
	_, err = io.WriteString(w, payload)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, aw.Close())
	return b.String()
}

// assertNoLeak checks that msg holds no secret and no line of sealed.
func assertNoLeak(t testing.TB, msg, sealed string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, fixtureSecret, fixtureSession, testPassphrase, testSSHPassphrase) {
		assert.NotContains(t, msg, s)
	}
	for _, line := range strings.Split(sealed, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 8 && !strings.HasPrefix(line, "-----") {
			assert.NotContains(t, msg, line)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	fastScrypt(t)
	keys := testSSHKeys()
	ed, rsaKey := keys[ssh.KeyAlgoED25519], keys[ssh.KeyAlgoRSA]
	edLocked := protectedSSHKey(t, ssh.KeyAlgoED25519)
	rsaLocked := protectedSSHKey(t, ssh.KeyAlgoRSA)
	x := newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	require.NoError(t, err)
	passRec, err := NewPassphraseRecipient(testPassphrase)
	require.NoError(t, err)
	passID, err := NewPassphraseIdentity(testPassphrase)
	require.NoError(t, err)
	several, err := ParseRecipients(strings.NewReader(
		ed.authorized + "\n" + rsaKey.authorized + "\n" + x.Recipient().String() + "\n"))
	require.NoError(t, err)

	tests := []struct {
		name       string
		recipients []age.Recipient
		identities []age.Identity
	}{
		{"age X25519", []age.Recipient{mustRecipient(t, x.Recipient().String())},
			mustIdentities(t, x.String())},
		{"age post-quantum", []age.Recipient{mustRecipient(t, pq.Recipient().String())},
			mustIdentities(t, pq.String())},
		{"ssh-ed25519", []age.Recipient{mustRecipient(t, ed.authorized)},
			[]age.Identity{mustSSHIdentity(t, ed.pem, nil)}},
		{"ssh-rsa", []age.Recipient{mustRecipient(t, rsaKey.authorized)},
			[]age.Identity{mustSSHIdentity(t, rsaKey.pem, nil)}},
		{"protected ssh-ed25519", []age.Recipient{mustRecipient(t, edLocked.authorized)},
			[]age.Identity{mustSSHIdentity(t, edLocked.pem, givePassphrase(testSSHPassphrase))}},
		{"protected ssh-rsa", []age.Recipient{mustRecipient(t, rsaLocked.authorized)},
			[]age.Identity{mustSSHIdentity(t, rsaLocked.pem, givePassphrase(testSSHPassphrase))}},
		{"passphrase", []age.Recipient{passRec}, []age.Identity{passID}},
		{"list, opened with ssh-ed25519", several, []age.Identity{mustSSHIdentity(t, ed.pem, nil)}},
		{"list, opened with ssh-rsa", several, []age.Identity{mustSSHIdentity(t, rsaKey.pem, nil)}},
		{"list, opened with X25519", several, mustIdentities(t, x.String())},
		{"identity among others", []age.Recipient{x.Recipient()},
			append([]age.Identity{newX25519(t), mustSSHIdentity(t, ed.pem, nil)}, x)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := testCreds(testExpiry)
			sealed := mustSeal(t, want, tt.recipients...)
			assert.True(t, strings.HasPrefix(sealed, armor.Header+"\n"), "Seal() does not start "+
				"with the armor header")
			assert.True(t, strings.HasSuffix(sealed, armor.Footer+"\n"), "Seal() does not end "+
				"with the armor footer")
			assertNoLeak(t, sealed, "")

			got, err := OpenSealed(sealed, tt.identities...)
			require.NoError(t, err)
			requireSameCredentials(t, want, got)
		})
	}
}

func TestSealDiffersEachTime(t *testing.T) {
	x := newX25519(t)
	c := testCreds(testExpiry)
	a, b := mustSeal(t, c, x.Recipient()), mustSeal(t, c, x.Recipient())
	assert.NotEqual(t, a, b, "Seal gave the same string twice")
}

func TestSealLongTermKeysWithoutExpiry(t *testing.T) {
	x := newX25519(t)
	want := Credentials{AccessKeyID: "AKIAEXAMPLEEXAMPLE02", SecretAccessKey: fixtureSecret}
	got, err := OpenSealed(mustSeal(t, want, x.Recipient()), x)
	require.NoError(t, err)
	requireSameCredentials(t, want, got)
}

func TestSealErrors(t *testing.T) {
	fastScrypt(t)
	x := newX25519(t).Recipient()
	pass, err := NewPassphraseRecipient(testPassphrase)
	require.NoError(t, err)
	full := testCreds(testExpiry)
	noSecret := full
	noSecret.SecretAccessKey = ""

	tests := []struct {
		name       string
		creds      Credentials
		recipients []age.Recipient
		field      string
	}{
		{"no recipients", full, nil, "recipients"},
		{"nil recipient", full, []age.Recipient{x, nil}, "recipients"},
		{"passphrase and a key", full, []age.Recipient{pass, x}, "recipients"},
		{"zero credentials", Credentials{}, []age.Recipient{x}, "AccessKeyID"},
		{"no secret key", noSecret, []age.Recipient{x}, "SecretAccessKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.creds.Seal(tt.recipients...)
			require.Error(t, err, "Seal(%s) = %q, want an error", tt.name, got)
			assert.Empty(t, got)
			requireInputError(t, err, tt.field, fixtureSecret, fixtureSession, testPassphrase)
		})
	}
}

func TestOpenSealedWrongIdentity(t *testing.T) {
	fastScrypt(t)
	keys := testSSHKeys()
	x, other := newX25519(t), newX25519(t)
	pass, err := NewPassphraseRecipient(testPassphrase)
	require.NoError(t, err)
	wrongPass, err := NewPassphraseIdentity("not " + testPassphrase)
	require.NoError(t, err)
	c := testCreds(testExpiry)

	tests := []struct {
		name       string
		recipient  age.Recipient
		identities []age.Identity
		mentions   string
	}{
		{"other X25519 key", x.Recipient(), []age.Identity{other}, "an age X25519 key"},
		{"ed25519 sealed, RSA given", mustRecipient(t, keys[ssh.KeyAlgoED25519].authorized),
			[]age.Identity{mustSSHIdentity(t, keys[ssh.KeyAlgoRSA].pem, nil)}, "an ssh-ed25519 key"},
		{"wrong passphrase", pass, []age.Identity{wrongPass}, "a passphrase"},
		{"passphrase sealed, key given", pass, []age.Identity{x}, "a passphrase"},
		{"key sealed, passphrase given", x.Recipient(), []age.Identity{wrongPass}, "X25519"},
		{"protected key of another user", x.Recipient(), []age.Identity{mustSSHIdentity(t,
			protectedSSHKey(t, ssh.KeyAlgoED25519).pem, func() ([]byte, error) {
				t.Error("passphrase asked for a key that does not match")
				return nil, errors.New("unexpected")
			})}, "X25519"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustSeal(t, c, tt.recipient)
			got, err := OpenSealed(sealed, tt.identities...)
			require.ErrorIs(t, err, ErrWrongIdentity, "OpenSealed(%s) = %v", tt.name, got)
			var noMatch *age.NoIdentityMatchError
			assert.ErrorAs(t, err, &noMatch)
			assert.ErrorIs(t, err, age.ErrIncorrectIdentity)
			assert.NotErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), tt.mentions)
			assert.Equal(t, Credentials{}, got)
			assertNoLeak(t, err.Error(), sealed)
		})
	}
}

func TestOpenSealedProtectedSSHKey(t *testing.T) {
	key := protectedSSHKey(t, ssh.KeyAlgoED25519)
	c := testCreds(testExpiry)
	sealed := mustSeal(t, c, mustRecipient(t, key.authorized))

	t.Run("wrong, then right", func(t *testing.T) {
		answers := []string{"guess", testSSHPassphrase}
		asked := 0
		id := mustSSHIdentity(t, key.pem, func() ([]byte, error) {
			asked++
			return []byte(answers[min(asked, len(answers))-1]), nil
		})
		_, err := OpenSealed(sealed, id)
		require.ErrorIs(t, err, ErrWrongPassphrase)
		assert.NotErrorIs(t, err, ErrCorrupt)
		assertNoLeak(t, err.Error(), sealed, "guess")

		for range 2 {
			got, err := OpenSealed(sealed, id)
			require.NoError(t, err)
			requireSameCredentials(t, c, got)
		}
		assert.Equal(t, 2, asked, "passphrase asked %d times, want 2", asked)
	})

	t.Run("callback fails", func(t *testing.T) {
		cancelled := errors.New("prompt cancelled")
		id := mustSSHIdentity(t, key.pem, func() ([]byte, error) { return nil, cancelled })
		_, err := OpenSealed(sealed, id)
		require.ErrorIs(t, err, cancelled)
		assert.NotErrorIs(t, err, ErrCorrupt)
	})

	t.Run("concurrent opens ask once", func(t *testing.T) {
		var asked atomic.Int32
		id := mustSSHIdentity(t, key.pem, func() ([]byte, error) {
			asked.Add(1)
			return []byte(testSSHPassphrase), nil
		})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				got, err := OpenSealed(sealed, id)
				assert.NoError(t, err)
				assert.Equal(t, c.AccessKeyID, got.AccessKeyID)
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), asked.Load(), "passphrase asked %d times, want 1", asked.Load())
	})
}

func TestOpenSealedNotSealed(t *testing.T) {
	x := newX25519(t)
	c := testCreds(testExpiry)
	var binary bytes.Buffer
	w, err := age.Encrypt(&binary, x.Recipient())
	require.NoError(t, err)
	require.NoError(t, w.Close())

	tests := []struct{ name, in string }{
		{"empty", ""},
		{"white space", " \r\n\t"},
		{"plain text", "hello, here are your keys"},
		{"native serialization", c.Serialize()},
		{"PGP message", "-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n"},
		{"binary age file", binary.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OpenSealed(tt.in, x)
			require.ErrorIs(t, err, ErrNotSealed, "OpenSealed(%s) = %v", tt.name, got)
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "))
			assertNoLeak(t, err.Error(), tt.in)
		})
	}
}

func TestOpenSealedWhiteSpace(t *testing.T) {
	x := newX25519(t)
	c := testCreds(testExpiry)
	sealed := mustSeal(t, c, x.Recipient())

	tests := []struct {
		name string
		edit func(string) string
	}{
		{"as sealed", func(s string) string { return s }},
		{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"surrounded", func(s string) string { return "\n\n  \t" + s + "\n   \n" }},
		{"no final newline", func(s string) string { return strings.TrimSuffix(s, "\n") }},
		{"indented", func(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }},
		{"trailing spaces", func(s string) string { return strings.ReplaceAll(s, "\n", " \t\r\n") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OpenSealed(tt.edit(sealed), x)
			require.NoError(t, err)
			requireSameCredentials(t, c, got)
		})
	}
}

// armorBody returns the lines of an armored file between header and footer.
func armorBody(t testing.TB, sealed string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(sealed), "\n")
	require.Equal(t, armor.Header, lines[0])
	require.Equal(t, armor.Footer, lines[len(lines)-1])
	return lines[1 : len(lines)-1]
}

// rearmor decodes an armored file, lets edit change the binary, and armors
// it again.
func rearmor(t testing.TB, sealed string, edit func([]byte)) string {
	t.Helper()
	raw, err := io.ReadAll(armor.NewReader(strings.NewReader(sealed)))
	require.NoError(t, err)
	edit(raw)
	var b strings.Builder
	w := armor.NewWriter(&b)
	_, err = w.Write(raw)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.String()
}

func TestOpenSealedTampered(t *testing.T) {
	x := newX25519(t)
	c := testCreds(testExpiry)
	sealed := mustSeal(t, c, x.Recipient())

	t.Run("characters of the body", func(t *testing.T) {
		// Every character of the first two lines, which hold the header,
		// then every fifth.
		const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		start := len(armor.Header) + 1
		corrupt, tried := 0, 0
		for i := start; i < len(sealed)-len(armor.Footer)-1; i++ {
			j := strings.IndexByte(b64, sealed[i])
			if j < 0 || i-start > 130 && i%5 != 0 {
				continue // a newline, padding, or not sampled
			}
			tried++
			tampered := sealed[:i] + string(b64[(j+1)%64]) + sealed[i+1:]
			got, err := OpenSealed(tampered, x)
			require.Error(t, err, "OpenSealed(sealed with byte %d changed) = %v, want an error", i, got)
			if !errors.Is(err, ErrCorrupt) {
				// A changed wrapped file key is indistinguishable from a key
				// sealed to someone else.
				require.ErrorIs(t, err, ErrWrongIdentity, "byte %d", i)
			} else {
				corrupt++
			}
			assertNoLeak(t, err.Error(), tampered)
		}
		assert.Greater(t, corrupt, tried/2, "too few changes reported as ErrCorrupt")
	})

	t.Run("payload", func(t *testing.T) {
		tampered := rearmor(t, sealed, func(raw []byte) { raw[len(raw)-1] ^= 1 })
		_, err := OpenSealed(tampered, x)
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), "payload")
	})

	t.Run("header MAC", func(t *testing.T) {
		tampered := rearmor(t, sealed, func(raw []byte) {
			mac := bytes.Index(raw, []byte("\n--- ")) + len("\n--- ")
			raw[mac] = 'A' + (raw[mac]-'A'+1)%26
		})
		_, err := OpenSealed(tampered, x)
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), "header")
	})

	t.Run("header line", func(t *testing.T) {
		tampered := rearmor(t, sealed, func(raw []byte) { raw[0] = 'A' })
		_, err := OpenSealed(tampered, x)
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), "malformed")
	})
}

func TestOpenSealedTruncated(t *testing.T) {
	x := newX25519(t)
	sealed := mustSeal(t, testCreds(testExpiry), x.Recipient())
	body := armorBody(t, sealed)

	// Every cut that keeps the whole first line but loses part of the rest.
	trimmed := strings.TrimSpace(sealed)
	for n := len(armor.Header); n < len(trimmed); n++ {
		got, err := OpenSealed(trimmed[:n], x)
		require.ErrorIs(t, err, ErrCorrupt, "OpenSealed(first %d bytes) = %v", n, got)
		assertNoLeak(t, err.Error(), sealed)
	}
	// Whole lines dropped, footer kept.
	for drop := 1; drop < len(body); drop++ {
		lines := append([]string{armor.Header}, body[:len(body)-drop]...)
		cut := strings.Join(append(lines, armor.Footer), "\n")
		_, err := OpenSealed(cut, x)
		require.ErrorIs(t, err, ErrCorrupt, "OpenSealed(%d lines dropped)", drop)
	}
	// Text after the footer.
	_, err := OpenSealed(sealed+"P.S. see you\n", x)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestOpenSealedExpired(t *testing.T) {
	x := newX25519(t)
	want := testCreds(testExpiry)
	sealed := mustSeal(t, want, x.Recipient())
	setClock(t, testExpiry.Add(time.Minute))

	got, err := OpenSealed(sealed, x)
	require.ErrorIs(t, err, ErrExpired)
	requireSameCredentials(t, want, got)
	assert.Contains(t, err.Error(), testExpiry.Format(time.RFC3339))
	assertNoLeak(t, err.Error(), sealed)
	assert.NotContains(t, err.Error(), want.AccessKeyID)
}

func TestOpenSealedPayloadNotCredentials(t *testing.T) {
	x := newX25519(t)
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"text", "dear user, your keys are in the post", ErrUnknownFormat},
		{"sealed twice", mustSeal(t, testCreds(testExpiry), x.Recipient()), ErrSealed},
		{"too long", strings.Repeat("A", MaxSerializedSize+10), ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := ageArmored(t, tt.payload, x.Recipient())
			got, err := OpenSealed(sealed, x)
			require.ErrorIs(t, err, tt.want, "OpenSealed(%s) = %v", tt.name, got)
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: sealed payload: "), err.Error())
			assert.NotContains(t, err.Error(), "dear user")
		})
	}
}

func TestOpenSealedInputErrors(t *testing.T) {
	x := newX25519(t)
	sealed := mustSeal(t, testCreds(testExpiry), x.Recipient())
	tests := []struct {
		name       string
		in         string
		identities []age.Identity
		field      string
	}{
		{"no identities", sealed, nil, "identities"},
		{"nil identity", sealed, []age.Identity{x, nil}, "identities"},
		{"too long", sealed + strings.Repeat(" ", maxSealedSize), []age.Identity{x}, "sealed string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OpenSealed(tt.in, tt.identities...)
			require.Error(t, err, "OpenSealed(%s) = %v, want an error", tt.name, got)
			requireInputError(t, err, tt.field)
		})
	}
}

// failingIdentity matches every file and then fails, as a hardware token
// that is unplugged would.
type failingIdentity struct{ err error }

func (f failingIdentity) Unwrap([]*age.Stanza) ([]byte, error) { return nil, f.err }

func TestOpenSealedForeignIdentityFails(t *testing.T) {
	x := newX25519(t)
	sealed := mustSeal(t, testCreds(testExpiry), x.Recipient())
	unplugged := errors.New("token unplugged")

	_, err := OpenSealed(sealed, failingIdentity{unplugged})
	require.ErrorIs(t, err, unplugged)
	assert.NotErrorIs(t, err, ErrCorrupt)
	assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "), err.Error())

	// One that only does not match lets the next identity try.
	got, err := OpenSealed(sealed, failingIdentity{age.ErrIncorrectIdentity}, x)
	require.NoError(t, err)
	assert.Equal(t, testCreds(testExpiry).AccessKeyID, got.AccessKeyID)
}

// fuzzIdentity reads the fixed test identity that the seed corpus of
// FuzzOpenSealed is sealed to.
func fuzzIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	data, err := os.ReadFile("testdata/seal/identity.txt")
	require.NoError(t, err)
	ids := mustIdentities(t, string(data))
	return ids[0].(*age.X25519Identity)
}

func FuzzOpenSealed(f *testing.F) {
	id := fuzzIdentity(f)
	sealed := mustSeal(f, testCreds(testExpiry), id.Recipient())
	f.Add(sealed)
	f.Add(strings.ReplaceAll(sealed, "\n", "\r\n"))
	f.Add(sealed[:len(sealed)/2])
	f.Add(ageArmored(f, "not credentials", id.Recipient()))
	f.Add(armor.Header + "\n" + armor.Footer + "\n")
	f.Add("")

	f.Fuzz(func(t *testing.T, s string) {
		got, err := OpenSealed(s, id)
		if err == nil {
			require.NotEmpty(t, got.AccessKeyID, "OpenSealed succeeded without an access key ID")
			require.NotEmpty(t, got.SecretAccessKey)
			return
		}
		var ie *InputError
		known := errors.Is(err, ErrNotSealed) || errors.Is(err, ErrCorrupt) ||
			errors.Is(err, ErrWrongIdentity) || errors.Is(err, ErrExpired) ||
			errors.As(err, &ie) || strings.HasPrefix(err.Error(), "ec2token: sealed payload: ")
		require.True(t, known, "OpenSealed(fuzz) = %v, an error of no documented kind", err)
		require.True(t, strings.HasPrefix(err.Error(), "ec2token: "), err.Error())
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				require.NotContains(t, err.Error(), line, "error quotes the input")
			}
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	x, err := age.GenerateX25519Identity()
	require.NoError(b, err)
	c := testCreds(testExpiry)
	for b.Loop() {
		if _, err := c.Seal(x.Recipient()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSealed(b *testing.B) {
	x, err := age.GenerateX25519Identity()
	require.NoError(b, err)
	sealed := mustSeal(b, testCreds(testExpiry), x.Recipient())
	b.SetBytes(int64(len(sealed)))
	for b.Loop() {
		if _, err := OpenSealed(sealed, x); err != nil {
			b.Fatal(err)
		}
	}
}
