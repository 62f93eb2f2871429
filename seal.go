package ec2token

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
)

// ErrNotSealed is returned, possibly wrapped, by [OpenSealed] when its
// input is not an ASCII-armored age file.
var ErrNotSealed = errors.New("ec2token: input is not sealed credentials")

// ErrWrongIdentity is returned, possibly wrapped, by [OpenSealed] when
// none of the identities it was given can open the sealed credentials:
// they were sealed to other keys, or to a passphrase other than the one
// given. The error also wraps age's *[age.NoIdentityMatchError], which
// wraps [age.ErrIncorrectIdentity], so errors.As and errors.Is reach them,
// and its message says what kinds of key the string was sealed to.
//
// A sealed string whose wrapped file key was altered in transit fails the
// same way: age cannot tell such a change from a key meant for someone
// else.
var ErrWrongIdentity = errors.New("ec2token: no identity given can open the sealed credentials")

// ErrCorrupt is returned, possibly wrapped, by [OpenSealed] when the sealed
// string is damaged: truncated, altered in transit, or tampered with. age
// authenticates every byte, so every change is caught, as this error or,
// for a change to a wrapped file key, as [ErrWrongIdentity].
var ErrCorrupt = errors.New("ec2token: sealed credentials are corrupt, truncated or tampered with")

// maxSealedSize caps the input of [OpenSealed]: credentials at
// [MaxSerializedSize], sealed and armored, take less than half of it.
const maxSealedSize = 256 << 10

// ageBinaryPrefix starts an age file that is not armored.
const ageBinaryPrefix = "age-encryption.org/"

// Seal encrypts the credentials, in their [FormatNative] serialization, to
// every one of recipients with age (https://age-encryption.org), and
// returns an ASCII-armored age file: a few lines between
// "-----BEGIN AGE ENCRYPTED FILE-----" and "-----END AGE ENCRYPTED
// FILE-----". The result can travel over channels that are not private,
// such as e-mail, chat or a ticket: only a holder of one of the matching
// identities can open it, with [OpenSealed] or with "age -d". Each call
// gives a different string.
//
// Recipients come from [ParseRecipient], [ParseRecipients],
// [NewPassphraseRecipient], or the age packages themselves. A passphrase
// recipient must be the only one. Seal does not check the expiry: sealing
// expired credentials works, and [OpenSealed] reports them.
//
// It returns an *[InputError] when recipients is empty or holds a nil
// recipient, when the credentials lack an access key ID or a secret access
// key, or when a field breaks the limits of [FormatNative], and a wrapped
// age error when a recipient fails. No error holds a secret.
func (c Credentials) Seal(recipients ...age.Recipient) (string, error) {
	if err := checkRecipients(recipients); err != nil {
		return "", err
	}
	payload, err := c.Marshal(FormatNative)
	if err != nil {
		return "", err
	}

	var out strings.Builder
	aw := armor.NewWriter(&out)
	w, err := age.Encrypt(aw, recipients...)
	if err != nil {
		return "", fmt.Errorf("ec2token: sealing: %w", err)
	}
	// Writes to a strings.Builder cannot fail, so this one cannot either.
	_, _ = w.Write(payload)
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("ec2token: sealing: %w", err)
	}
	if err := aw.Close(); err != nil {
		return "", fmt.Errorf("ec2token: sealing: %w", err)
	}
	return out.String(), nil
}

func checkRecipients(recipients []age.Recipient) error {
	if len(recipients) == 0 {
		return inputErrorf("recipients", "none given; Seal needs at least one")
	}
	for i, r := range recipients {
		if r == nil {
			return inputErrorf("recipients", "recipient %d is nil", i)
		}
		if _, ok := r.(*age.ScryptRecipient); ok && len(recipients) > 1 {
			return inputErrorf("recipients", "a passphrase recipient must be the only one, "+
				"and %d were given", len(recipients))
		}
	}
	return nil
}

// OpenSealed decrypts credentials that [Credentials.Seal], or "age -a"
// with a native serialization as input, sealed, trying each of identities.
// White space around the armored block and around each of its lines, and
// CRLF line ends, are ignored, so a string pasted from an e-mail or a chat
// opens. The payload may be in any format [ParseCredentials] reads.
//
// Identities come from [ParseIdentities], [ParseSSHIdentity],
// [NewPassphraseIdentity], or the age packages themselves.
//
// Credentials that have expired are returned together with an error
// wrapping [ErrExpired], so that a caller can still inspect them (the
// access key ID and the expiry, say) after checking for that error; a
// caller that only wants usable credentials treats any error as failure.
//
// Otherwise it returns the zero Credentials and an error wrapping
// [ErrNotSealed] when s is not an ASCII-armored age file, [ErrWrongIdentity]
// when no identity matches, [ErrCorrupt] when s is truncated or altered,
// [ErrWrongPassphrase] or the error of a passphrase callback for a
// protected SSH key, the errors of [ParseCredentials] when the payload
// holds no credentials, and an *[InputError] when identities is empty or s
// is longer than 256 KiB. An identity of another package that fails for
// another reason than not matching ends the attempt with its error
// wrapped. No error quotes s or its payload.
func OpenSealed(s string, identities ...age.Identity) (Credentials, error) {
	if err := checkIdentities(identities); err != nil {
		return Credentials{}, err
	}
	payload, err := unseal(s, identities)
	if err != nil {
		return Credentials{}, err
	}

	c, err := ParseCredentials(string(payload))
	if err != nil {
		return Credentials{}, &sealError{
			msg:   "ec2token: sealed payload: " + strings.TrimPrefix(err.Error(), "ec2token: "),
			cause: err,
		}
	}
	if c.Expired() {
		return c, fmt.Errorf("%w: the sealed credentials expired at %s",
			ErrExpired, c.Expiration.UTC().Format(time.RFC3339))
	}
	return c, nil
}

