package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/ec2token/ec2token"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartOffline(t *testing.T) {
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out bytes.Buffer
	st, err := run(context.Background(), &out, false)
	require.NoError(t, err, "output so far:\n%s", out.String())

	assert.Equal(t, int64(1), st.adminCalls.Load(), "the admin should send one request, to mint")
	assert.Equal(t, int64(2), st.userCalls.Load(), "the user should send one request per EC2 call")
	assert.Equal(t, "DescribeInstances", st.deniedAction)

	text := out.String()
	for _, want := range []string{
		"federated-user/TemporaryUser",
		`"ec2:DescribeImages","ec2:RunInstances"`,
		"image(s) owned by self",
		"refused: UnauthorizedOperation",
	} {
		assert.Contains(t, text, want)
	}

	creds, err := ec2token.ParseCredentials(st.serialized)
	require.NoError(t, err)
	assert.NotContains(t, text, creds.SecretAccessKey)
	assert.NotContains(t, text, creds.SessionToken)
	assert.NotContains(t, text, st.serialized[len("ec2token.v1."):len("ec2token.v1.")+16],
		"the quickstart prints the serialized payload")
}
