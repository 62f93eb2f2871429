package ststest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ec2token/ec2token/ststest"
)

func TestEC2AsRoot(t *testing.T) {
	srv := newServer(t)
	client := ec2.NewFromConfig(srv.Config())
	ctx := context.Background()
	images := ststest.DefaultImages()

	imgs, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	require.Len(t, imgs.Images, len(images))
	im := imgs.Images[0]
	assert.Equal(t, images[0].ImageID, aws.ToString(im.ImageId))
	assert.Equal(t, images[0].Name, aws.ToString(im.Name))
	assert.Equal(t, "123456789012", aws.ToString(im.OwnerId))
	assert.Equal(t, ec2types.ImageStateAvailable, im.State)
	assert.Equal(t, ec2types.ArchitectureValuesX8664, im.Architecture)
	assert.Equal(t, "2024-01-01T00:00:00.000Z", aws.ToString(im.CreationDate))

	one, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{images[1].ImageID}})
	require.NoError(t, err)
	require.Len(t, one.Images, 1)
	assert.Equal(t, ec2types.ArchitectureValuesArm64, one.Images[0].Architecture)
	byName, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Filters: []ec2types.Filter{
		{Name: aws.String("name"), Values: []string{"ststest-linux-*"}}}})
	require.NoError(t, err)
	assert.Len(t, byName.Images, 2)
	amazon, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	require.NoError(t, err)
	assert.Empty(t, amazon.Images)
	_, err = client.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0000000000000dead"}})
	assert.Equal(t, "InvalidAMIID.NotFound", apiCode(err), "DescribeImages(unknown) error = %v", err)
	_, err = client.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"image"}})
	assert.Equal(t, "InvalidAMIID.Malformed", apiCode(err), "DescribeImages(malformed) error = %v", err)

	run, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(images[0].ImageID),
		MinCount: aws.Int32(2), MaxCount: aws.Int32(2), InstanceType: ec2types.InstanceTypeT3Micro})
	require.NoError(t, err)
	require.Len(t, run.Instances, 2)
	assert.Equal(t, "123456789012", aws.ToString(run.OwnerId))
	assert.Equal(t, ec2types.InstanceStateNamePending, run.Instances[0].State.Name)
	assert.Equal(t, ec2types.InstanceTypeT3Micro, run.Instances[0].InstanceType)
	assert.Equal(t, "us-east-1a", aws.ToString(run.Instances[0].Placement.AvailabilityZone))
	assert.False(t, aws.ToTime(run.Instances[0].LaunchTime).IsZero())
	id := aws.ToString(run.Instances[0].InstanceId)

	desc, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	require.NoError(t, err)
	require.Len(t, desc.Reservations, 1)
	require.Len(t, desc.Reservations[0].Instances, 2)
	assert.Equal(t, ec2types.InstanceStateNameRunning, desc.Reservations[0].Instances[0].State.Name)

	term, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	require.NoError(t, err)
	require.Len(t, term.TerminatingInstances, 1)
	assert.Equal(t, ec2types.InstanceStateNameShuttingDown, term.TerminatingInstances[0].CurrentState.Name)
	assert.Equal(t, ec2types.InstanceStateNameRunning, term.TerminatingInstances[0].PreviousState.Name)
	gone, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.InstanceStateNameTerminated, gone.Reservations[0].Instances[0].State.Name)
	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0000000000000dead"}})
	assert.Equal(t, "InvalidInstanceID.NotFound", apiCode(err), "TerminateInstances(unknown) error = %v", err)

	regions, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	require.NoError(t, err)
	assert.Contains(t, regionNames(regions.Regions), "us-east-1")

	_, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
	assert.Equal(t, "DryRunOperation", apiCode(err), "DescribeRegions(DryRun) error = %v", err)
	_, err = client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	assert.Equal(t, "InvalidAction", apiCode(err), "DescribeVpcs error = %v", err)
}

func regionNames(rs []ec2types.Region) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.RegionName))
	}
	return out
}

