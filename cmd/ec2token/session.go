package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
	"golang.org/x/term"
)

var sessionCmd = &command{
	name:    "session",
	usage:   "session [flags]",
	summary: "mint a session token with the caller's own rights, optionally behind MFA",
	help: `
Session asks STS for a session token (GetSessionToken) with the caller's
own rights and default AWS configuration, as federate does. With
--mfa-serial the request carries an MFA code: --code, or, without it, one
asked for on the terminal, or read from standard input when that is not
a terminal.

It writes the credentials as federate does.`,
	examples: `
ec2token session --duration 1h -o session.token
ec2token session --mfa-serial arn:aws:iam::123456789012:mfa/alice -o session.token
ec2token session --mfa-serial arn:aws:iam::123456789012:mfa/alice --code 123456 --format env > session.env`,
	run: runSession,
}

func runSession(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		m            mintFlags
		serial, code string
	)
	fs.StringVar(&serial, "mfa-serial", "", "the `ARN` or serial number of the caller's MFA device")
	fs.StringVar(&code, "code", "", "the six-digit `CODE` the MFA device shows; prompted for when absent")
	m.register(fs)
	if _, err := c.parseArgs(cmd, fs, args, 0, 0); err != nil {
		return err
	}
	if code != "" && serial == "" {
		return usageErrorf("session: --code needs --mfa-serial")
	}
	f, err := m.prepare(c, fs)
	if err != nil {
		return err
	}

	cfg, err := c.loadConfig(ctx)
	if err != nil {
		return err
	}
	tok, err := ec2token.GetSessionToken(ctx, sts.NewFromConfig(cfg),
		func(o *ec2token.SessionOptions) {
			o.Duration = m.duration
			o.SerialNumber = serial
			o.TokenCode = code
			o.TokenProvider = c.mfaPrompt("MFA code for " + serial + ": ")
		})
	if err != nil {
		return err
	}
	return m.emit(c, tok.Credentials, f)
}

// mfaPrompt returns the TokenProvider that asks for the MFA code: on the
// terminal, without echo, when standard input is one; otherwise it reads a
// line from standard input, as a script would give it, and shows prompt
// only when standard error is a terminal.
func (c *cli) mfaPrompt(prompt string) func() (string, error) {
	if f, ok := c.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return ec2token.TerminalPrompt(prompt)
	}
	return func() (string, error) {
		if c.isTerminal(c.stderr) {
			fmt.Fprint(c.stderr, prompt)
		}
		line, err := bufio.NewReader(io.LimitReader(c.stdin, 1024)).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("no MFA code on standard input")
		}
		return line, nil
	}
}
