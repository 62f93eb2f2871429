package ec2token

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds in testdata")

// goldenCases are the credentials whose every format is kept in
// testdata/golden as <name>.<format>.
var goldenCases = map[string]Credentials{
	"full":    testCredentials(),
	"minimal": {AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
	"quotes":  {AccessKeyID: "AKID'$`\\", SecretAccessKey: "'it''s'\"$HOME\"$(id)\\`x", SessionToken: "a'b"},
}

// fixClock sets the package clock to t for the rest of the test.
func fixClock(t *testing.T, now time.Time) {
	old := timeNow
	timeNow = func() time.Time { return now }
	t.Cleanup(func() { timeNow = old })
}

func TestMarshalGolden(t *testing.T) {
	fixClock(t, time.Date(2026, 12, 3, 11, 4, 5, 987, time.UTC))
	for name, c := range goldenCases {
		for f := FormatNative; f <= FormatEnv; f++ {
			t.Run(name+"/"+f.String(), func(t *testing.T) {
				got, err := c.Marshal(f)
				require.NoError(t, err)
				path := filepath.Join("testdata", "golden", name+"."+f.String())
				if *update {
					require.NoError(t, os.WriteFile(path, got, 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, string(want), string(got), "Marshal(%v) differs from %s", f, path)
				if f == FormatEnv {
					return
				}

				back, err := ParseCredentials(string(want))
				require.NoError(t, err, "ParseCredentials(%s)", path)
				assert.Equal(t, c.Serialize(), back.Serialize(), "ParseCredentials(%s) differs", path)
				detected, err := DetectFormat(string(want))
				require.NoError(t, err)
				assert.Equal(t, f, detected, "DetectFormat(%s) = %v, want %v", path, detected, f)
			})
		}
	}
}

func TestParseJSONFormats(t *testing.T) {
	want := testCredentials()
	for _, tc := range []struct {
		name, in string
		want     Credentials
		f        Format
	}{
		{"credential_process", `{"Version": 1, "AccessKeyId": "` + testKeyID + `", "SecretAccessKey": "` + testSecret +
			`", "SessionToken": "` + testToken + `", "Expiration": "2026-12-03T17:04:05+00:00"}`, want, FormatCredentialProcess},
		{"credential_process extra members", `{"Version": 1.0, "AccessKeyId": "` + testKeyID + `", "SecretAccessKey": "` +
			testSecret + `", "AccountId": "123456789012", "Nested": {"a": [1, 2]}}`,
			Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, FormatCredentialProcess},
		{"imds", "{\r\n  \"Code\" : \"Success\",\r\n  \"LastUpdated\" : \"2026-12-03T11:00:00Z\",\r\n  \"Type\" : \"AWS-HMAC\",\r\n" +
			"  \"AccessKeyId\" : \"" + testKeyID + "\",\r\n  \"SecretAccessKey\" : \"" + testSecret + "\",\r\n  \"Token\" : \"" +
			testToken + "\",\r\n  \"Expiration\" : \"2026-12-03T17:04:05Z\"\r\n}\r\n", want, FormatIMDS},
		{"container", `{"AccessKeyId":"` + testKeyID + `","Expiration":"2026-12-03T17:04:05Z","RoleArn":"arn:aws:iam::1:role/r",` +
			`"SecretAccessKey":"` + testSecret + `","Token":"` + testToken + `"}`, want, FormatIMDS},
		{"many other members", `{"X0":0,"X1":1,"X2":2,"X3":3,"X4":4,"X5":5,"X6":6,"X7":7,"X8":8,"X9":9,"X10":10,"X11":11,"X12":12,"X13":13,"X14":14,"X15":15,"X16":16,"X17":17,"X18":18,"X19":19,"X20":20,"X21":21,"X22":22,"X23":23,"X24":24,"X25":25,"X26":26,"X27":27,"X28":28,"X29":29,"X30":30,"X31":31,"X32":32,"X33":33,"X34":34,"X35":35,"X36":36,"X37":37,"X38":38,"X39":39,"AccessKeyId":"` + testKeyID + `","SecretAccessKey":"` + testSecret +
			`","Token":"` + testToken + `","Expiration":"2026-12-03T17:04:05Z"}`, want, FormatIMDS},
		{"imds ignores SessionToken as Perl does", `{"AccessKeyId":"` + testKeyID + `","SecretAccessKey":"` + testSecret +
			`","Token":"` + testToken + `","SessionToken":"other","Expiration":"2026-12-03T17:04:05Z"}`, want, FormatIMDS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DetectFormat(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.f, f, "DetectFormat(%s) = %v, want %v", tc.name, f, tc.f)
			got, err := ParseCredentials(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want.Serialize(), got.Serialize(), "ParseCredentials(%s) differs", tc.name)
		})
	}
}

func TestParseJSONFormatErrors(t *testing.T) {
	keys := `"AccessKeyId":"` + testKeyID + `","SecretAccessKey":"` + testSecret + `"`
	for _, tc := range []struct{ name, in, want string }{
		{"no version", `{` + keys + `,"SessionToken":"` + testToken + `"}`,
			"ec2token: cannot read credential_process credentials: Version: is missing; it must be 1"},
		{"version 2", `{"Version":2,` + keys + `}`,
			"ec2token: cannot read credential_process credentials: Version: is not the number 1, the only version there is"},
		{"version string", `{"Version":"1",` + keys + `}`, "Version: is not the number 1"},
		{"duplicate", `{"Version":1,` + keys + `,"AccessKeyId":"X"}`, "member name repeated"},
		{"token number", `{"Version":1,` + keys + `,"SessionToken":12}`,
			"ec2token: cannot read credential_process credentials: SessionToken: is not a JSON string"},
		{"no secret", `{"Version":1,"AccessKeyId":"` + testKeyID + `"}`, "SecretAccessKey: is missing"},
		{"trailing", `{"Version":1,` + keys + `}]`, "data after the JSON object"},
		{"imds error code", `{"Code":"AssumeRoleUnauthorizedAccess","Message":"SECRET"}`,
			"ec2token: cannot read imds credentials: Code: is not Success: the endpoint answered with an error instead of credentials"},
		{"imds code type", `{"Code":1,` + keys + `}`, "Code: is not a JSON string"},
		{"imds bad expiration", `{` + keys + `,"Token":"` + testToken + `","Expiration":"1700000000"}`,
			"ec2token: cannot read imds credentials: Expiration: is not an RFC 3339 date and time"},
		{"imds no key", `{"Token":"` + testToken + `"}`, "ec2token: cannot read imds credentials: AccessKeyId: is missing"},
		{"malformed", `{"AccessKeyId":"` + testKeyID + `","SecretAccessKey":SECRET}`, "malformed JSON near byte"},
		{"not UTF-8", `{` + keys + `,"Token":"` + "\xfe" + `"}`, "JSON is not valid UTF-8"},
		{"too long token", `{` + keys + `,"Token":"` + strings.Repeat("T", maxSessionTokenLen+1) + `"}`,
			"ec2token: cannot read imds credentials: Token: is 16385 bytes long; the limit is 16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCredentials(tc.in)
			require.Error(t, err, "ParseCredentials(%s) = %v, want error", tc.name, got)
			assert.Contains(t, err.Error(), tc.want)
			assertNoSecret(t, err)
		})
	}
}

// TestEnvInShell sources the env format in a POSIX shell and reads the
// variables back, quotes and dollars included.
func TestEnvInShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX sh on PATH")
	}
	for name, c := range goldenCases {
		t.Run(name, func(t *testing.T) {
			script, err := c.Marshal(FormatEnv)
			require.NoError(t, err)
			cmd := exec.Command(sh, "-c", string(script)+`
for v in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION; do
	eval "printf '%s=[%s] set=%s\n' $v \"\${$v}\" \${$v+yes}"
done`)
			cmd.Env = []string{"AWS_SESSION_TOKEN=stale", "AWS_CREDENTIAL_EXPIRATION=stale"}
			out, err := cmd.Output()
			require.NoError(t, err)
			set := func(v string) string {
				if v == "" {
					return ""
				}
				return "yes"
			}
			want := ""
			for _, kv := range [][2]string{
				{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
				{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
				{"AWS_SESSION_TOKEN", c.SessionToken},
				{"AWS_CREDENTIAL_EXPIRATION", formatExpiration(c.Expiration)},
			} {
				want += fmt.Sprintf("%s=[%s] set=%s\n", kv[0], kv[1], set(kv[1]))
			}
			assert.Equal(t, want, string(out), "sh reading Marshal(FormatEnv) of %s", name)
		})
	}
}

// TestCredentialProcessInBotocore hands the credential_process output to
// the AWS CLI's own credential code.
func TestCredentialProcessInBotocore(t *testing.T) {
	check := exec.Command("python3", "-c", "import botocore.credentials")
	if err := check.Run(); err != nil {
		testpeer.Missing(t, "python3 with botocore", "install the AWS CLI: apt-get install -y awscli")
	}
	c := testCredentials()
	c.Expiration = time.Now().Add(time.Hour).Truncate(time.Second)
	out, err := c.Marshal(FormatCredentialProcess)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "creds.json")
	require.NoError(t, os.WriteFile(file, out, 0o600))

	prog := `
import sys
from botocore.credentials import ProcessProvider
config = {"profiles": {"default": {"credential_process": "cat " + sys.argv[1]}}}
p = ProcessProvider("default", lambda: config)
c = p.load()
f = c.get_frozen_credentials()
print(f.access_key, f.secret_key, f.token, c._expiry_time.strftime("%Y-%m-%dT%H:%M:%SZ"))
`
	got, err := exec.Command("python3", "-c", prog, file).CombinedOutput()
	require.NoError(t, err, "botocore: %s", got)
	assert.Equal(t, strings.Join([]string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken,
		c.Expiration.UTC().Format(time.RFC3339)}, " ")+"\n", string(got))
}

