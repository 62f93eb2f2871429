package ec2token

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// ErrWrongPassphrase is returned, possibly wrapped, by [OpenSealed] when
// the passphrase given for an SSH private key from [ParseSSHIdentity] does
// not decrypt that key. Asking again is the usual answer. A wrong
// passphrase for credentials sealed to [NewPassphraseRecipient] is a wrong
// identity instead: see [ErrWrongIdentity].
var ErrWrongPassphrase = errors.New("ec2token: wrong passphrase for the SSH private key")

// maxKeyFileSize caps what [ParseRecipients] and [ParseIdentities] read. A
// published list of a few dozen SSH keys is well under 100 KiB.
const maxKeyFileSize = 1 << 20

// Scrypt work factors, as base-2 logarithms. Sealing with 2^18 takes about
// a second and 256 MiB of memory, as the age tool does; opening accepts up
// to 2^20, so that a forged header cannot demand more than 1 GiB.
var scryptLogN = 18

const maxScryptLogN = 20

// ParseRecipient returns the recipient that a public key names, for
// [Credentials.Seal]. It accepts, after trimming surrounding white space:
//
//   - an age X25519 public key, "age1..." as age-keygen prints it;
//   - an age post-quantum public key, "age1pq1...";
//   - an SSH public key of type ssh-ed25519 or ssh-rsa (2048 bits or more)
//     in authorized_keys form, as in ~/.ssh/id_ed25519.pub, with or without
//     options and a comment.
//
// It returns an *[InputError] for anything else, including age plugin
// recipients, other SSH key types, and an age secret key given by mistake.
// The error does not quote s.
func ParseRecipient(s string) (age.Recipient, error) {
	r, err := parseRecipient(strings.TrimSpace(s))
	if u, ok := err.(unsupportedKeyError); ok {
		return nil, u.InputError
	}
	return r, err
}

// unsupportedKeyError marks a well-formed SSH public key that age cannot
// encrypt to, which [ParseRecipients] skips.
type unsupportedKeyError struct{ *InputError }

func (e unsupportedKeyError) Unwrap() error { return e.InputError }

