package ec2token_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call is one EC2 request made with DryRun, so that the answer is the
// authorization decision alone: DryRunOperation when allowed,
// UnauthorizedOperation when denied.
type call string

const (
	describeImages    call = "DescribeImages"
	describeInstances call = "DescribeInstances"
	describeRegions   call = "DescribeRegions"
	runInSubnet1      call = "RunInstances in subnet-1"
	runInSubnet2      call = "RunInstances in subnet-2"
	terminate         call = "TerminateInstances"
)

// semanticsTable lists policies and the decision the IAM documentation
// ("Policy evaluation logic" and the reference pages for the Action,
// Resource, NotAction and Condition elements) gives for each call by a
// federated user whose IAM user may do everything, so that the session
// policy alone decides. The requests come from 127.0.0.1 in us-east-1
// without MFA.
var semanticsTable = []struct {
	name   string
	policy *ec2token.Policy
	want   map[call]bool
}{
	// Implicit deny: what no statement allows is denied; the empty
	// policy's document denies every EC2 action.
	{"empty policy denies everything", ec2token.NewPolicy(),
		map[call]bool{describeImages: false, runInSubnet1: false, terminate: false}},
	{"implicit deny of what is not listed", ec2token.NewPolicy().Allow("DescribeImages"),
		map[call]bool{describeImages: true, describeInstances: false, runInSubnet1: false}},
	{"other services do not grant EC2", ec2token.NewPolicy().Allow("s3:*"),
		map[call]bool{describeImages: false}},

	// Wildcards: * matches any run of characters, ? one character; action
	// names match without regard to case.
	{"prefix wildcard", ec2token.NewPolicy().Allow("Describe*"),
		map[call]bool{describeImages: true, describeInstances: true, describeRegions: true,
			runInSubnet1: false, terminate: false}},
	{"one-character wildcard", ec2token.NewPolicy().Allow("Describe?mages"),
		map[call]bool{describeImages: true, describeInstances: false}},
	{"case-insensitive action", ec2token.NewPolicy().Allow("ec2:describeimages"),
		map[call]bool{describeImages: true}},
	{"Allow() allows every EC2 action", ec2token.NewPolicy().Allow(),
		map[call]bool{describeImages: true, runInSubnet1: true, terminate: true}},

	// Explicit deny wins over any allow, whatever the statement order.
	{"explicit deny wins", ec2token.NewPolicy().Allow("Describe*").Deny("DescribeImages"),
		map[call]bool{describeImages: false, describeInstances: true}},
	{"explicit deny wins when written first", ec2token.NewPolicy().Deny("TerminateInstances").Allow(),
		map[call]bool{terminate: false, runInSubnet1: true}},
	{"NotAction allows all but", ec2token.NewPolicy().Add(ec2token.Statement{Effect: "Allow",
		NotActions: []string{"ec2:TerminateInstances"}}),
		map[call]bool{terminate: false, runInSubnet1: true, describeImages: true}},

	// Resources: every resource a request touches must be allowed.
	{"resource-level permission", ec2token.NewPolicy().Allow("RunInstances").On(
		"arn:aws:ec2:*::image/*", "arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:subnet/subnet-1"),
		map[call]bool{runInSubnet1: true, runInSubnet2: false}},
	{"deny on one resource", ec2token.NewPolicy().Allow().
		Deny("RunInstances").On("arn:aws:ec2:*:*:subnet/subnet-2"),
		map[call]bool{runInSubnet1: true, runInSubnet2: false}},

	// Conditions: a statement applies only when all its conditions hold;
	// several values of one key match if any one does.
	{"source address inside the range", ec2token.NewPolicy().Allow("Describe*").
		When("IpAddress", "aws:SourceIp", "192.0.2.0/24", "127.0.0.0/8"),
		map[call]bool{describeImages: true}},
	{"source address outside the range", ec2token.NewPolicy().Allow("Describe*").
		When("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
		map[call]bool{describeImages: false}},
	{"all conditions must hold", ec2token.NewPolicy().Allow("Describe*").
		When("IpAddress", "aws:SourceIp", "127.0.0.0/8").When("StringEquals", "ec2:Region", "eu-west-1"),
		map[call]bool{describeImages: false}},
	{"conditional deny", ec2token.NewPolicy().Allow().
		Deny("TerminateInstances").When("Bool", "aws:MultiFactorAuthPresent", "false"),
		map[call]bool{terminate: false, runInSubnet1: true}},
	{"conditional deny that does not apply", ec2token.NewPolicy().Allow().
		Deny("TerminateInstances").When("StringNotEquals", "aws:RequestedRegion", "us-east-1"),
		map[call]bool{terminate: true}},
}

// TestPolicySemantics sends each policy of the table to ststest, whose
// session-policy enforcement follows the same IAM rules, with the SDK's
// own STS client, and checks that the EC2 calls made with the minted
// credentials are allowed or denied as the table says.
func TestPolicySemantics(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	stsClient := sts.NewFromConfig(srv.Config())

	for _, tt := range semanticsTable {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.policy.Validate(), "Validate()")
			out, err := stsClient.GetFederationToken(ctx, &sts.GetFederationTokenInput{
				Name:   aws.String("semantics"),
				Policy: aws.String(tt.policy.String()),
			})
			require.NoError(t, err, "GetFederationToken with %s", tt.policy)
			cfg := srv.Config()
			c := out.Credentials
			cfg.Credentials = credentials.NewStaticCredentialsProvider(
				aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
			client := ec2.NewFromConfig(cfg)
			for cl, want := range tt.want {
				got := dryRun(ctx, t, client, cl)
				assert.Equal(t, want, got, "%s allowed under %s", cl, tt.policy)
			}
		})
	}
}

