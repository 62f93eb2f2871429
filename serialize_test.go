package ec2token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test secrets are distinctive so that a leak into an error is easy to spot.
const (
	testKeyID  = "ASIAEXAMPLEKEYID1234"
	testSecret = "SECRETwJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
	testToken  = "TOKENFwoGZXIvYXdzEJr//////////wEaDM+token+with+slashes/and=="
)

func testCredentials() Credentials {
	return Credentials{
		AccessKeyID:     testKeyID,
		SecretAccessKey: testSecret,
		SessionToken:    testToken,
		Expiration:      time.Date(2026, 12, 3, 17, 4, 5, 0, time.UTC),
	}
}

// native wraps a JSON payload the way FormatNative does.
func native(payload string) string {
	return "ec2token.v1." + base64.RawURLEncoding.EncodeToString([]byte(payload))
}

// assertNoSecret fails when err's message holds any part of the test
// secrets.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{testSecret, testToken, "SECRET", "TOKEN"} {
		assert.NotContains(t, err.Error(), s, "error message leaks input")
	}
}

func TestSerializeRoundTrip(t *testing.T) {
	long := strings.Repeat("T", maxSessionTokenLen)
	for name, c := range map[string]Credentials{
		"full":          testCredentials(),
		"no token":      {AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		"no expiration": {AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken},
		"nanoseconds": {AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Expiration: time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)},
		"other zone": {AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", -7*3600))},
		"longest": {AccessKeyID: strings.Repeat("A", maxAccessKeyIDLen),
			SecretAccessKey: strings.Repeat("S", maxSecretAccessKeyLen), SessionToken: long},
		"html characters": {AccessKeyID: "A<&>'\"", SecretAccessKey: `\"<>&`},
	} {
		t.Run(name, func(t *testing.T) {
			s := c.Serialize()
			assert.True(t, strings.HasPrefix(s, "ec2token.v1."), "Serialize() = %q, want prefix", s)
			assert.Equal(t, -1, strings.IndexFunc(s, func(r rune) bool {
				return !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz"+
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", r)
			}), "Serialize() = %q, want URL-safe characters only", s)

			got, err := ParseCredentials(s)
			require.NoError(t, err)
			assert.Equal(t, c.AccessKeyID, got.AccessKeyID)
			assert.Equal(t, c.SecretAccessKey, got.SecretAccessKey)
			assert.Equal(t, c.SessionToken, got.SessionToken)
			assert.True(t, c.Expiration.Equal(got.Expiration),
				"ParseCredentials(Serialize()).Expiration = %v, want %v", got.Expiration, c.Expiration)
		})
	}
}

func TestParseNativeAccepts(t *testing.T) {
	want := testCredentials()
	for name, in := range map[string]string{
		"CRLF and spaces": "\r\n  " + want.Serialize() + "\r\n",
		"member order":    native(`{"Expiration":"2026-12-03T17:04:05Z","SessionToken":"` + testToken + `","SecretAccessKey":"` + testSecret + `","AccessKeyId":"` + testKeyID + `"}`),
		"white space":     native(" { \"AccessKeyId\" : \"" + testKeyID + "\",\n\"SecretAccessKey\":\"" + testSecret + "\",\"SessionToken\":\"" + testToken + "\",\"Expiration\":\"2026-12-03T18:04:05+01:00\"}\n"),
		"escaped names":   native(`{"\u0041ccessKeyId":"` + testKeyID + `","Secret\u0041ccessKey":"` + testSecret + `","SessionToken":"` + testToken + `","Expiration":"2026-12-03T17:04:05Z"}`),
		"escapes":         native(`{"AccessKeyId":"\u0041SIAEXAMPLEKEYID1234","SecretAccessKey":"` + strings.ReplaceAll(testSecret, "/", `\/`) + `","SessionToken":"` + testToken + `","Expiration":"2026-12-03T17:04:05Z"}`),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseCredentials(in)
			require.NoError(t, err)
			assert.Equal(t, want.Serialize(), got.Serialize(), "ParseCredentials(%s) differs", name)
		})
	}
	got, err := ParseCredentials(native(`{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"","Expiration":""}`))
	require.NoError(t, err)
	assert.Equal(t, Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, got,
		"empty optional members = %v, want them absent", got)
}

