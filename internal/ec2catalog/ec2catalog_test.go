package ec2catalog

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSourceMatchesCatalogFile fails when the checked-in catalog differs
// from what go generate would write, apart from the SDK version, which a
// test binary's build information does not carry.
func TestSourceMatchesCatalogFile(t *testing.T) {
	got, err := Source()
	require.NoError(t, err, "Source()")
	want, err := os.ReadFile("../../policy_ec2actions.go")
	require.NoError(t, err)
	version := regexp.MustCompile(`(service/ec2) \S+,`)
	assert.Equal(t, version.ReplaceAllString(string(want), "$1 V,"),
		version.ReplaceAllString(string(got), "$1 V,"),
		"policy_ec2actions.go is out of date; run go generate in the repository root")
}

func TestOperations(t *testing.T) {
	ops := Operations()
	for _, want := range []string{"DescribeImages", "RunInstances", "TerminateInstances"} {
		assert.Contains(t, ops, want, "Operations()")
	}
	for _, not := range []string{"Options", "addOperationDescribeImagesMiddlewares"} {
		assert.NotContains(t, ops, not, "Operations()")
	}
}
