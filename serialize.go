package ec2token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format names a serialized form of [Credentials]. The zero Format is
// [FormatNative].
type Format int

const (
	// FormatNative is this package's own form, written by
	// [Credentials.Serialize]. It is one line of URL- and e-mail-safe
	// characters:
	//
	//	ec2token.v1.<payload>
	//
	// The prefix "ec2token.v" is followed by the format version in decimal
	// without leading zeros (1 is the only version this build reads and
	// writes) and a dot. The payload is the base64url encoding without
	// padding (RFC 4648 section 5) of a UTF-8 JSON object (RFC 8259) with
	// these members, all strings:
	//
	//	AccessKeyId      required; the access key ID
	//	SecretAccessKey  required; the secret access key
	//	SessionToken     optional; absent or "" for long-term keys
	//	Expiration       optional; RFC 3339 date and time, absent or ""
	//	                 when the expiry is unknown
	//
	// Member names are case-sensitive. Writers emit them in the order above,
	// without white space, omit the optional ones when empty, and write
	// Expiration in UTC with a "Z" and fractional seconds only when they are
	// not zero. Readers accept the members in any order and JSON white
	// space inside the object.
	//
	// Readers reject, as this package does: another version; a payload
	// with characters outside the base64url alphabet, padding, line
	// breaks, or non-zero trailing bits; invalid UTF-8; anything but one
	// JSON object, including data after it; a member that is not a string
	// or whose name is unknown or repeated; a missing or empty
	// AccessKeyId or SecretAccessKey; and values outside the limits below.
	// Each datum has exactly one member and repeats are rejected, so no
	// member ever overrides another. Surrounding white space is ignored.
	//
	// Limits, the same for every format [ParseCredentials] reads: the input
	// is at most [MaxSerializedSize] bytes; the access key ID, secret
	// access key and session token hold only visible ASCII characters
	// (0x21 to 0x7E) and are at most 128, 1024 and 16384 bytes long.
	//
	// An example, for the access key ID "AKIDEXAMPLE", secret "secret" and
	// no session token or expiry:
	//
	//	ec2token.v1.eyJBY2Nlc3NLZXlJZCI6IkFLSURFWEFNUExFIiwiU2VjcmV0QWNjZXNzS2V5Ijoic2VjcmV0In0
	FormatNative Format = iota
	// FormatPerl is what the Perl module VM::EC2::Security::Credentials
	// writes with its serialize method and reads with new_from_serialized:
	// MIME base64, in lines of 76 characters, of a Storable nfreeze of the
	// blessed object. Only the AccessKeyId, SecretAccessKey, SessionToken
	// and Expiration members of its data hash are read; other keys, such
	// as the VM::EC2 object that new_from_json attaches, are skipped, and
	// the class name is not checked, as new_from_serialized re-blesses.
	//
	// The reader takes Storable images of major version 2 (Storable 0.7 and
	// later) in network or native byte order, with the strings, numbers,
	// undefined values, references, arrays, hashes (with UTF-8 or restricted
	// keys), blessed objects and shared values that Perl writes; code
	// references, tied variables and objects frozen by STORABLE_freeze
	// hooks are errors. Images may be at most [MaxSerializedSize] bytes and
	// nest at most 64 levels. The writer emits network order and minor
	// version 11, as Storable 3 does, and leaves SessionToken and
	// Expiration out of the data hash when they are empty.
	FormatPerl
	// FormatCredentialProcess is the JSON object that the AWS CLI and SDKs
	// expect from a credential_process program: Version 1, AccessKeyId,
	// SecretAccessKey, and optional SessionToken and Expiration (RFC 3339).
	// Other members are ignored on reading.
	FormatCredentialProcess
	// FormatIMDS is the JSON object that the EC2 instance metadata service
	// and the container credentials endpoint return: AccessKeyId,
	// SecretAccessKey, Token (the session token), Expiration, Code,
	// LastUpdated and Type. It is read as the Perl module's new_from_json
	// reads it, from AccessKeyId, SecretAccessKey, Token and Expiration,
	// except that a Code other than "Success" is an error. A SessionToken
	// member is ignored in this format, as Perl ignores it.
	FormatIMDS
	// FormatEnv is a POSIX shell script of export lines for
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
	// AWS_CREDENTIAL_EXPIRATION, values in single quotes. Empty optional
	// values are unset rather than exported, so stale ones do not linger.
	// It is written only; [ParseCredentials] does not read it.
	FormatEnv
)