func parseRecipient(s string) (age.Recipient, error) {
	const field = "recipient"
	switch {
	case s == "":
		return nil, inputErrorf(field, "is empty")
	case strings.HasPrefix(strings.ToUpper(s), "AGE-SECRET-KEY-"):
		return nil, inputErrorf(field, "is an age secret key; give its public key "+
			"(age1...), which age-keygen -y prints")
	case strings.HasPrefix(s, "-----BEGIN"):
		return nil, inputErrorf(field, "is a PEM block; give a public key "+
			"(age1... or an SSH public key)")
	case strings.HasPrefix(strings.ToLower(s), "age1"):
		return parseAgeRecipient(s)
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil || len(bytes.TrimSpace(rest)) != 0 {
		return nil, inputErrorf(field, "is neither an age public key (age1...) nor "+
			"one SSH public key (ssh-ed25519 or ssh-rsa) in authorized_keys form")
	}
	switch pub.Type() {
	case ssh.KeyAlgoED25519:
		if r, err := agessh.NewEd25519Recipient(pub); err == nil {
			return r, nil
		}
		return nil, inputErrorf(field, "is not a valid ssh-ed25519 public key")
	case ssh.KeyAlgoRSA:
		if r, err := agessh.NewRSARecipient(pub); err == nil {
			return r, nil
		}
		return nil, unsupportedKeyError{inputErrorf(field,
			"is an ssh-rsa key shorter than 2048 bits, the least age accepts")}
	}
	// ParseAuthorizedKey knows only standard algorithm names, so naming
	// the type quotes nothing unexpected.
	return nil, unsupportedKeyError{inputErrorf(field,
		"is an SSH key of type %s; only ssh-ed25519 and ssh-rsa keys can be sealed to",
		pub.Type())}
}

// parseAgeRecipient reads an "age1..." key. Its Bech32 human-readable
// part, before the last "1", tells the key type.
func parseAgeRecipient(s string) (age.Recipient, error) {
	const field = "recipient"
	switch hrp := strings.ToLower(s[:strings.LastIndexByte(s, '1')]); {
	case hrp == "age":
		if r, err := age.ParseX25519Recipient(strings.ToLower(s)); err == nil {
			return r, nil
		}
		return nil, inputErrorf(field, "is not a valid age X25519 public key")
	case hrp == "age1pq":
		if r, err := age.ParseHybridRecipient(strings.ToLower(s)); err == nil {
			return r, nil
		}
		return nil, inputErrorf(field, "is not a valid age post-quantum public key")
	}
	return nil, inputErrorf(field, "is an age plugin recipient; plugins are not supported")
}

// ParseRecipients reads a list of public keys, one per line, in any form
// [ParseRecipient] accepts: an age recipients file, an authorized_keys
// file, or the list of SSH keys a code host publishes for a user (as at
// https://github.com/USER.keys). Blank lines and lines starting with "#"
// are skipped, and so are SSH keys of a type age cannot encrypt to (such as
// ecdsa-sha2-nistp256 or sk-ssh-ed25519@openssh.com), since such a list
// often holds some.
//
// It returns an *[InputError] naming the line of the first malformed key,
// or when the list holds no usable key or is longer than 1 MiB, and the
// error of r if reading fails. No error quotes the input.
func ParseRecipients(r io.Reader) ([]age.Recipient, error) {
	lines, err := readKeyLines(r, "recipients")
	if err != nil {
		return nil, err
	}
	var recs []age.Recipient
	skipped := 0
	for _, l := range lines {
		rec, err := parseRecipient(l.text)
		var unsupported unsupportedKeyError
		switch {
		case errors.As(err, &unsupported):
			skipped++
			continue
		case err != nil:
			return nil, onLine(err, "recipient", l.n)
		}
		recs = append(recs, rec)
	}
	switch {
	case len(recs) == 0 && skipped > 0:
		return nil, inputErrorf("recipients", "none usable: the %d SSH keys found are of "+
			"types age cannot encrypt to; give ssh-ed25519, ssh-rsa or age1... keys", skipped)
	case len(recs) == 0:
		return nil, inputErrorf("recipients", "none found; give ssh-ed25519, ssh-rsa or "+
			"age1... keys, one per line")
	}
	return recs, nil
}

// ParseIdentities reads an age identity file, as age-keygen writes it: one
// secret key per line, "AGE-SECRET-KEY-1..." (X25519) or
// "AGE-SECRET-KEY-PQ-1..." (post-quantum). Blank lines and lines starting
// with "#" are skipped. For SSH private keys use [ParseSSHIdentity].
//
// The identities are age's own *[age.X25519Identity] and
// *[age.HybridIdentity], whose String method returns the secret key:
// never print or log them.
//
// It returns an *[InputError] naming the line of the first entry that is
// not an age secret key, or when the file holds none or is longer than
// 1 MiB, and the error of r if reading fails. No error quotes the input.
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	lines, err := readKeyLines(r, "identities")
	if err != nil {
		return nil, err
	}
	ids := make([]age.Identity, 0, len(lines))
	for _, l := range lines {
		id, err := parseIdentity(l.text)
		if err != nil {
			return nil, onLine(err, "identity", l.n)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, inputErrorf("identities", "none found; an identity file holds "+
			"AGE-SECRET-KEY-1... lines")
	}
	return ids, nil
}

func parseIdentity(s string) (age.Identity, error) {
	const field = "identity"
	switch u := strings.ToUpper(s); {
	case strings.HasPrefix(u, "AGE-SECRET-KEY-PQ-1"):
		if id, err := age.ParseHybridIdentity(s); err == nil {
			return id, nil
		}
		return nil, inputErrorf(field, "is not a valid age post-quantum secret key")
	case strings.HasPrefix(u, "AGE-SECRET-KEY-1"):
		if id, err := age.ParseX25519Identity(s); err == nil {
			return id, nil
		}
		return nil, inputErrorf(field, "is not a valid age X25519 secret key")
	case strings.HasPrefix(u, "AGE-PLUGIN-"):
		return nil, inputErrorf(field, "is an age plugin identity; plugins are not supported")
	case strings.HasPrefix(s, "-----BEGIN"):
		return nil, inputErrorf(field, "is a PEM block; read SSH private keys with "+
			"ParseSSHIdentity")
	case strings.HasPrefix(u, "AGE1"):
		return nil, inputErrorf(field, "is an age public key; an identity is the "+
			"secret key (AGE-SECRET-KEY-1...)")
	}
	return nil, inputErrorf(field, "is not an age secret key (AGE-SECRET-KEY-1...)")
}

type keyLine struct {
	n    int // 1-based
	text string
}

// readKeyLines reads a key file of at most maxKeyFileSize bytes and returns
// its lines that are neither blank nor comments, trimmed.
func readKeyLines(r io.Reader, field string) ([]keyLine, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("ec2token: reading %s: %w", field, err)
	}
	if len(data) > maxKeyFileSize {
		return nil, inputErrorf(field, "are longer than the %d-byte limit", maxKeyFileSize)
	}
	var lines []keyLine
	for i, text := range strings.Split(string(data), "\n") {
		text = strings.TrimSpace(text)
		if text != "" && !strings.HasPrefix(text, "#") {
			lines = append(lines, keyLine{n: i + 1, text: text})
		}
	}
	return lines, nil
}

