package ec2token_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
)

func ExampleGetFederationToken() {
	// A local endpoint stands in for AWS; with real AWS the configuration
	// comes from config.LoadDefaultConfig and holds an IAM user's keys.
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "TemporaryUser",
		func(o *ec2token.FederationOptions) {
			o.Duration = 3 * time.Hour
			o.Policy = ec2token.NewPolicy().Allow("DescribeImages", "RunInstances")
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.FederatedUser)
	fmt.Println("lifetime:", tok.Credentials.Expiration.Sub(srv.Now()).Round(time.Minute))
	// Output:
	// arn:aws:sts::123456789012:federated-user/TemporaryUser
	// lifetime: 3h0m0s
}

func ExampleGetFederationToken_invalidInput() {
	// Limits are checked before any request: no STS client is needed to
	// find out that a name is too long.
	_, err := ec2token.GetFederationToken(context.Background(), nil, "a-name-much-longer-than-sts-allows")
	fmt.Println(err)
	// Output:
	// ec2token: invalid name: must be 2 to 32 letters, digits or characters of "+=,.@_-" (has 34 characters)
}

func ExampleGetSessionToken() {
	srv := ststest.NewServer()
	defer srv.Close()
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))

	tok, err := ec2token.GetSessionToken(context.Background(), sts.NewFromConfig(srv.Config()),
		func(o *ec2token.SessionOptions) {
			o.Duration = time.Hour
			o.SerialNumber = serial
			// Ask a person, a hardware key or a TOTP generator here.
			o.TokenProvider = func() (string, error) { return "123456", nil }
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("federated user:", tok.FederatedUser)
	fmt.Println("expired:", tok.Credentials.Expired())
	// Output:
	// federated user: <nil>
	// expired: false
}

func ExampleNewEC2() {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "TemporaryUser",
		func(o *ec2token.FederationOptions) { o.Policy = ec2token.NewPolicy().Allow("DescribeImages") })
	if err != nil {
		log.Fatal(err)
	}
	serialized := tok.Credentials.Serialize() // what the admin sends

	// The user's side: the string is all it needs. The endpoint option is
	// only there because this example talks to a local server.
	client, err := ec2token.NewEC2(ctx, serialized, config.WithBaseEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	out, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out.Images) > 0)
	// Output: true
}