func TestMarshalIMDSLastUpdated(t *testing.T) {
	now := time.Date(2030, 5, 6, 7, 8, 9, 500, time.FixedZone("X", 3600))
	fixClock(t, now)
	out, err := testCredentials().Marshal(FormatIMDS)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"LastUpdated": "2030-05-06T06:08:09Z"`)
}

func ExampleCredentials_Marshal() {
	c := Credentials{
		AccessKeyID:     "ASIAEXAMPLE",
		SecretAccessKey: "secret",
		SessionToken:    "token",
		Expiration:      time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC),
	}
	out, err := c.Marshal(FormatEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'
	// export AWS_SECRET_ACCESS_KEY='secret'
	// export AWS_SESSION_TOKEN='token'
	// export AWS_CREDENTIAL_EXPIRATION='2026-12-03T17:00:00Z'
}

func ExampleDetectFormat() {
	for _, s := range []string{
		"ec2token.v1.eyJBY2Nlc3NLZXlJZCI6IkFLSURFWEFNUExFIiwiU2VjcmV0QWNjZXNzS2V5Ijoic2VjcmV0In0",
		`{"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "secret"}`,
		"-----BEGIN AGE ENCRYPTED FILE-----\n...",
		"hello",
	} {
		f, err := DetectFormat(s)
		fmt.Println(strconv.Quote(f.String()), err)
	}
	// Output:
	// "native" <nil>
	// "credential_process" <nil>
	// "native" ec2token: input is sealed; open it with OpenSealed first (age-encrypted input)
	// "native" ec2token: input is in no known credentials format: tried native (ec2token....), perl (base64 of Storable), credential_process and imds (JSON objects)
}