func TestFederatedPolicyEnforced(t *testing.T) {
	const subnetOnly = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:RunInstances"],"Resource":[
			"arn:aws:ec2:us-east-1::image/ami-*",
			"arn:aws:ec2:us-east-1:123456789012:instance/*",
			"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-123"]},
		{"Effect":"Allow","NotAction":["ec2:Run*","ec2:Terminate*"],"Resource":"*",
			"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"},
				"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}},
		{"Effect":"Deny","Action":"ec2:describeinstances","Resource":"*"}]}`
	srv := newServer(t)
	ctx := context.Background()
	image := ststest.DefaultImages()[0].ImageID
	fed := federate(t, srv, "limited", subnetOnly)
	client := ec2.NewFromConfig(configFor(srv, fed.Credentials))
	west := ec2.NewFromConfig(configFor(srv, fed.Credentials), func(o *ec2.Options) { o.Region = "us-west-2" })

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"DescribeImages by NotAction", func() error {
			_, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{})
			return err
		}, ""},
		{"DescribeInstances denied explicitly", func() error {
			_, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}, "UnauthorizedOperation"},
		{"another region fails the condition", func() error {
			_, err := west.DescribeImages(ctx, &ec2.DescribeImagesInput{})
			return err
		}, "UnauthorizedOperation"},
		{"RunInstances in the allowed subnet", func() error {
			_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(image),
				MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String("subnet-123")})
			return err
		}, ""},
		{"RunInstances in another subnet", func() error {
			_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(image),
				MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String("subnet-456")})
			return err
		}, "UnauthorizedOperation"},
		{"TerminateInstances not allowed", func() error {
			_, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-1"}})
			return err
		}, "UnauthorizedOperation"},
		{"DryRun of a denied call", func() error {
			_, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{DryRun: aws.Bool(true)})
			return err
		}, "UnauthorizedOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.Equal(t, tt.want, apiCode(err), "error = %v", err)
			if tt.want == "UnauthorizedOperation" {
				assert.ErrorContains(t, err, "You are not authorized to perform this operation.")
			}
		})
	}
}

func TestFederatedWithoutPolicyHasNoRights(t *testing.T) {
	srv := newServer(t)
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(context.Background(),
		&sts.GetFederationTokenInput{Name: aws.String("nobody")})
	require.NoError(t, err)
	//lint:ignore SA1019 STS still sends PackedPolicySize and ec2token reports it.
	assert.Nil(t, out.PackedPolicySize, "PackedPolicySize without any policy")
	_, err = ec2.NewFromConfig(configFor(srv, out.Credentials)).DescribeImages(context.Background(),
		&ec2.DescribeImagesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "DescribeImages error = %v", err)
}

func TestManagedPolicyARNs(t *testing.T) {
	srv := newServer(t)
	srv.AddManagedPolicy("arn:aws:iam::123456789012:policy/regions",
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:DescribeRegions","Resource":"*"}}`)
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(context.Background(),
		&sts.GetFederationTokenInput{Name: aws.String("managed"), PolicyArns: []ststypes.PolicyDescriptorType{
			{Arn: aws.String("arn:aws:iam::123456789012:policy/regions")}}})
	require.NoError(t, err)
	client := ec2.NewFromConfig(configFor(srv, out.Credentials))
	_, err = client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	assert.NoError(t, err)
	_, err = client.DescribeImages(context.Background(), &ec2.DescribeImagesInput{})
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "DescribeImages error = %v", err)
}

func TestUserPolicyAndMFACondition(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv := ststest.NewUnstartedServer()
	srv.UserPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
		{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*",
			"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	srv.Start()
	t.Cleanup(srv.Close)
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))
	ctx := context.Background()
	stsc := sts.NewFromConfig(srv.Config())
	run := &ec2.RunInstancesInput{ImageId: aws.String(ststest.DefaultImages()[0].ImageID),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}

	plain, err := stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	require.NoError(t, err)
	_, err = ec2.NewFromConfig(configFor(srv, plain.Credentials)).RunInstances(ctx, run)
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "RunInstances without MFA error = %v", err)

	withMFA, err := stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(serial), TokenCode: aws.String("123456")})
	require.NoError(t, err)
	_, err = ec2.NewFromConfig(configFor(srv, withMFA.Credentials)).RunInstances(ctx, run)
	assert.NoError(t, err, "RunInstances with MFA")

	_, err = ec2.NewFromConfig(srv.Config()).RunInstances(ctx, run)
	assert.Equal(t, "UnauthorizedOperation", apiCode(err), "RunInstances with root keys error = %v", err)
}
