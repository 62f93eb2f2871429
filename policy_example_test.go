package ec2token_test

import (
	"fmt"

	"github.com/ec2token/ec2token"
)

func ExampleNewPolicy() {
	p := ec2token.NewPolicy().
		Allow("Describe*", "CreateVolume", "delete_volume").
		Deny("DescribeVolumes")
	if err := p.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:CreateVolume","ec2:DeleteVolume","ec2:Describe*"],"Resource":"*"},{"Effect":"Deny","Action":"ec2:DescribeVolumes","Resource":"*"}]}
}

func ExamplePolicy_When() {
	p := ec2token.NewPolicy().
		Allow("DescribeInstances", "DescribeImages").
		Allow("RunInstances").
		On("arn:aws:ec2:*:*:subnet/subnet-0123", "arn:aws:ec2:*:*:instance/*").
		When("IpAddress", "aws:SourceIp", "203.0.113.0/24")
	fmt.Println(p.Validate())
	fmt.Println(p)
	// Output:
	// <nil>
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeImages","ec2:DescribeInstances"],"Resource":"*"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":["arn:aws:ec2:*:*:subnet/subnet-0123","arn:aws:ec2:*:*:instance/*"],"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}
}

func ExamplePolicy_Add() {
	// Every action, of any service the user may use, except those that
	// stop or end an instance.
	p := ec2token.NewPolicy().Add(ec2token.Statement{
		Sid:        "NoEndings",
		Effect:     "Allow",
		NotActions: []string{"ec2:TerminateInstances", "ec2:StopInstances"},
	})
	fmt.Println(p.Validate())
	fmt.Println(p)
	// Output:
	// <nil>
	// {"Version":"2012-10-17","Statement":[{"Sid":"NoEndings","Effect":"Allow","NotAction":["ec2:StopInstances","ec2:TerminateInstances"],"Resource":"*"}]}
}

func ExamplePolicy_Validate() {
	p := ec2token.NewPolicy().Allow("DescribeInstances", "DescribeImage")
	fmt.Println(p.Validate())
	// Output:
	// ec2token: invalid Policy: Statement[0].Action[0]: DescribeImage: unknown EC2 action; did you mean DescribeImages?
}

func ExampleParsePolicy() {
	p, err := ec2token.ParsePolicy(`{
		"Version": "2012-10-17",
		"Statement": [{
			"Effect": "Allow",
			"Action": ["ec2:StopInstances", "ec2:StartInstances"],
			"Resource": "arn:aws:ec2:*:*:instance/*",
			"Condition": {"StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}}
		}]
	}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Statements() {
		fmt.Println(s.Effect, s.Actions, s.Resources, s.Conditions)
	}

	_, err = ec2token.ParsePolicy(`{"Statement": {"Effect": "Allow", "Action": "ec2:RunInstance", "Resource": "*"}}`)
	fmt.Println(err)
	// Output:
	// Allow [ec2:StartInstances ec2:StopInstances] [arn:aws:ec2:*:*:instance/*] [{StringEquals aws:ResourceTag/Owner [${aws:username}]}]
	// ec2token: invalid Policy: Statement[0].Action[0]: RunInstance: unknown EC2 action; did you mean RunInstances?
}

func ExampleAddEC2Actions() {
	// An action IAM knows but this package does not is rejected...
	p := ec2token.NewPolicy().Allow("DescribeFutureWidgets")
	fmt.Println(p.Validate() != nil)

	// ...until the program vouches for it.
	if err := ec2token.AddEC2Actions("DescribeFutureWidgets"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(p.Validate())
	// Output:
	// true
	// <nil>
}