// onLine moves an *InputError for one key to the line it was read from.
func onLine(err error, what string, n int) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	return inputErrorf(fmt.Sprintf("%s on line %d", what, n), "%s", ie.Problem)
}

// ParseSSHIdentity returns the identity of an SSH private key, in OpenSSH,
// PKCS #1 or PKCS #8 PEM form as in ~/.ssh/id_ed25519, for [OpenSealed].
// Only ed25519 and RSA keys can open sealed credentials. The identity
// prints and logs as its key type and fingerprint, never as the key.
//
// For a key protected by a passphrase, passphrase is called to get it.
// With an OpenSSH key, which stores its public key in the clear, the call
// is put off until [OpenSealed] meets credentials sealed to that key, so a
// user is not asked for nothing; the decrypted key is then kept for later
// calls, and the identity is safe for concurrent use. With an older PEM
// key, passphrase is called at once. A wrong passphrase gives an error
// wrapping [ErrWrongPassphrase], and passphrase is asked again the next
// time. An error from passphrase is returned wrapped.
//
// It returns an *[InputError] when pemBytes is not a private key of a
// supported kind, and, for a protected key, an error wrapping
// *[ssh.PassphraseMissingError] when passphrase is nil. No error quotes
// pemBytes or the passphrase.
func ParseSSHIdentity(pemBytes []byte, passphrase func() ([]byte, error)) (age.Identity, error) {
	key, err := ssh.ParseRawPrivateKey(pemBytes)
	if missing := (*ssh.PassphraseMissingError)(nil); errors.As(err, &missing) {
		return protectedSSHIdentity(pemBytes, missing, passphrase)
	}
	if err != nil {
		return nil, inputErrorf("SSH private key", "is not a PEM-encoded OpenSSH, "+
			"PKCS #1 or PKCS #8 private key")
	}
	id, err := sshIdentity(key)
	if err != nil {
		return nil, err
	}
	return id, nil
}

func protectedSSHIdentity(pemBytes []byte, missing *ssh.PassphraseMissingError,
	passphrase func() ([]byte, error)) (age.Identity, error) {
	pub := missing.PublicKey
	switch {
	case passphrase == nil:
		return nil, fmt.Errorf("ec2token: the SSH private key is protected by a passphrase, "+
			"and no passphrase callback was given: %w", missing)
	case pub == nil:
		id, err := unlockSSHKey(pemBytes, nil, passphrase)
		if err != nil {
			return nil, err
		}
		return id, nil
	case pub.Type() != ssh.KeyAlgoED25519 && pub.Type() != ssh.KeyAlgoRSA:
		return nil, errSSHKeyType()
	}
	return &lockedSSHIdentity{
		public:     pub,
		tag:        sshKeyTag(pub),
		pem:        bytes.Clone(pemBytes),
		passphrase: passphrase,
	}, nil
}

func errSSHKeyType() error {
	return inputErrorf("SSH private key", "is neither an ed25519 nor an RSA key; "+
		"only those can open sealed credentials")
}

// sshIdentity returns the age identity of a parsed SSH private key.
func sshIdentity(key any) (*sshKeyIdentity, error) {
	if k, ok := key.(*ed25519.PrivateKey); ok {
		key = *k
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, errSSHKeyType()
	}
	var id age.Identity
	switch k := key.(type) {
	case ed25519.PrivateKey:
		id, err = agessh.NewEd25519Identity(k)
	case *rsa.PrivateKey:
		id, err = agessh.NewRSAIdentity(k)
	default:
		return nil, errSSHKeyType()
	}
	if err != nil {
		return nil, inputErrorf("SSH private key", "is not a valid key of its type")
	}
	return &sshKeyIdentity{id: id, public: signer.PublicKey()}, nil
}

// sshKeyIdentity is the identity of an SSH private key. Unlike the agessh
// types it holds, it prints as its public key's fingerprint, never as the
// private key.
type sshKeyIdentity struct {
	id     age.Identity // *agessh.Ed25519Identity or *agessh.RSAIdentity
	public ssh.PublicKey
}

// Unwrap implements [age.Identity].
func (i *sshKeyIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	return i.id.Unwrap(stanzas)
}

// String returns the key type and fingerprint, nothing secret.
func (i *sshKeyIdentity) String() string { return describeSSHKey(i.public, "") }

