package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"filippo.io/age"
	"github.com/ec2token/ec2token"
	"golang.org/x/term"
)

// sealFlags are the flags of a subcommand that may seal its output.
type sealFlags struct {
	to listFlag
}

func (s *sealFlags) register(fs *flag.FlagSet) {
	fs.Var(&s.to, "seal-to", "seal the output to the age or SSH public key `RECIPIENT`, "+
		"or to every key in the file RECIPIENT (repeatable)")
}

// recipients parses the --seal-to values: a file of keys when one of that
// name exists, a key otherwise.
func (s *sealFlags) recipients(c *cli) ([]age.Recipient, error) {
	var all []age.Recipient
	for _, v := range s.to.values {
		if info, err := os.Stat(v); err == nil && !info.IsDir() {
			data, err := c.readInput(v)
			if err != nil {
				return nil, err
			}
			rs, err := ec2token.ParseRecipients(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("--seal-to %s: %w", v, err)
			}
			all = append(all, rs...)
			continue
		}
		r, err := ec2token.ParseRecipient(v)
		if err != nil {
			return nil, fmt.Errorf("--seal-to: not a public key nor a file of them: %w", err)
		}
		all = append(all, r)
	}
	return all, nil
}

// seal seals creds to the recipients; the armored text ends with a line
// break.
func seal(creds ec2token.Credentials, recipients []age.Recipient) ([]byte, error) {
	s, err := creds.Seal(recipients...)
	if err != nil {
		return nil, err
	}
	return []byte(strings.TrimRight(s, "\n") + "\n"), nil
}

// identities reads the --identity key files: age identity files, or SSH
// private keys, asking for the passphrase of a protected one on the
// terminal unless noPrompt is set.
func (c *cli) identities(in *credsInput) ([]age.Identity, error) {
	var all []age.Identity
	for _, name := range in.identity.values {
		data, err := c.readInput(name)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(data, []byte("AGE-SECRET-KEY-")) {
			ids, err := ec2token.ParseIdentities(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("--identity %s: %w", name, err)
			}
			all = append(all, ids...)
			continue
		}
		ask := func() ([]byte, error) {
			if in.noPrompt {
				return nil, errors.New("the key is protected by a passphrase, and this subcommand cannot ask for one")
			}
			return c.readPassword("Passphrase for " + name + ": ")
		}
		id, err := ec2token.ParseSSHIdentity(data, ask)
		if err != nil {
			return nil, fmt.Errorf("--identity %s: %w", name, err)
		}
		all = append(all, id)
	}
	return all, nil
}

// open opens sealed credentials read from source with the --identity
// keys. Expired credentials are returned without error, for the caller to
// judge.
func (c *cli) open(text string, in *credsInput, source string) (ec2token.Credentials, error) {
	if len(in.identity.values) == 0 {
		return ec2token.Credentials{}, fmt.Errorf("%s is sealed; give --identity KEYFILE to open it", source)
	}
	ids, err := c.identities(in)
	if err != nil {
		return ec2token.Credentials{}, err
	}
	creds, err := ec2token.OpenSealed(text, ids...)
	switch {
	case errors.Is(err, ec2token.ErrExpired) && creds.AccessKeyID != "":
		return creds, nil
	case err != nil:
		return creds, fmt.Errorf("%s: %w", source, err)
	}
	return creds, nil
}

// readTerminalPassword asks for a passphrase on the controlling terminal,
// without echo, so that it works when standard input and output are
// redirected.
func readTerminalPassword(prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errors.New("no terminal to ask for the passphrase")
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	pass, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	return pass, err
}