// MaxSerializedSize is the largest input, in bytes after trimming
// surrounding white space, that [ParseCredentials] and [DetectFormat]
// accept.
const MaxSerializedSize = 64 << 10

// Limits on field values, in bytes.
const (
	maxAccessKeyIDLen     = 128
	maxSecretAccessKeyLen = 1024
	maxSessionTokenLen    = 16 << 10
)

var formatNames = [...]string{
	FormatNative:            "native",
	FormatPerl:              "perl",
	FormatCredentialProcess: "credential_process",
	FormatIMDS:              "imds",
	FormatEnv:               "env",
}

// String returns the format's name as [ParseFormat] reads it: "native",
// "perl", "credential_process", "imds" or "env".
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat returns the format with the given name, as [Format.String]
// writes it. It returns an error wrapping [ErrUnknownFormat] for any other
// name.
func ParseFormat(name string) (Format, error) {
	for i, n := range formatNames {
		if n == name {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("%w: no format is named %q; the formats are %s",
		ErrUnknownFormat, name, strings.Join(formatNames[:], ", "))
}

// ParseError reports input that [ParseCredentials] recognised as one
// format but could not read. Its message names the format, the field and
// the problem, and never quotes the input.
type ParseError struct {
	// Format is the format the input was read as.
	Format Format
	// Field is the member at fault, as the format names it, or empty when
	// the problem is with the input as a whole.
	Field string
	// Problem says what is wrong.
	Problem string
}

// Error implements the error interface.
func (e *ParseError) Error() string {
	msg := "ec2token: cannot read " + e.Format.String() + " credentials: "
	if e.Field != "" {
		msg += e.Field + ": "
	}
	return msg + e.Problem
}

func parseErrorf(f Format, field, format string, args ...any) *ParseError {
	return &ParseError{Format: f, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Serialize returns the credentials in [FormatNative], a single line that
// [ParseCredentials] reads back. It writes the fields as they are:
// credentials without an access key ID or secret, or with fields past the
// limits [FormatNative] states, serialize but do not parse. Use
// [Credentials.Marshal] to have them checked first.
//
// The result holds the secret access key and session token in the clear:
// send it only over a private channel, or seal it with [Credentials.Seal].
func (c Credentials) Serialize() string {
	return string(c.appendNative(nil))
}

const (
	nativeMagic   = "ec2token."
	nativeVersion = 1
	nativePrefix  = "ec2token.v1."
)

// appendNative appends the credentials in FormatNative to dst.
func (c Credentials) appendNative(dst []byte) []byte {
	var stack [512]byte
	js := c.appendNativeJSON(stack[:0])
	dst = slices.Grow(dst, len(nativePrefix)+base64.RawURLEncoding.EncodedLen(len(js)))
	dst = append(dst, nativePrefix...)
	return base64.RawURLEncoding.AppendEncode(dst, js)
}

// appendNativeJSON appends the payload's JSON object, written by hand: it
// is the hot path of Serialize, and the member order is part of the format.
func (c Credentials) appendNativeJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendJSONMember(b, "AccessKeyId", c.AccessKeyID, false)
	b = appendJSONMember(b, "SecretAccessKey", c.SecretAccessKey, false)
	b = appendJSONMember(b, "SessionToken", c.SessionToken, true)
	if !c.Expiration.IsZero() {
		b = append(b, `,"Expiration":"`...)
		b = c.Expiration.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}')
}

// formatExpiration writes t in RFC 3339, UTC, with fractional seconds only
// when present; the zero time gives "".
func formatExpiration(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Marshal returns the credentials in format f. It returns an
// *[InputError] when the access key ID or secret is missing or a field
// breaks the limits that [FormatNative] states, and an error wrapping
// [ErrUnknownFormat] for a Format that is not one of the constants.
//
// Like [Credentials.Serialize], the result holds the secrets in the clear.
func (c Credentials) Marshal(f Format) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	switch f {
	case FormatNative:
		return c.appendNative(nil), nil
	case FormatPerl:
		return c.marshalPerl(), nil
	case FormatCredentialProcess:
		return c.marshalCredentialProcess(), nil
	case FormatIMDS:
		return c.marshalIMDS(), nil
	case FormatEnv:
		return c.marshalEnv(), nil
	}
	return nil, fmt.Errorf("%w: %v", ErrUnknownFormat, f)
}

// check reports credentials that no reader would accept back.
func (c Credentials) check() error {
	if err := checkField("AccessKeyID", c.AccessKeyID, maxAccessKeyIDLen, true); err != nil {
		return err
	}
	if err := checkField("SecretAccessKey", c.SecretAccessKey, maxSecretAccessKeyLen, true); err != nil {
		return err
	}
	return checkField("SessionToken", c.SessionToken, maxSessionTokenLen, false)
}

func checkField(field, v string, max int, required bool) error {
	if v == "" {
		if required {
			return inputErrorf(field, "is missing")
		}
		return nil
	}
	if len(v) > max {
		return inputErrorf(field, "is %d bytes long; the limit is %d", len(v), max)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return inputErrorf(field, "has a byte other than visible ASCII at offset %d", i)
		}
	}
	return nil
}

// checkParsed applies the field checks to parsed credentials and reports a
// failure as a *ParseError of format f, with the format's own field names.
func checkParsed(c Credentials, f Format, names [3]string) (Credentials, error) {
	if err := c.check(); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			field := map[string]string{
				"AccessKeyID":     names[0],
				"SecretAccessKey": names[1],
				"SessionToken":    names[2],
			}[ie.Field]
			return Credentials{}, &ParseError{Format: f, Field: field, Problem: ie.Problem}
		}
		return Credentials{}, err
	}
	return c, nil
}

