package ec2token_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func ExampleNewFederationProvider() {
	// A local endpoint stands in for AWS; with real AWS the STS client
	// holds an IAM user's long-term keys.
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	creds := ec2token.NewFederationProvider(sts.NewFromConfig(srv.Config()), "Reporter",
		func(o *ec2token.FederationOptions) {
			o.Duration = time.Hour
			o.Policy = ec2token.NewPolicy().Allow("DescribeImages")
		})
	cfg := srv.Config()
	cfg.Credentials = creds // EC2 calls now use the federated user's keys
	client := ec2.NewFromConfig(cfg)
	for range 3 {
		if _, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("tokens minted:", srv.RequestCount("GetFederationToken"))
	fmt.Println("images listed:", srv.RequestCount("DescribeImages"))
	// Output:
	// tokens minted: 1
	// images listed: 3
}

func ExampleNewSessionProvider() {
	srv := ststest.NewServer()
	defer srv.Close()
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv.AddMFADevice(serial, ststest.FixedCode("123456"))

	creds := ec2token.NewSessionProvider(sts.NewFromConfig(srv.Config()),
		func(o *ec2token.SessionOptions) {
			o.SerialNumber = serial
			// Each refresh asks for a new code; a person would answer
			// ec2token.TerminalPrompt instead.
			o.TokenProvider = func() (string, error) { return "123456", nil }
		})
	c, err := creds.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("can expire:", c.CanExpire)
	// Output:
	// can expire: true
}

func ExampleTerminalPrompt() {
	// The prompt appears on the terminal even when the program's standard
	// input and output are redirected, and the code is not echoed.
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := ec2token.GetSessionToken(ctx, sts.NewFromConfig(cfg),
		func(o *ec2token.SessionOptions) {
			o.SerialNumber = "arn:aws:iam::123456789012:mfa/admin"
			o.TokenProvider = ec2token.TerminalPrompt("MFA code for admin: ")
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Credentials.Expiration)
}

func ExampleTerminalPrompt_totp() {
	// A program that holds the TOTP secret of a virtual MFA device needs
	// no person: it computes the code.
	secret := "JBSWY3DPEHPK3PXP"
	srv := ststest.NewServer()
	defer srv.Close()
	const serial = "arn:aws:iam::123456789012:mfa/ststest-admin"
	srv.AddMFADevice(serial, func(code string, now time.Time) bool {
		ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Skew: 1, Digits: otp.DigitsSix})
		return err == nil && ok
	})

	_, err := ec2token.GetSessionToken(context.Background(), sts.NewFromConfig(srv.Config()),
		func(o *ec2token.SessionOptions) {
			o.SerialNumber = serial
			o.TokenProvider = func() (string, error) { return totp.GenerateCode(secret, time.Now()) }
		})
	fmt.Println("error:", err)
	// Output:
	// error: <nil>
}

func ExampleToken_ConsoleURL() {
	srv := ststest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(srv.Config()), "Operator",
		func(o *ec2token.FederationOptions) {
			o.PolicyARNs = []string{"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"}
		})
	if err != nil {
		log.Fatal(err)
	}

	signin, err := tok.ConsoleURL(ctx, func(o *ec2token.ConsoleOptions) {
		o.Issuer = "https://broker.example.com/"
		o.Destination = "https://console.aws.amazon.com/ec2/home"
		o.Endpoint = srv.URL + "/federation" // leave empty for AWS
	})
	if err != nil {
		log.Fatal(err)
	}
	// The URL signs the user in: hand it to the user's browser, never to
	// a log. Here only its public parts are printed.
	u, _ := url.Parse(signin)
	fmt.Println(u.Path, u.Query().Get("Action"), u.Query().Get("Destination"))
	user, ok := srv.SigninUser(u.Query().Get("SigninToken"))
	fmt.Println(user, ok)
	// Output:
	// /federation login https://console.aws.amazon.com/ec2/home
	// arn:aws:sts::123456789012:federated-user/Operator true
}