func checkIdentities(identities []age.Identity) error {
	if len(identities) == 0 {
		return inputErrorf("identities", "none given; OpenSealed needs at least one")
	}
	for i, id := range identities {
		if id == nil {
			return inputErrorf("identities", "identity %d is nil", i)
		}
	}
	return nil
}

// unseal returns the decrypted payload of s, at most one byte past
// MaxSerializedSize, so that ParseCredentials reports one that is too long.
func unseal(s string, identities []age.Identity) ([]byte, error) {
	raw, err := dearmor(s)
	if err != nil {
		return nil, err
	}
	if _, err := age.ExtractHeader(bytes.NewReader(raw)); err != nil {
		return nil, corrupt("the header is malformed")
	}

	r, err := age.Decrypt(bytes.NewReader(raw), guardIdentities(identities)...)
	var noMatch *age.NoIdentityMatchError
	var failure *identityFailure
	switch {
	case errors.As(err, &noMatch):
		return nil, &sealError{
			msg:   ErrWrongIdentity.Error() + ": " + describeStanzas(noMatch.StanzaTypes),
			kind:  ErrWrongIdentity,
			cause: noMatch,
		}
	case errors.As(err, &failure):
		return nil, failure.err
	case err != nil:
		return nil, corrupt("the header does not authenticate")
	}

	payload, err := io.ReadAll(io.LimitReader(r, MaxSerializedSize+1))
	if err != nil {
		return nil, corrupt("the payload does not authenticate")
	}
	return payload, nil
}

// dearmor checks that s is an armored age file and decodes it.
func dearmor(s string) ([]byte, error) {
	if len(s) > maxSealedSize {
		return nil, inputErrorf("sealed string", "is %d bytes long; the limit is %d",
			len(s), maxSealedSize)
	}
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, ageBinaryPrefix):
		return nil, fmt.Errorf("%w: it is a binary age file; seal with age -a", ErrNotSealed)
	case !strings.HasPrefix(s, armor.Header):
		return nil, ErrNotSealed
	}

	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	raw, err := io.ReadAll(armor.NewReader(strings.NewReader(strings.Join(lines, "\n"))))
	if err != nil {
		return nil, corrupt("the armor is malformed or cut short")
	}
	return raw, nil
}

// sealError is an error whose message is chosen here, so that it never
// repeats the text of a cause that may quote the input, while errors.Is
// and errors.As still reach kind and cause.
type sealError struct {
	msg   string
	kind  error // a sentinel, or nil
	cause error // or nil
}

func (e *sealError) Error() string { return e.msg }

func (e *sealError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func corrupt(detail string) error {
	return &sealError{msg: ErrCorrupt.Error() + ": " + detail, kind: ErrCorrupt}
}

// stanzaNames says, for the message of ErrWrongIdentity, what kinds of
// recipient a sealed file was made for.
var stanzaNames = map[string]string{
	"X25519":         "an age X25519 key",
	"mlkem768x25519": "an age post-quantum key",
	"scrypt":         "a passphrase",
	"ssh-ed25519":    "an ssh-ed25519 key",
	"ssh-rsa":        "an ssh-rsa key",
}

// describeStanzas names the recipient kinds, in order and without
// repeats. Unknown stanza types are not quoted, as they come from the
// input.
func describeStanzas(types []string) string {
	var names []string
	for _, t := range types {
		name, ok := stanzaNames[t]
		if !ok {
			name = "a recipient of another kind"
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "it names no recipient"
	}
	return "it was sealed to " + strings.Join(names, ", ")
}

// identityFailure carries the error of an identity that matched a
// recipient but could not unwrap the file key, such as a protected SSH key
// whose passphrase is wrong, through age.Decrypt to OpenSealed.
type identityFailure struct{ err error }

func (f *identityFailure) Error() string { return f.err.Error() }

func (f *identityFailure) Unwrap() error { return f.err }

// guardIdentities wraps the identities of other packages so that their
// failures are told apart from a damaged file. The identities of age and
// of this package fail for other reasons than a mismatch only on malformed
// recipient stanzas, which are damage.
func guardIdentities(identities []age.Identity) []age.Identity {
	out := make([]age.Identity, len(identities))
	for i, id := range identities {
		switch id.(type) {
		case *age.X25519Identity, *age.HybridIdentity, *age.ScryptIdentity,
			*agessh.Ed25519Identity, *agessh.RSAIdentity, *sshKeyIdentity, *lockedSSHIdentity:
			out[i] = id
		default:
			out[i] = foreignIdentity{id}
		}
	}
	return out
}

type foreignIdentity struct{ id age.Identity }

// Unwrap implements [age.Identity].
func (f foreignIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := f.id.Unwrap(stanzas)
	if err != nil && !errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, &identityFailure{fmt.Errorf("ec2token: identity %T failed: %w", f.id, err)}
	}
	return key, err
}
