package main

import (
	"context"

	"github.com/ec2token/ec2token"
)

var exportCmd = &command{
	name:    "export",
	usage:   "export [flags] [FILE|-]",
	summary: "convert credentials between formats, opening sealed input",
	help: `
Export reads credentials in any format (FILE, or standard input when FILE
is - or absent), opens sealed input with --identity, and writes them in
--format: env (shell export lines, the default), json (the
credential_process object), imds, perl or native. It refuses expired
credentials, and does not print to a terminal without --show-secrets.`,
	examples: `
eval "$(ec2token export alice.token)"
ec2token export --format perl alice.token > alice.perl
ec2token export --identity ~/.ssh/id_ed25519 --format native -o alice.token alice.age
ec2token export --format json - < alice.token`,
	run: runExport,
}

func runExport(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		in     credsInput
		out    outputFlags
		format string
	)
	in.register(fs)
	fs.StringVar(&format, "format", "env", "write the credentials in `FORMAT`: "+formatNames)
	out.register(fs)
	pos, err := c.parseArgs(cmd, fs, args, 0, 1)
	if err != nil {
		return err
	}
	f, err := parseFormatFlag(format)
	if err != nil {
		return err
	}
	if err := c.checkOutput(&out, true); err != nil {
		return err
	}
	name := "-"
	if len(pos) == 1 {
		name = pos[0]
	}
	creds, err := c.loadUsable(name, &in)
	if err != nil {
		return err
	}
	data, err := encode(creds.Credentials, f)
	if err != nil {
		return err
	}
	return c.write(&out, data, true)
}

var credentialProcessCmd = &command{
	name:    "credential-process",
	usage:   "credential-process [flags] FILE",
	summary: "serve credentials to the AWS CLI and SDKs as a credential_process",
	help: `
Credential-process prints the credentials in FILE as the JSON object that
the AWS CLI and SDKs read from a credential_process program, so that they
use the token directly. Name it in a profile of ~/.aws/config, with
absolute paths:

    [profile alice]
    credential_process = /usr/local/bin/ec2token credential-process /home/alice/alice.token

Sealed files are opened with --identity; a passphrase-protected key cannot
be used here, since nobody can type the passphrase. When the credentials
have expired it fails with one line on standard error, which the AWS CLI
shows. It does not print to a terminal without --show-secrets.`,
	examples: `
ec2token credential-process /home/alice/alice.token
ec2token credential-process --identity /home/alice/.config/ec2token/key.txt /home/alice/alice.age
aws configure set credential_process "$(command -v ec2token) credential-process $PWD/alice.token" --profile alice`,
	run: runCredentialProcess,
}

func runCredentialProcess(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		in   = credsInput{noPrompt: true}
		show bool
	)
	in.register(fs)
	fs.BoolVar(&show, "show-secrets", false, "print secrets even when standard output is a terminal")
	pos, err := c.parseArgs(cmd, fs, args, 1, 1)
	if err != nil {
		return err
	}
	out := outputFlags{showSecrets: show}
	if err := c.checkOutput(&out, true); err != nil {
		return err
	}
	creds, err := c.loadUsable(pos[0], &in)
	if err != nil {
		return err
	}
	data, err := encode(creds.Credentials, ec2token.FormatCredentialProcess)
	if err != nil {
		return err
	}
	return c.write(&out, data, true)
}
