package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ec2token/ec2token"
)

// formatNames lists the names --format takes, in the order help shows them.
const formatNames = "native, env, json (credential-process), imds or perl"

// parseFormatFlag reads a --format value: a name [ec2token.ParseFormat]
// knows, with dashes for underscores, or "json" for credential_process.
func parseFormatFlag(name string) (ec2token.Format, error) {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if n == "json" {
		n = "credential_process"
	}
	f, err := ec2token.ParseFormat(n)
	if err != nil {
		return 0, usageErrorf("unknown --format; the formats are %s", formatNames)
	}
	return f, nil
}

// encode writes creds in format f, ending with a line break.
func encode(creds ec2token.Credentials, f ec2token.Format) ([]byte, error) {
	data, err := creds.Marshal(f)
	if err != nil {
		return nil, err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	return data, nil
}

// credsInput is where a subcommand reads credentials from.
type credsInput struct {
	identity listFlag
	noPrompt bool // never ask for a passphrase
}

func (in *credsInput) register(fs *flag.FlagSet) {
	fs.Var(&in.identity, "identity",
		"open sealed input with the age identities or SSH private key in `KEYFILE` (repeatable)")
}

// credentials is what load read.
type credentials struct {
	ec2token.Credentials
	format string // the format's name, or "sealed"
	source string // the file name, or "standard input"
}

// load reads credentials in any format from name, or standard input for
// "-", opening sealed input with the --identity keys.
func (c *cli) load(name string, in *credsInput) (*credentials, error) {
	data, err := c.readInput(name)
	if err != nil {
		return nil, err
	}
	out := &credentials{source: inputName(name)}
	text := string(data)
	f, err := ec2token.DetectFormat(text)
	switch {
	case errors.Is(err, ec2token.ErrSealed):
		out.format = "sealed"
		if out.Credentials, err = c.open(text, in, out.source); err != nil {
			return nil, err
		}
		return out, nil
	case err == nil:
		out.format = f.String()
		out.Credentials, err = ec2token.ParseCredentials(text)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out.source, err)
	}
	return out, nil
}

// loadUsable is load, refusing expired credentials: ec2token never hands
// them out.
func (c *cli) loadUsable(name string, in *credsInput) (*credentials, error) {
	creds, err := c.load(name, in)
	if err != nil {
		return nil, err
	}
	if !creds.Expired() {
		return creds, nil
	}
	at := creds.Expiration.UTC().Format(time.RFC3339)
	if left := time.Until(creds.Expiration).Round(time.Second); left > 0 {
		return nil, fmt.Errorf("the credentials in %s expire at %s, in %s, inside the %s "+
			"safety margin; mint new ones", creds.source, at, left, ec2token.ExpiryMargin)
	}
	return nil, fmt.Errorf("the credentials in %s expired at %s, %s ago; mint new ones",
		creds.source, at, time.Since(creds.Expiration).Round(time.Second))
}
