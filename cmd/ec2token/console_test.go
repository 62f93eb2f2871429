package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsole(t *testing.T) {
	srv, _ := adminEnv(t)
	token := filepath.Join(t.TempDir(), "alice.token")
	requireOK(t, runCLI(t, "", "federate", "alice", "--allow", "DescribeImages", "-o", token))
	endpoint := srv.URL + "/federation"

	r := runCLI(t, "", "console", "--federation-endpoint", endpoint, "--region", "eu-west-1", token)
	requireOK(t, r)
	u, err := url.Parse(strings.TrimSuffix(r.stdout, "\n"))
	require.NoError(t, err)
	assert.Equal(t, "login", u.Query().Get("Action"))
	assert.Contains(t, u.Query().Get("Destination"), "eu-west-1")
	user, ok := srv.SigninUser(u.Query().Get("SigninToken"))
	assert.True(t, ok, "the signin token is not valid on the server")
	assert.Equal(t, "arn:aws:sts::123456789012:federated-user/alice", user)

	tty := tester{t: t, terminal: true}
	before := srv.RequestCount("getSigninToken")
	requireFail(t, tty.run("", "console", "--federation-endpoint", endpoint, token), 1, "terminal")
	assert.Equal(t, before, srv.RequestCount("getSigninToken"))
	requireOK(t, tty.run("", "console", "--federation-endpoint", endpoint, "--show-secrets", token))

	out := filepath.Join(t.TempDir(), "url")
	requireOK(t, tty.run("", "console", "--federation-endpoint", endpoint, "-o", out, token))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), endpoint+"?"), "console -o wrote %.30q", data)

	t.Run("session token", func(t *testing.T) {
		r := runCLI(t, "", "session")
		requireOK(t, r)
		r = runCLI(t, r.stdout, "console", "--federation-endpoint", endpoint, "-")
		requireFail(t, r, 1, "GetFederationToken")
	})
	t.Run("bad destination", func(t *testing.T) {
		r := runCLI(t, "", "console", "--federation-endpoint", endpoint, "--destination", "ftp://x", token)
		requireFail(t, r, 1, "Destination")
	})
	t.Run("usage", func(t *testing.T) {
		requireFail(t, runCLI(t, "", "console"), 2, "missing argument")
		requireFail(t, runCLI(t, "", "console", "--open", token), 2, "-open")
	})
}