const ageArmorHeader = "-----BEGIN AGE ENCRYPTED FILE-----"

// DetectFormat reports which format s is in, after trimming surrounding
// white space, from its first characters and, for a JSON object, from its
// member names: an object with a Version member, or with SessionToken but
// no Token, is [FormatCredentialProcess]; any other object, even a
// malformed one, is [FormatIMDS]. It is what [ParseCredentials] uses to
// pick a reader, so a tool can show which format it met. It never returns
// [FormatEnv], which is write-only.
//
// It returns an error wrapping [ErrSealed] for an age-encrypted input
// (open it with [OpenSealed]), and an error wrapping [ErrUnknownFormat],
// listing the formats tried, for anything else it does not recognise or
// for input longer than [MaxSerializedSize].
func DetectFormat(s string) (Format, error) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) > MaxSerializedSize:
		return 0, fmt.Errorf("%w: input is %d bytes long; the limit is %d",
			ErrUnknownFormat, len(s), MaxSerializedSize)
	case strings.HasPrefix(s, ageArmorHeader) || strings.HasPrefix(s, "age-encryption.org/"):
		return 0, fmt.Errorf("%w (age-encrypted input)", ErrSealed)
	case strings.HasPrefix(s, nativeMagic):
		return FormatNative, nil
	case strings.HasPrefix(s, "{"):
		obj, _ := readJSONObject(s, FormatIMDS)
		return jsonFormat(obj), nil
	case looksLikePerl(s):
		return FormatPerl, nil
	}
	return 0, fmt.Errorf("%w: tried native (%s...), perl (base64 of Storable), "+
		"credential_process and imds (JSON objects)", ErrUnknownFormat, nativeMagic)
}

