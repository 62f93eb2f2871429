package ec2token

import (
	"encoding/base64"
	"strings"
)

// perlClass is the package VM::EC2 blesses credentials into.
const perlClass = "VM::EC2::Security::Credentials"

// perlLineLen is the length of the lines of Perl's encode_base64.
const perlLineLen = 76

// perlFields are the keys of the credentials in the object's data hash.
var perlFields = [3]string{"AccessKeyId", "SecretAccessKey", "SessionToken"}

// looksLikePerl reports whether s, trimmed, is base64 whose first byte is
// a Storable header of major version 2: "BQ" for network order, as nfreeze
// writes, or "BA" for native order.
func looksLikePerl(s string) bool {
	if !strings.HasPrefix(s, "BQ") && !strings.HasPrefix(s, "BA") {
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
// object. Line breaks may fall anywhere; any class name is accepted, as
// new_from_serialized re-blesses what it thaws.
func parsePerl(s string) (Credentials, error) {
	const f = FormatPerl
	// The decoder skips the line breaks; looksLikePerl let no other white
	// space through.
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Credentials{}, parseErrorf(f, "", "not valid base64")
	}
	root, err := readStorable(data)
	if err != nil {
		return Credentials{}, err
	}
	return credentialsFromPerl(root)
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

	var c Credentials
	dst := []*string{&c.AccessKeyID, &c.SecretAccessKey, &c.SessionToken}
	var exp string
	for i, name := range append(perlFields[:], "Expiration") {
		v := d.ref.get(name)
		switch {
		case v == nil || v.kind == plUndef:
			continue
		case v.kind != plString:
			return Credentials{}, parseErrorf(f, name, "is not a string")
		case i < len(dst):
			*dst[i] = v.str
		default:
			exp = v.str
		}
	}
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
	fields := [][2]string{
		{"AccessKeyId", c.AccessKeyID},
		{"SecretAccessKey", c.SecretAccessKey},
		{"SessionToken", c.SessionToken},
		{"Expiration", formatExpiration(c.Expiration)},
	}
	n := 0
	for _, kv := range fields {
		if kv[1] != "" {
			n++
		}
	}

	w := newStorableWriter(128 + len(c.AccessKeyID) + len(c.SecretAccessKey) + len(c.SessionToken))
	w.bless(perlClass)
	w.hash(4)
	w.ref()
	w.hash(n)
	for _, kv := range fields {
		if kv[1] != "" {
			w.str(kv[1])
			w.key(kv[0])
		}
	}
	w.key("data")
	for _, k := range []string{"aws", "xmlns", "requestId"} {
		w.undef()
		w.key(k)
	}

	// Each line of 76 characters encodes 57 bytes.
	const chunk = perlLineLen / 4 * 3
	enc := base64.StdEncoding
	out := make([]byte, 0, enc.EncodedLen(len(w.b))+len(w.b)/chunk+1)
	for in := w.b; len(in) > 0; {
		n := min(len(in), chunk)
		out = enc.AppendEncode(out, in[:n])
		out = append(out, '\n')
		in = in[n:]
	}
	return out
}
