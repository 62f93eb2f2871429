package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

var inspectCmd = &command{
	name:    "inspect",
	usage:   "inspect [flags] [FILE|-]",
	summary: "show the format, access key ID and expiry of credentials, never the secret",
	help: `
Inspect says what the input (FILE, or standard input when FILE is - or
absent) is: its format, the access key ID, whether the keys are temporary,
when they expire and how long is left. It never prints the secret access
key or the session token. Sealed input is opened with --identity.

The serialized formats do not record who the credentials belong to; with
--whoami inspect asks STS (GetCallerIdentity, with the default AWS
configuration for the region and endpoint) and prints the ARN, which
names the federated user of a federation token.

With --check the exit status is 1 when the credentials have expired.`,
	examples: `
ec2token inspect alice.token
ec2token inspect --identity key.txt --whoami bob.age
ec2token inspect --check alice.token || ec2token federate alice --allow DescribeImages -o alice.token --force`,
	run: runInspect,
}

func runInspect(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		in            credsInput
		whoami, check bool
	)
	in.register(fs)
	fs.BoolVar(&whoami, "whoami", false, "ask STS whom the credentials belong to (one request)")
	fs.BoolVar(&check, "check", false, "exit with status 1 when the credentials have expired")
	pos, err := c.parseArgs(cmd, fs, args, 0, 1)
	if err != nil {
		return err
	}
	name := "-"
	if len(pos) == 1 {
		name = pos[0]
	}
	creds, err := c.load(name, &in)
	if err != nil {
		return err
	}

	kind := "long-term (no session token)"
	if creds.SessionToken != "" {
		kind = "temporary (with a session token)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "format:         %s\n", creds.format)
	fmt.Fprintf(&b, "access key ID:  %s\n", creds.AccessKeyID)
	fmt.Fprintf(&b, "kind:           %s\n", kind)
	switch exp := creds.Expiration; {
	case exp.IsZero():
		fmt.Fprintf(&b, "expires:        never or unknown\n")
	case creds.Expired():
		fmt.Fprintf(&b, "expires:        %s (expired %s ago)\n",
			exp.UTC().Format(time.RFC3339), time.Since(exp).Round(time.Second))
	default:
		fmt.Fprintf(&b, "expires:        %s (%s left)\n",
			exp.UTC().Format(time.RFC3339), time.Until(exp).Round(time.Second))
	}
	if whoami && creds.Expired() {
		fmt.Fprintf(&b, "identity:       unknown: expired credentials cannot ask STS\n")
	}
	if whoami && !creds.Expired() {
		arn, err := callerARN(ctx, creds.Credentials)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "identity:       %s\n", arn)
	}
	if _, err := fmt.Fprint(c.stdout, b.String()); err != nil {
		return err
	}
	if check && creds.Expired() {
		return exitError{code: 1}
	}
	return nil
}