func TestParseNativeErrors(t *testing.T) {
	ok := `"AccessKeyId":"` + testKeyID + `","SecretAccessKey":"` + testSecret + `"`
	payload := base64.RawURLEncoding.EncodeToString([]byte("{" + ok + "}"))
	for _, tc := range []struct {
		name, in, want string
	}{
		{"version 2", "ec2token.v2." + payload, "version 2 is not supported; this build reads version 1 only"},
		{"version 0", "ec2token.v0." + payload, "malformed version"},
		{"leading zero", "ec2token.v01." + payload, "malformed version"},
		{"no v", "ec2token.1." + payload, "malformed version"},
		{"no dot", "ec2token.v1", "malformed version"},
		{"sign", "ec2token.v+1." + payload, "malformed version"},
		{"huge version", "ec2token.v99999999999." + payload, "malformed version"},
		{"padding", "ec2token.v1." + payload + "=", fmt.Sprintf("at byte %d", 12+len(payload))},
		{"std alphabet", "ec2token.v1." + strings.NewReplacer("-", "+", "_", "/").Replace(native(`{` + ok + `,"SessionToken":"??>>??>>"}`)[12:]), "payload is not unpadded base64url"},
		{"line break", "ec2token.v1." + payload[:10] + "\n" + payload[10:], "payload is not unpadded base64url: bad byte or trailing bits at byte 22"},
		{"trailing bits", "ec2token.v1." + base64.RawURLEncoding.EncodeToString([]byte("{" + ok + "}"))[:len(payload)-1] + "B", "payload is not unpadded base64url"},
		{"empty payload", "ec2token.v1.", "not an object"},
		{"not JSON", native("AccessKeyId=" + testKeyID), "not an object"},
		{"array", native(`[` + ok + `]`), "not an object"},
		{"bad UTF-8", native("{" + ok + `,"SessionToken":"` + "\xff" + `"}`), "not valid UTF-8"},
		{"trailing data", native("{" + ok + "} {}"), "data after the JSON object"},
		{"truncated", native("{" + ok), "malformed JSON"},
		{"unknown member", native("{" + ok + `,"Region":"us-east-1"}`), "unknown member"},
		{"wrong case", native(`{"accessKeyId":"` + testKeyID + `","SecretAccessKey":"` + testSecret + `"}`), "unknown member"},
		{"escaped duplicate", native("{" + ok + `,"\u0053ecretAccessKey":"x"}`), "member name repeated"},
		{"duplicate unknown", native("{" + ok + `,"Region":"a","Region":"b"}`), "member name repeated"},
		{"slot name of another format", native("{" + ok + `,"Token":"x"}`), "unknown member"},
		{"duplicate", native("{" + ok + `,"SecretAccessKey":"` + testSecret + `"}`), "member name repeated"},
		{"number", native("{" + ok + `,"SessionToken":5}`), "SessionToken: is not a JSON string"},
		{"null", native("{" + ok + `,"Expiration":null}`), "Expiration: is not a JSON string"},
		{"bad time", native("{" + ok + `,"Expiration":"tomorrow"}`), "Expiration: is not an RFC 3339 date and time"},
		{"no key ID", native(`{"SecretAccessKey":"` + testSecret + `"}`), "AccessKeyId: is missing"},
		{"no secret", native(`{"AccessKeyId":"` + testKeyID + `"}`), "SecretAccessKey: is missing"},
		{"empty secret", native(`{"AccessKeyId":"` + testKeyID + `","SecretAccessKey":""}`), "SecretAccessKey: is missing"},
		{"control char", native(`{"AccessKeyId":"` + testKeyID + `","SecretAccessKey":"SECRET\n"}`), "SecretAccessKey: has a byte other than visible ASCII at offset 6"},
		{"long token", native("{" + ok + `,"SessionToken":"TOKEN` + strings.Repeat("x", maxSessionTokenLen) + `"}`), "SessionToken: is 16389 bytes long; the limit is 16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCredentials(tc.in)
			require.Error(t, err, "ParseCredentials(%s) = %v, want error", tc.name, got)
			assert.Equal(t, Credentials{}, got, "ParseCredentials(%s) returned values with its error", tc.name)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: cannot read native credentials: "),
				"ParseCredentials(%s) error = %q, want the native prefix", tc.name, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "ParseCredentials(%s) error is %T, want *ParseError", tc.name, err)
			assert.Equal(t, FormatNative, pe.Format)
			assertNoSecret(t, err)
		})
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{testCredentials().Serialize(), FormatNative},
		{"ec2token.v7.garbage", FormatNative},
		{`{"Version":1}`, FormatCredentialProcess},
		{`{"SessionToken":"x"}`, FormatCredentialProcess},
		{`{"Token":"x","SessionToken":"x"}`, FormatIMDS},
		{`{"Code":"Success"}`, FormatIMDS},
		{`{"Version":`, FormatIMDS},
	} {
		got, err := DetectFormat(tc.in)
		require.NoError(t, err, "DetectFormat(%q)", tc.in)
		assert.Equal(t, tc.want, got, "DetectFormat(%q) = %v, want %v", tc.in, got, tc.want)
	}
}

