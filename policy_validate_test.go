package ec2token

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ec2token/ec2token/internal/ec2catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyValidate(t *testing.T) {
	long := make([]string, 120)
	for i := range long {
		long[i] = fmt.Sprintf("s3:GetObjectNumber%03d", i)
	}
	// 120 quoted actions of 21 characters, 119 commas, and the frame.
	frame := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`
	longSize := len(frame) + 120*23 + 119
	tests := []struct {
		name string
		p    *Policy
		want string // the error's Problem; empty for a valid policy
	}{
		{"empty", NewPolicy(), ""},
		{"everything", NewPolicy().Allow(), ""},
		{"manual synopsis", NewPolicy().Allow("Describe*", "CreateVolume", "delete_volume").
			Deny("DescribeVolumes"), ""},
		{"case ignored as IAM does", NewPolicy().Allow("ec2:describeimages", "describe_instances"), ""},
		{"question mark", NewPolicy().Allow("Describe?mages"), ""},
		{"other services unchecked", NewPolicy().Allow("s3:GetObjekt", "iam:*"), ""},
		{"every service", NewPolicy().Add(Statement{Effect: "Deny", Actions: []string{"*"}}), ""},
		{"IAM-only action", NewPolicy().Allow("CreateCoipPoolPermission"), ""},
		{"resources and conditions", NewPolicy().Allow("RunInstances").On("arn:aws:ec2:*:*:subnet/subnet-1").
			When("ForAnyValue:StringLike", "aws:RequestTag/${aws:username}", "x*"), ""},

		{"typo", NewPolicy().Allow("DescribeImages", "DescribeImage"),
			"Statement[0].Action[0]: DescribeImage: unknown EC2 action; did you mean DescribeImages?"},
		{"typo in second statement", NewPolicy().Allow().Deny("TerminateInstance"),
			"Statement[1].Action[0]: TerminateInstance: unknown EC2 action; did you mean TerminateInstances?"},
		{"case and typo", NewPolicy().Allow("describe_imagez"),
			"Statement[0].Action[0]: DescribeImagez: unknown EC2 action; did you mean DescribeImages?"},
		{"nothing close", NewPolicy().Allow("FlyToTheMoon"),
			"Statement[0].Action[0]: FlyToTheMoon: unknown EC2 action (if IAM knows it, see AddEC2Actions)"},
		{"wildcard matching nothing", NewPolicy().Allow("Descrbe*"),
			"Statement[0].Action[0]: Descrbe*: matches no EC2 action"},
		{"NotAction checked", NewPolicy().Add(Statement{Effect: "Allow", NotActions: []string{"ec2:RunInstance"}}),
			"Statement[0].NotAction[0]: RunInstance: unknown EC2 action; did you mean RunInstances?"},
		{"no prefix", NewPolicy().Add(Statement{Effect: "Allow", Actions: []string{"RunInstances"}}),
			"Statement[0].Action[0]: RunInstances: has no service prefix; did you mean ec2:RunInstances?"},
		{"bad name not quoted", NewPolicy().Allow(`ec2:Run"Instances`),
			"Statement[0].Action[0]: action name must be letters and digits, with * and ? wildcards"},
		{"bad service", NewPolicy().Allow("s 3:Get"),
			"Statement[0].Action[0]: service prefix must be letters, digits and hyphens"},
		{"empty action", NewPolicy().Allow(""),
			"Statement[0].Action[0]: action name must be letters and digits, with * and ? wildcards"},
		{"effect", NewPolicy().Add(Statement{Effect: "allow", Actions: []string{"ec2:*"}}),
			`Statement[0].Effect: must be "Allow" or "Deny"`},
		{"no action", NewPolicy().Add(Statement{Effect: "Allow"}), "Statement[0]: needs Action or NotAction"},
		{"both actions", NewPolicy().Add(Statement{Effect: "Allow", Actions: []string{"ec2:*"},
			NotActions: []string{"ec2:RunInstances"}}), "Statement[0]: has both Action and NotAction"},
		{"both resources", NewPolicy().Add(Statement{Effect: "Allow", Actions: []string{"ec2:*"},
			Resources: []string{"*"}, NotResources: []string{"*"}}), "Statement[0]: has both Resource and NotResource"},
		{"resource not an ARN", NewPolicy().Allow().On("subnet-1"),
			`Statement[0].Resource[0]: must be "*" or an ARN such as arn:aws:ec2:*:*:instance/*`},
		{"resource too short for an ARN", NewPolicy().Allow().On("*", "arn:aws:ec2"),
			`Statement[0].Resource[1]: must be "*" or an ARN such as arn:aws:ec2:*:*:instance/*`},
		{"sid", NewPolicy().Add(Statement{Sid: "a-b", Effect: "Allow", Actions: []string{"ec2:*"}}),
			"Statement[0].Sid: must hold only letters and digits"},
		{"operator", NewPolicy().Allow().When("String Equals", "aws:SourceIp", "x"),
			"Statement[0].Condition: operator must be letters, with an optional qualifier such as ForAnyValue:"},
		{"key", NewPolicy().Allow().When("StringEquals", "", "x"),
			"Statement[0].Condition.StringEquals: key must be a condition key such as aws:SourceIp"},
		{"values", NewPolicy().Add(Statement{Effect: "Allow", Actions: []string{"ec2:*"},
			Conditions: []Condition{{"Bool", "aws:SecureTransport", nil}}}),
			"Statement[0].Condition.Bool: needs at least one value"},
		{"resource not UTF-8", NewPolicy().Allow().On("arn:aws:s3:::b/\xff"),
			"Statement[0].Resource[0]: is not valid UTF-8"},
		{"value not UTF-8", NewPolicy().Allow().When("StringEquals", "aws:SourceVpc", "ok", "\xff"),
			"Statement[0].Condition.StringEquals: has a value that is not valid UTF-8"},
		{"too long", NewPolicy().Allow(long...),
			fmt.Sprintf("is %d characters once compacted, %d over the limit of 2048", longSize, longSize-2048)},
		{"nil", nil, "is a nil *Policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" {
				assert.NoError(t, err, "Validate()")
				return
			}
			var ie *InputError
			require.True(t, errors.As(err, &ie), "Validate() = %v, want an *InputError", err)
			assert.Equal(t, "Policy", ie.Field, "Validate().Field")
			assert.Equal(t, tt.want, ie.Problem, "Validate().Problem")
			assert.True(t, strings.HasPrefix(err.Error(), "ec2token: invalid Policy: "), "Validate() = %v", err)
		})
	}
}