// ParseCredentials reads credentials in any format but [FormatEnv],
// detecting the format as [DetectFormat] does. Surrounding white space and
// CRLF line ends are ignored. The credentials it returns always have an
// access key ID and a secret access key.
//
// It returns the errors of [DetectFormat], and a *[ParseError] naming the
// format, the field and the problem when the input is in a known format but
// malformed, lacks a required field, or breaks a limit. No error quotes the
// input.
func ParseCredentials(s string) (Credentials, error) {
	s = strings.TrimSpace(s)
	if len(s) <= MaxSerializedSize {
		// Shortcuts that read the input once rather than detect, then read.
		switch {
		case strings.HasPrefix(s, "{"):
			return parseJSON(s)
		case strings.HasPrefix(s, perlPrefixNet) || strings.HasPrefix(s, perlPrefixNative):
			return parsePerl(s)
		}
	}
	f, err := DetectFormat(s)
	if err != nil {
		return Credentials{}, err
	}
	switch f {
	case FormatNative:
		return parseNative(s)
	case FormatPerl:
		return parsePerl(s)
	default:
		return parseJSON(s)
	}
}

var nativeFields = [3]string{"AccessKeyId", "SecretAccessKey", "SessionToken"}

func parseNative(s string) (Credentials, error) {
	rest := strings.TrimPrefix(s[len(nativeMagic):], "v")
	dot := strings.IndexByte(rest, '.')
	digits := rest[:max(dot, 0)]
	ver, err := strconv.Atoi(digits)
	if len(rest) == len(s)-len(nativeMagic) || dot < 1 || dot > 9 || digits[0] < '1' ||
		strings.Trim(digits, "0123456789") != "" || err != nil {
		return Credentials{}, parseErrorf(FormatNative, "", "malformed version; "+
			"this build reads ec2token.v%d", nativeVersion)
	}
	if ver != nativeVersion {
		return Credentials{}, parseErrorf(FormatNative, "", "version %d is not supported; "+
			"this build reads version %d only", ver, nativeVersion)
	}

	payload := rest[dot+1:]
	var buf [1024]byte
	data, bad, ok := appendBase64(buf[:0], payload, base64URL, false)
	if !ok {
		return Credentials{}, parseErrorf(FormatNative, "", "payload is not unpadded "+
			"base64url: bad byte or trailing bits at byte %d", len(s)-len(payload)+bad)
	}
	obj, err := readJSONObject(string(data), FormatNative)
	if err != nil {
		return Credentials{}, err
	}
	if !obj.only("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration") {
		return Credentials{}, parseErrorf(FormatNative, "", "unknown member; "+
			"version %d has AccessKeyId, SecretAccessKey, SessionToken and Expiration",
			nativeVersion)
	}
	return credentialsFromJSON(obj, FormatNative, nativeFields)
}

// credentialsFromJSON reads the three string fields named in names and
// Expiration from a JSON object, then checks them.
func credentialsFromJSON(obj *jsonObject, f Format, names [3]string) (Credentials, error) {
	var c Credentials
	for i, dst := range []*string{&c.AccessKeyID, &c.SecretAccessKey, &c.SessionToken} {
		v, err := obj.str(f, names[i])
		if err != nil {
			return Credentials{}, err
		}
		*dst = v
	}
	exp, err := obj.str(f, "Expiration")
	if err != nil {
		return Credentials{}, err
	}
	if c.Expiration, err = parseExpiration(f, "Expiration", exp); err != nil {
		return Credentials{}, err
	}
	return checkParsed(c, f, names)
}

func parseExpiration(f Format, field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, parseErrorf(f, field, "is not an RFC 3339 date and time")
	}
	return t.UTC(), nil
}
