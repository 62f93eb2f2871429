package ec2token

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlPeer skips the test when perl with VM::EC2 is missing, unless
// EC2TOKEN_REQUIRE_PEERS=1 asks for a failure instead.
func perlPeer(t testing.TB) {
	t.Helper()
	testpeer.Perl(t)
}

// runPerl runs a script from testdata/perl with in as JSON on its standard
// input and decodes its JSON output into out.
func runPerl(t *testing.T, script string, in, out any) {
	t.Helper()
	stdin, err := json.Marshal(in)
	require.NoError(t, err)
	cmd := exec.Command("perl", "testdata/perl/"+script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "perl %s: %s", script, stderr.String())
	require.NoError(t, json.Unmarshal(stdout, out), "perl %s output", script)
}

type perlCase struct {
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"AccessKeyId,omitempty"`
	SecretAccessKey string `json:"SecretAccessKey,omitempty"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

func TestParsePerlModuleOutput(t *testing.T) {
	perlPeer(t)
	longToken := "TOKEN" + strings.Repeat("AbCd+/0123", 100)
	type want struct {
		name string
		c    perlCase
	}
	var cases []want
	for _, mode := range []string{"plain", "upgraded", "undef", "token", "json"} {
		for _, c := range []want{
			{"full", perlCase{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken, Expiration: "2026-12-03T17:04:05Z"}},
			{"no expiration", perlCase{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken}},
			{"long token", perlCase{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: longToken, Expiration: "2026-12-03T17:04:05.250Z"}},
			{"no token", perlCase{AccessKeyID: testKeyID, SecretAccessKey: testSecret}},
			{"xml characters", perlCase{AccessKeyID: "A<&>", SecretAccessKey: `SECRET"'<>&`, SessionToken: "TOKEN&amp;"}},
		} {
			c.c.Mode = mode
			cases = append(cases, want{mode + "/" + c.name, c.c})
		}
	}
	cases = append(cases,
		want{"numeric/byte and netint", perlCase{Mode: "numeric", AccessKeyID: "100", SecretAccessKey: "300000", SessionToken: "-5"}},
		want{"numeric/large", perlCase{Mode: "numeric", AccessKeyID: "-123456789", SecretAccessKey: "2147483647"}})

	in := make([]perlCase, len(cases))
	for i, c := range cases {
		in[i] = c.c
	}
	var out []string
	runPerl(t, "serialize.pl", in, &out)
	require.Len(t, out, len(cases))

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DetectFormat(out[i])
			require.NoError(t, err)
			assert.Equal(t, FormatPerl, f, "DetectFormat(perl %s) = %v, want perl", tc.name, f)

			got, err := ParseCredentials(out[i])
			require.NoError(t, err, "ParseCredentials(perl %s)", tc.name)
			assert.Equal(t, tc.c.AccessKeyID, got.AccessKeyID)
			assert.Equal(t, tc.c.SecretAccessKey, got.SecretAccessKey)
			assert.Equal(t, tc.c.SessionToken, got.SessionToken)
			var wantExp time.Time
			if tc.c.Expiration != "" {
				wantExp, err = time.Parse(time.RFC3339, tc.c.Expiration)
				require.NoError(t, err)
			}
			assert.True(t, wantExp.Equal(got.Expiration), "ParseCredentials(perl %s).Expiration = %v, want %v",
				tc.name, got.Expiration, wantExp)

			crlf := strings.ReplaceAll(out[i], "\n", "\r\n")
			again, err := ParseCredentials(crlf)
			require.NoError(t, err, "ParseCredentials(perl %s with CRLF)", tc.name)
			assert.Equal(t, got, again)
		})
	}
}

func TestParsePerlModuleOutputMissingFields(t *testing.T) {
	perlPeer(t)
	in := []perlCase{
		{Mode: "plain", SecretAccessKey: testSecret, SessionToken: testToken},
		{Mode: "token", AccessKeyID: testKeyID, SessionToken: testToken},
		{Mode: "undef", AccessKeyID: testKeyID},
		{Mode: "plain", AccessKeyID: testKeyID, SecretAccessKey: testSecret, Expiration: "next week"},
	}
	want := []string{
		"ec2token: cannot read perl credentials: AccessKeyId: is missing",
		"ec2token: cannot read perl credentials: SecretAccessKey: is missing",
		"ec2token: cannot read perl credentials: SecretAccessKey: is missing",
		"ec2token: cannot read perl credentials: Expiration: is not an RFC 3339 date and time",
	}
	var out []string
	runPerl(t, "serialize.pl", in, &out)
	for i, s := range out {
		_, err := ParseCredentials(s)
		require.Error(t, err, "ParseCredentials(perl case %d)", i)
		assert.EqualError(t, err, want[i])
		assertNoSecret(t, err)
	}
}

func TestPerlThawsGoOutput(t *testing.T) {
	perlPeer(t)
	creds := []Credentials{
		testCredentials(),
		{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken},
		{AccessKeyID: testKeyID, SecretAccessKey: strings.Repeat("S", maxSecretAccessKeyLen),
			SessionToken: strings.Repeat("T", maxSessionTokenLen),
			Expiration:   time.Date(2027, 1, 2, 3, 4, 5, 123456789, time.UTC)},
	}
	in := make([]string, len(creds))
	for i, c := range creds {
		b, err := c.Marshal(FormatPerl)
		require.NoError(t, err)
		in[i] = string(b)
	}
	type thawed struct {
		Class           string   `json:"class"`
		Keys            []string `json:"keys"`
		DataKeys        []string `json:"data_keys"`
		AccessKeyID     *string  `json:"AccessKeyId"`
		SecretAccessKey *string  `json:"SecretAccessKey"`
		SessionToken    *string  `json:"SessionToken"`
		Expiration      *string  `json:"Expiration"`
		EC2             int      `json:"ec2"`
	}
	var out []thawed
	runPerl(t, "thaw.pl", in, &out)
	require.Len(t, out, len(creds))

	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for i, c := range creds {
		got := out[i]
		dataKeys := []string{"AccessKeyId"}
		if !c.Expiration.IsZero() {
			dataKeys = append(dataKeys, "Expiration")
		}
		dataKeys = append(dataKeys, "SecretAccessKey")
		if c.SessionToken != "" {
			dataKeys = append(dataKeys, "SessionToken")
		}
		assert.Equal(t, thawed{
			Class:           "VM::EC2::Security::Credentials",
			Keys:            []string{"aws", "data", "requestId", "xmlns"},
			DataKeys:        dataKeys,
			AccessKeyID:     opt(c.AccessKeyID),
			SecretAccessKey: opt(c.SecretAccessKey),
			SessionToken:    opt(c.SessionToken),
			Expiration:      opt(formatExpiration(c.Expiration)),
		}, got, "new_from_serialized(Marshal(FormatPerl)) of case %d", i)
	}
}
