package ec2token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlFixtures are outputs of VM::EC2::Security::Credentials->serialize kept
// in testdata/perl (written by serialize.pl), with what they hold.
var perlFixtures = map[string]Credentials{
	"token.b64": {AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		SessionToken: "TOKEN" + strings.Repeat("AbCd+/0123", 40),
		Expiration:   time.Date(2026, 12, 3, 17, 4, 5, 0, time.UTC)},
	"upgraded.b64": {AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		SessionToken: "TOKEN" + strings.Repeat("AbCd+/0123", 40)},
	"json.b64": {AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "TOKENshort",
		Expiration: time.Date(2026, 12, 3, 17, 4, 5, 0, time.UTC)},
	"numeric.b64": {AccessKeyID: "100", SecretAccessKey: "300000"},
}

func TestParsePerlFixtures(t *testing.T) {
	for name, want := range perlFixtures {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "perl", name))
			require.NoError(t, err)
			got, err := ParseCredentials(string(b))
			require.NoError(t, err)
			assert.Equal(t, want.Serialize(), got.Serialize(), "ParseCredentials(%s) differs", name)
		})
	}
}

// fuzzSeeds returns the seed inputs of each fuzz target: every golden file
// but the write-only env ones, the Perl fixtures, Storable images, and a
// few malformed inputs.
func fuzzSeeds(t testing.TB) map[string]map[string][]byte {
	parse := map[string][]byte{
		"empty":          nil,
		"sealed":         []byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"),
		"native_v2":      []byte("ec2token.v2.e30"),
		"native_dup":     []byte(native(`{"AccessKeyId":"A","AccessKeyId":"B","SecretAccessKey":"S"}`)),
		"json_truncated": []byte(`{"Version":1,"AccessKeyId":"A",`),
	}
	storable := map[string][]byte{}
	golden, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	require.NoError(t, err)
	for _, path := range golden {
		if strings.HasSuffix(path, ".env") {
			continue
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		parse[strings.ReplaceAll(filepath.Base(path), ".", "_")] = b
	}
	for name := range perlFixtures {
		b, err := os.ReadFile(filepath.Join("testdata", "perl", name))
		require.NoError(t, err)
		parse["perl_"+strings.TrimSuffix(name, ".b64")] = b
		img, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\n", ""))
		require.NoError(t, err)
		storable["perl_"+strings.TrimSuffix(name, ".b64")] = img
	}
	for name, img := range storableImages(t) {
		storable[strings.ReplaceAll(name, " ", "_")] = img
	}
	return map[string]map[string][]byte{
		"FuzzParseCredentials": parse,
		"FuzzReadStorable":     storable,
	}
}

// corpusFile is a seed in the file format of go test's fuzzing corpus.
func corpusFile(target string, b []byte) []byte {
	if target == "FuzzParseCredentials" {
		return fmt.Appendf(nil, "go test fuzz v1\nstring(%q)\n", b)
	}
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
}

// TestFuzzSeeds checks that the seed corpora in testdata/fuzz match the
// fixtures they come from; -update rewrites them.
func TestFuzzSeeds(t *testing.T) {
	for target, seeds := range fuzzSeeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		if *update {
			require.NoError(t, os.MkdirAll(dir, 0o755))
		}
		for name, b := range seeds {
			path := filepath.Join(dir, name)
			want := corpusFile(target, b)
			if *update {
				require.NoError(t, os.WriteFile(path, want, 0o644))
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err, "seed %s; run go test -run TestFuzzSeeds -update", path)
			assert.Equal(t, string(want), string(got), "seed %s is stale", path)
		}
	}
}

// checkRoundTrip fails unless c, written in every readable format, reads
// back the same.
func checkRoundTrip(t *testing.T, c Credentials) {
	for f := FormatNative; f < FormatEnv; f++ {
		out, err := c.Marshal(f)
		require.NoError(t, err, "Marshal(%v) of parsed credentials", f)
		back, err := ParseCredentials(string(out))
		require.NoError(t, err, "ParseCredentials(Marshal(%v))", f)
		require.Equal(t, c.Serialize(), back.Serialize(), "round trip through %v", f)
	}
}

// FuzzParseCredentials and FuzzReadStorable take their seeds from
// testdata/fuzz, kept in step with the fixtures by TestFuzzSeeds.
func FuzzParseCredentials(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCredentials(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrSealed) {
				t.Fatalf("ParseCredentials error %T %v, want *ParseError, ErrUnknownFormat or ErrSealed", err, err)
			}
			return
		}
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			t.Fatalf("ParseCredentials = %v without error, want both keys", c)
		}
		checkRoundTrip(t, c)
	})
}

func FuzzReadStorable(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := readStorable(string(data))
		if err != nil {
			return
		}
		c, err := credentialsFromPerl(v)
		if err != nil {
			return
		}
		checkRoundTrip(t, c)
	})
}
