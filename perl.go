package ec2token

import (
	"encoding/base64"
	"strings"
	"time"
)

// perlClass is the package VM::EC2 blesses credentials into.
const perlClass = "VM::EC2::Security::Credentials"

// perlLineLen is the length of the lines of Perl's encode_base64.
const perlLineLen = 76

// perlFields are the keys of the credentials in the object's data hash.
var perlFields = [3]string{"AccessKeyId", "SecretAccessKey", "SessionToken"}

// The base64 of the first byte of a Storable image, in network and native
// byte order.
const (
	perlPrefixNet    = "BQ"
	perlPrefixNative = "BA"
)

// looksLikePerl reports whether s, trimmed, is base64 whose first byte is
// a Storable header of major version 2: "BQ" for network order, as nfreeze
// writes, or "BA" for native order.
func looksLikePerl(s string) bool {
	if !strings.HasPrefix(s, perlPrefixNet) && !strings.HasPrefix(s, perlPrefixNative) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !perlText[s[i]] {
			return false
		}
	}
	return true
}

// perlText marks the bytes of MIME base64 text: the standard alphabet,
// padding and line breaks.
var perlText = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n") {
		t[c] = true
	}
	return t
}()

// parsePerl reads the base64 text of a frozen VM::EC2::Security::Credentials
// object, trimmed, that starts as looksLikePerl requires. Line breaks may fall anywhere; any class name is accepted, as
// new_from_serialized re-blesses what it thaws.
func parsePerl(s string) (Credentials, error) {
	const f = FormatPerl
	// Decode on the stack when the image is of the usual size, so that its
	// string is the only allocation.
	var stack [2048]byte
	buf := stack[:0]
	if n := len(s) / 4 * 3; n > len(stack) {
		buf = make([]byte, 0, n)
	}
	data, _, ok := appendBase64(buf, s, base64Std, true)
	if !ok {
		if !looksLikePerl(s) {
			// Not base64 text at all: ParseCredentials came here on the
			// first two characters only.
			_, err := DetectFormat(s)
			return Credentials{}, err
		}
		return Credentials{}, parseErrorf(f, "", "not valid base64")
	}
	return withStorable(string(data), credentialsFromPerl)
}

// credentialsFromPerl takes the credentials out of a thawed VM::EC2 object.
func credentialsFromPerl(root *plValue) (Credentials, error) {
	const f = FormatPerl
	if root.kind != plHash {
		return Credentials{}, parseErrorf(f, "", "frozen value is not a hash, "+
			"as a VM::EC2 object is")
	}
	d := root.get("data")
	if d == nil || d.kind == plUndef {
		return Credentials{}, parseErrorf(f, "data", "is missing")
	}
	if d.kind != plRef || d.ref.kind != plHash {
		return Credentials{}, parseErrorf(f, "data", "is not a reference to a hash")
	}

	var vals [4]string
	for i, name := range [...]string{perlFields[0], perlFields[1], perlFields[2], "Expiration"} {
		switch v := d.ref.get(name); {
		case v == nil || v.kind == plUndef:
		case v.kind != plString:
			return Credentials{}, parseErrorf(f, name, "is not a string")
		default:
			vals[i] = v.str
		}
	}
	c := Credentials{AccessKeyID: vals[0], SecretAccessKey: vals[1], SessionToken: vals[2]}
	exp := vals[3]
	var err error
	if c.Expiration, err = parseExpiration(f, "Expiration", exp); err != nil {
		return Credentials{}, err
	}
	return checkParsed(c, f, perlFields)
}

// marshalPerl writes what VM::EC2::Security::Credentials->serialize would
// for these credentials: the object with its data hash and undefined aws,
// xmlns and requestId members. Empty SessionToken and zero Expiration are
// left out of the data hash, as when STS returns no such element.
func (c Credentials) marshalPerl() []byte {
	var expBuf [64]byte
	var exp []byte
	if !c.Expiration.IsZero() {
		exp = c.Expiration.UTC().AppendFormat(expBuf[:0], time.RFC3339Nano)
	}
	n := 2 // AccessKeyId and SecretAccessKey
	if c.SessionToken != "" {
		n++
	}
	if exp != nil {
		n++
	}

	w := newStorableWriter(128 + len(c.AccessKeyID) + len(c.SecretAccessKey) +
		len(c.SessionToken) + len(exp))
	w.bless(perlClass)
	w.hash(4)
	w.ref()
	w.hash(n)
	w.str(c.AccessKeyID)
	w.key("AccessKeyId")
	w.str(c.SecretAccessKey)
	w.key("SecretAccessKey")
	if c.SessionToken != "" {
		w.str(c.SessionToken)
		w.key("SessionToken")
	}
	if exp != nil {
		w.strHeader(len(exp))
		w.b = append(w.b, exp...)
		w.key("Expiration")
	}
	w.key("data")
	for _, k := range [...]string{"aws", "xmlns", "requestId"} {
		w.undef()
		w.key(k)
	}
	return perlBase64(w.b)
}

// perlBase64 encodes raw in base64 lines of 76 characters, each ending in a
// newline, as Perl's encode_base64 does.
func perlBase64(raw []byte) []byte {
	const chunk = perlLineLen / 4 * 3 // bytes per line
	enc := base64.StdEncoding
	out := make([]byte, 0, enc.EncodedLen(len(raw))+len(raw)/chunk+1)
	for len(raw) > 0 {
		n := min(len(raw), chunk)
		out = append(enc.AppendEncode(out, raw[:n]), '\n')
		raw = raw[n:]
	}
	return out
}