// dryRun makes the call with DryRun and reports whether it was allowed.
func dryRun(ctx context.Context, t *testing.T, client *ec2.Client, cl call) bool {
	t.Helper()
	dry := aws.Bool(true)
	run := func(subnet string) error {
		_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{DryRun: dry, ImageId: aws.String("ami-12345678"),
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet)})
		return err
	}
	var err error
	switch cl {
	case describeImages:
		_, err = client.DescribeImages(ctx, &ec2.DescribeImagesInput{DryRun: dry})
	case describeInstances:
		_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{DryRun: dry})
	case describeRegions:
		_, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: dry})
	case runInSubnet1:
		err = run("subnet-1")
	case runInSubnet2:
		err = run("subnet-2")
	case terminate:
		_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{DryRun: dry,
			InstanceIds: []string{"i-0123456789abcdef0"}})
	default:
		t.Fatalf("unknown call %q", cl)
	}
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%s: %v, want an API error", cl, err)
	switch apiErr.ErrorCode() {
	case "DryRunOperation":
		return true
	case "UnauthorizedOperation":
		return false
	}
	t.Fatalf("%s: error code %s, want DryRunOperation or UnauthorizedOperation", cl, apiErr.ErrorCode())
	return false
}

// TestGetFederationTokenChecksPolicy shows that a policy with a mistyped
// action is refused before any request reaches STS.
func TestGetFederationTokenChecksPolicy(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	_, err := ec2token.GetFederationToken(context.Background(), sts.NewFromConfig(srv.Config()), "typo",
		func(o *ec2token.FederationOptions) { o.Policy = ec2token.NewPolicy().Allow("DescribeImage") })
	var ie *ec2token.InputError
	require.True(t, errors.As(err, &ie), "GetFederationToken() = %v, want an *InputError", err)
	assert.Equal(t, "Statement[0].Action[0]: DescribeImage: unknown EC2 action; did you mean DescribeImages?",
		ie.Problem, "GetFederationToken().Problem")
	assert.Zero(t, srv.RequestCount("GetFederationToken"), "requests that reached STS")
}
