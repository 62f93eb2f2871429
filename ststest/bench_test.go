package ststest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// BenchmarkFederatedDescribeImages measures one signed EC2 call by a
// federated user: signature check, policy evaluation and the XML answer,
// with the SDK client's own cost included.
func BenchmarkFederatedDescribeImages(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	ctx := context.Background()
	out, err := sts.NewFromConfig(srv.Config()).GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("bench"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`),
	})
	if err != nil {
		b.Fatal(err)
	}
	cfg := srv.Config()
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	client := ec2.NewFromConfig(cfg)
	in := &ec2.DescribeImagesInput{Owners: []string{"self"}}
	for b.Loop() {
		if _, err := client.DescribeImages(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorize measures the policy evaluation alone.
func BenchmarkAuthorize(b *testing.B) {
	p := mustParsePolicy(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:Describe*","ec2:RunInstances"],"Resource":"*",
			"Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
		{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*:*:subnet/subnet-2"}]}`)
	ctx := map[string]string{"aws:sourceip": "127.0.0.1"}
	res := []string{"arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:ec2:us-east-1:1:instance/*",
		"arn:aws:ec2:us-east-1:1:subnet/subnet-1"}
	for b.Loop() {
		if !authorize([][]*policyDoc{{p}}, "ec2:RunInstances", res, ctx) {
			b.Fatal("denied")
		}
	}
}
