package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSerial = "arn:aws:iam::123456789012:mfa/ststest-admin"

func TestSession(t *testing.T) {
	srv, _ := adminEnv(t)
	srv.AddMFADevice(testSerial, ststest.FixedCode("123456"))

	t.Run("no MFA", func(t *testing.T) {
		r := runCLI(t, "", "session", "--duration", "1h", "--format", "json")
		requireOK(t, r)
		var out struct {
			Version    int
			Expiration time.Time
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Equal(t, 1, out.Version)
		assert.WithinDuration(t, srv.Now().Add(time.Hour), out.Expiration, time.Minute)
	})
	t.Run("code flag", func(t *testing.T) {
		r := runCLI(t, "", "session", "--mfa-serial", testSerial, "--code", "123456")
		requireOK(t, r)
		_, err := ec2token.ParseCredentials(r.stdout)
		require.NoError(t, err)
	})
	t.Run("prompted code", func(t *testing.T) {
		r := runCLI(t, "123456\n", "session", "--mfa-serial", testSerial)
		requireOK(t, r)
		_, err := ec2token.ParseCredentials(r.stdout)
		require.NoError(t, err)

		// The prompt shows only where a person may read it.
		r = tester{t: t, terminal: true}.run(" 123456 \n", "session", "--mfa-serial", testSerial, "-o",
			filepath.Join(t.TempDir(), "s"))
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.Equal(t, "MFA code for "+testSerial+": ", r.stderr)
	})
}

func TestSessionBadInput(t *testing.T) {
	srv, _ := adminEnv(t)
	srv.AddMFADevice(testSerial, ststest.FixedCode("123456"))
	before := srv.RequestCount("GetSessionToken")

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"unknown flag", "", []string{"--name", "x"}, 2, "-name"},
		{"argument", "", []string{"alice"}, 2, "too many arguments"},
		{"code without serial", "", []string{"--code", "123456"}, 2, "--mfa-serial"},
		{"code not six digits", "", []string{"--mfa-serial", testSerial, "--code", "12345"}, 1, "TokenCode"},
		{"no code on stdin", "", []string{"--mfa-serial", testSerial}, 1, "no MFA code"},
		{"duration too long", "", []string{"--duration", "37h"}, 1, "Duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, append([]string{"session"}, tc.args...)...)
			requireFail(t, r, tc.code, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Equal(t, before, srv.RequestCount("GetSessionToken"), "bad input sent requests")

	r := runCLI(t, "", "session", "--mfa-serial", testSerial, "--code", "654321")
	requireFail(t, r, 1, "GetSessionToken")
	assert.NotContains(t, r.stderr, "654321")
}