// GoString is what %#v prints: the same as String.
func (i *sshKeyIdentity) GoString() string { return i.String() }

func describeSSHKey(pub ssh.PublicKey, state string) string {
	return "SSH identity " + pub.Type() + " " + ssh.FingerprintSHA256(pub) + state
}

// unlockSSHKey asks for the passphrase of a protected key and decrypts it.
// When public is not nil, the key must match it.
func unlockSSHKey(pemBytes []byte, public ssh.PublicKey,
	passphrase func() ([]byte, error)) (*sshKeyIdentity, error) {
	p, err := passphrase()
	if err != nil {
		return nil, fmt.Errorf("ec2token: asking for the SSH private key's passphrase: %w", err)
	}
	key, err := ssh.ParseRawPrivateKeyWithPassphrase(pemBytes, p)
	switch {
	case errors.Is(err, x509.IncorrectPasswordError):
		return nil, fmt.Errorf("%w: %w", ErrWrongPassphrase, err)
	case err != nil:
		return nil, inputErrorf("SSH private key", "cannot be decrypted: its cipher or "+
			"key derivation is not supported, or it is damaged")
	}
	id, err := sshIdentity(key)
	if err != nil {
		return nil, err
	}
	if public != nil && !bytes.Equal(id.public.Marshal(), public.Marshal()) {
		return nil, inputErrorf("SSH private key", "does not match the public key "+
			"stored with it")
	}
	return id, nil
}

// sshKeyTag returns the tag that age puts in the stanzas of SSH recipients:
// the first four bytes of the SHA-256 of the key in SSH wire form, in
// unpadded standard base64.
func sshKeyTag(pub ssh.PublicKey) string {
	sum := sha256.Sum256(pub.Marshal())
	return base64.RawStdEncoding.EncodeToString(sum[:4])
}

// lockedSSHIdentity is a passphrase-protected OpenSSH key that is
// decrypted the first time a file sealed to its public key needs it.
type lockedSSHIdentity struct {
	public     ssh.PublicKey
	tag        string
	pem        []byte
	passphrase func() ([]byte, error)

	mu       sync.Mutex
	unlocked *sshKeyIdentity
}

// String returns the key type and fingerprint, nothing secret.
func (i *lockedSSHIdentity) String() string {
	return describeSSHKey(i.public, " (passphrase-protected)")
}

// GoString is what %#v prints: the same as String.
func (i *lockedSSHIdentity) GoString() string { return i.String() }

// Unwrap implements [age.Identity].
func (i *lockedSSHIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if !i.matches(stanzas) {
		return nil, age.ErrIncorrectIdentity
	}
	id, err := i.unlock()
	if err != nil {
		return nil, &identityFailure{err}
	}
	return id.Unwrap(stanzas)
}

func (i *lockedSSHIdentity) matches(stanzas []*age.Stanza) bool {
	for _, s := range stanzas {
		if s.Type == i.public.Type() && len(s.Args) > 0 && s.Args[0] == i.tag {
			return true
		}
	}
	return false
}

// unlock decrypts the key once; the lock keeps concurrent callers from
// asking for the passphrase twice.
func (i *lockedSSHIdentity) unlock() (*sshKeyIdentity, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.unlocked == nil {
		id, err := unlockSSHKey(i.pem, i.public, i.passphrase)
		if err != nil {
			return nil, err
		}
		i.unlocked = id
	}
	return i.unlocked, nil
}

// NewPassphraseRecipient returns a recipient that seals with a passphrase,
// through scrypt, for a user who has no key pair. It must be the only
// recipient given to [Credentials.Seal]. Sealing costs about a second and
// 256 MiB of memory. The passphrase is kept in the recipient and never
// appears in an error; anyone who learns it can open what was sealed, so
// send it by another channel than the sealed string. It returns an
// *[InputError] when passphrase is empty.
func NewPassphraseRecipient(passphrase string) (age.Recipient, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, inputErrorf("passphrase", "is empty")
	}
	r.SetWorkFactor(scryptLogN)
	return r, nil
}

// NewPassphraseIdentity returns the identity that opens what was sealed to
// [NewPassphraseRecipient] with the same passphrase. It refuses sealed
// strings whose scrypt work factor is above 2^20 (1 GiB of memory), so
// that a forged string cannot exhaust the machine; the age tool writes
// 2^18. It returns an *[InputError] when passphrase is empty.
func NewPassphraseIdentity(passphrase string) (age.Identity, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, inputErrorf("passphrase", "is empty")
	}
	id.SetMaxWorkFactor(maxScryptLogN)
	return id, nil
}
