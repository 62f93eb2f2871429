package ststest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ec2token/ec2token/ststest"
)

func ExampleNewServer() {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// The admin mints credentials for a federated user who may only
	// describe things.
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("TemporaryUser"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(out.FederatedUser.Arn))

	// The user works with them.
	cfg := srv.Config()
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	client := ec2.NewFromConfig(cfg)
	images, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(images.Images), "images")

	_, err = client.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: images.Images[0].ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	var ae smithy.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.ErrorCode())
	}
	fmt.Println(srv.RequestCount("RunInstances"), "RunInstances request")
	// Output:
	// arn:aws:sts::123456789012:federated-user/TemporaryUser
	// 3 images
	// UnauthorizedOperation
	// 1 RunInstances request
}

func ExampleServer_Advance() {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	out, err := sts.NewFromConfig(srv.Config()).GetSessionToken(ctx,
		&sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := srv.Config()
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))

	srv.Advance(15 * time.Minute)
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.ErrorCode())
	}
	// Output:
	// ExpiredToken
}

func ExampleServer_FailNext() {
	srv := ststest.NewServer()
	defer srv.Close()

	// Config's retryer makes three attempts: two throttles are absorbed.
	srv.FailNext("GetCallerIdentity", 2, ststest.Throttling)
	_, err := sts.NewFromConfig(srv.Config()).GetCallerIdentity(context.Background(),
		&sts.GetCallerIdentityInput{})
	fmt.Println(err == nil, srv.RequestCount("GetCallerIdentity"))
	// Output:
	// true 3
}

func ExampleServer_AddMFADevice() {
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv := ststest.NewServer()
	defer srv.Close()
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))
	client := sts.NewFromConfig(srv.Config())

	for _, code := range []string{"654321", "123456"} {
		_, err := client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
			SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
		var ae smithy.APIError
		if errors.As(err, &ae) {
			fmt.Println(ae.ErrorCode())
			continue
		}
		fmt.Println(err == nil)
	}
	// Output:
	// AccessDenied
	// true
}