func TestParseCredentialsUnknownAndSealed(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
		msg      string
	}{
		{"empty", "", ErrUnknownFormat, "tried native"},
		{"blank", " \r\n\t", ErrUnknownFormat, "tried native"},
		{"secret alone", testSecret, ErrUnknownFormat, "perl"},
		{"env lines", "export AWS_SECRET_ACCESS_KEY=" + testSecret, ErrUnknownFormat, "credential_process and imds"},
		{"too long", native(strings.Repeat("SECRET", MaxSerializedSize)), ErrUnknownFormat, "the limit is 65536"},
		{"starts like perl", "BQ is not base64 " + testSecret, ErrUnknownFormat, "tried native"},
		{"armored age", "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+\n-----END AGE ENCRYPTED FILE-----\n", ErrSealed, "OpenSealed"},
		{"binary age", "age-encryption.org/v1\n-> X25519 SECRET\n", ErrSealed, "OpenSealed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCredentials(tc.in)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
			assertNoSecret(t, err)
		})
	}
}

func TestFormatNames(t *testing.T) {
	for f := FormatNative; f <= FormatEnv; f++ {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got, "ParseFormat(%q) = %v, want %v", f.String(), got, f)
	}
	_, err := ParseFormat("yaml")
	require.ErrorIs(t, err, ErrUnknownFormat)
	assert.Contains(t, err.Error(), "native, perl, credential_process, imds, env")
	assert.Equal(t, "Format(9)", Format(9).String())
	_, err = testCredentials().Marshal(Format(9))
	require.ErrorIs(t, err, ErrUnknownFormat)
}

func TestMarshalChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Credentials
		want string
	}{
		{"zero", Credentials{}, "ec2token: invalid AccessKeyID: is missing"},
		{"no secret", Credentials{AccessKeyID: testKeyID}, "ec2token: invalid SecretAccessKey: is missing"},
		{"space in token", Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "TOKEN x"}, "ec2token: invalid SessionToken: has a byte other than visible ASCII at offset 5"},
		{"long key ID", Credentials{AccessKeyID: strings.Repeat("A", 129), SecretAccessKey: testSecret}, "ec2token: invalid AccessKeyID: is 129 bytes long; the limit is 128"},
	} {
		for f := FormatNative; f <= FormatEnv; f++ {
			t.Run(tc.name+"/"+f.String(), func(t *testing.T) {
				out, err := tc.c.Marshal(f)
				require.Error(t, err, "Marshal(%v) = %q, want error", f, out)
				assert.EqualError(t, err, tc.want)
				var ie *InputError
				assert.True(t, errors.As(err, &ie), "Marshal error is %T, want *InputError", err)
			})
		}
	}
}

func ExampleCredentials_Serialize() {
	c := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	s := c.Serialize()
	fmt.Println(s)

	back, err := ParseCredentials(s)
	fmt.Println(back, err)
	// Output:
	// ec2token.v1.eyJBY2Nlc3NLZXlJZCI6IkFLSURFWEFNUExFIiwiU2VjcmV0QWNjZXNzS2V5Ijoic2VjcmV0In0
	// Credentials{AccessKeyID:"AKIDEXAMPLE" SecretAccessKey:<redacted> SessionToken:<empty> Expiration:none} <nil>
}

func ExampleParseCredentials() {
	// What a credential_process program prints, with Windows line ends.
	in := "{\r\n  \"Version\": 1,\r\n  \"AccessKeyId\": \"ASIAEXAMPLE\",\r\n" +
		"  \"SecretAccessKey\": \"secret\",\r\n  \"SessionToken\": \"token\",\r\n" +
		"  \"Expiration\": \"2026-12-03T18:00:00+01:00\"\r\n}\r\n"
	c, err := ParseCredentials(in)
	fmt.Println(c, err)

	_, err = ParseCredentials("AKIDEXAMPLE:secret")
	fmt.Println(err)
	// Output:
	// Credentials{AccessKeyID:"ASIAEXAMPLE" SecretAccessKey:<redacted> SessionToken:<redacted> Expiration:2026-12-03T17:00:00Z} <nil>
	// ec2token: input is in no known credentials format: tried native (ec2token....), perl (base64 of Storable), credential_process and imds (JSON objects)
}
