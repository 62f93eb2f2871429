package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
)

var consoleCmd = &command{
	name:    "console",
	usage:   "console [flags] FILE",
	summary: "print the AWS console sign-in URL for a federation token",
	help: `
Console prints a URL that signs the federated user of the token in FILE
(or standard input for -) in to the AWS Management Console. The
serialized formats do not record the user, so console first asks STS who
the credentials belong to (GetCallerIdentity, with the default AWS
configuration for the region and endpoint), then asks the federation
endpoint for a signin token. Session tokens cannot sign in.

The URL is a secret that works once, within 15 minutes: anyone who opens
it acts as the user. It is not printed to a terminal without
--show-secrets. Sealed files are opened with --identity.`,
	examples: `
ec2token console --show-secrets alice.token
ec2token console --region eu-west-1 alice.token | xargs xdg-open
ec2token console --destination https://console.aws.amazon.com/ec2/home --identity key.txt -o url.txt alice.age`,
	run: runConsole,
}

func runConsole(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		in   credsInput
		out  outputFlags
		opts ec2token.ConsoleOptions
	)
	in.register(fs)
	fs.StringVar(&opts.Destination, "destination", "",
		"open the console page at `URL` after sign-in; the default is the console home")
	fs.StringVar(&opts.Issuer, "issuer", "", "send the user to `URL` when the console session ends")
	fs.StringVar(&opts.Region, "region", "", "open the console home of `REGION`")
	fs.StringVar(&opts.Endpoint, "federation-endpoint", "",
		"ask the federation endpoint at `URL` instead of the partition's")
	out.register(fs)
	pos, err := c.parseArgs(cmd, fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := c.checkOutput(&out, true); err != nil {
		return err
	}
	creds, err := c.loadUsable(pos[0], &in)
	if err != nil {
		return err
	}

	tok := &ec2token.Token{Credentials: creds.Credentials}
	arn, err := callerARN(ctx, creds.Credentials)
	if err != nil {
		return err
	}
	if strings.Contains(arn, ":federated-user/") {
		tok.FederatedUser = &ec2token.FederatedUser{ARN: arn}
	}
	url, err := tok.ConsoleURL(ctx, func(o *ec2token.ConsoleOptions) { *o = opts })
	if err != nil {
		return err
	}
	return c.write(&out, []byte(url+"\n"), true)
}

// callerARN asks STS whom creds belong to.
func callerARN(ctx context.Context, creds ec2token.Credentials) (string, error) {
	cfg, err := creds.Config(ctx)
	if err != nil {
		return "", err
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("ask STS whom the credentials belong to: %w", err)
	}
	return aws.ToString(id.Arn), nil
}