func TestValidateMessageMatchesDocs(t *testing.T) {
	err := NewPolicy().Allow("DescribeInstances", "DescribeImage").Validate()
	assert.EqualError(t, err,
		"ec2token: invalid Policy: Statement[0].Action[0]: DescribeImage: unknown EC2 action; did you mean DescribeImages?")
}

// TestCatalogIsGenerated fails when policy_ec2actions.go no longer lists
// the operations of the linked SDK: run go generate.
func TestCatalogIsGenerated(t *testing.T) {
	ops := ec2catalog.Operations()
	require.Greater(t, len(ops), 500, "operations found by reflection")
	assert.Equal(t, ops, ec2APIActions[:], "ec2APIActions is out of date; run go generate")
	assert.True(t, slices.IsSortedFunc(ec2APIActions[:], compareFold), "ec2APIActions sorted ignoring case")
	assert.True(t, slices.IsSortedFunc(iamOnlyEC2Actions, compareFold), "iamOnlyEC2Actions sorted ignoring case")
	for _, a := range iamOnlyEC2Actions {
		assert.NotContains(t, ops, a, "an IAM-only action became an API operation; drop it from the list")
	}
}

func TestAddEC2Actions(t *testing.T) {
	const name = "TestOnlyPermissionXyzzy"
	p := NewPolicy().Allow(name)
	require.Error(t, p.Validate(), "Validate() before AddEC2Actions")
	require.NoError(t, AddEC2Actions("EC2:"+name))
	assert.NoError(t, p.Validate(), "Validate() after AddEC2Actions")
	assert.NoError(t, NewPolicy().Allow("TestOnlyPermissionX*").Validate(), "a wildcard matching an added action")
	assert.Contains(t, EC2Actions(), name, "EC2Actions()")

	for _, bad := range []string{"", "Describe*", "ec2:", "s3:GetObject", "Run Instances"} {
		err := AddEC2Actions("GoodName", bad)
		var ie *InputError
		assert.True(t, errors.As(err, &ie), "AddEC2Actions(%q) = %v, want an *InputError", bad, err)
	}
	assert.NotContains(t, EC2Actions(), "GoodName", "AddEC2Actions added names despite an error")
}

func TestEC2Actions(t *testing.T) {
	got := EC2Actions()
	assert.True(t, slices.IsSortedFunc(got, compareFold), "EC2Actions() sorted ignoring case")
	for _, want := range []string{"DescribeImages", "RunInstances", "CreateCoipPoolPermission"} {
		assert.Contains(t, got, want, "EC2Actions()")
	}
	got[0] = "Changed"
	assert.NotEqual(t, "Changed", EC2Actions()[0], "EC2Actions() returned shared storage")
}

func TestGlobFold(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"Describe*", "DescribeImages", true},
		{"describe*", "DescribeImages", true},
		{"*Images", "DescribeImages", true},
		{"D*b*s", "DescribeImages", true},
		{"D?scribeImages", "DescribeImages", true},
		{"Describe", "DescribeImages", false},
		{"*Image", "DescribeImages", false},
		{"Describe?", "Describe", false},
		{"a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, globFold(tt.pattern, tt.s), "globFold(%q, %q)", tt.pattern, tt.s)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"describeimage", "describeimages", 4, 1},
		{"kitten", "sitting", 9, 3},
		{"", "abc", 9, 3},
		{"abc", "abc", 9, 0},
		{"abcdef", "uvwxyz", 2, 2}, // stops at the limit
		{"a", "abcdef", 3, 3},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b, tt.limit),
			"editDistance(%q, %q, %d)", tt.a, tt.b, tt.limit)
	}
}

func TestCatalogConcurrentUse(t *testing.T) {
	p := NewPolicy().Allow("Describe*", "TestOnlyConcurrent0")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			assert.NoError(t, AddEC2Actions(fmt.Sprintf("TestOnlyConcurrent%d", i)))
		}
	}()
	for range 50 {
		_ = p.Validate()
		_ = EC2Actions()
	}
	<-done
	assert.NoError(t, p.Validate(), "Validate() after AddEC2Actions")
}
