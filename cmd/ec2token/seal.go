package main

import (
	"errors"
	"flag"

	"github.com/ec2token/ec2token"
)

// open opens sealed credentials with the --identity keys.
func (c *cli) open(text string, in *credsInput) (ec2token.Credentials, error) {
	return ec2token.Credentials{}, errors.New("the input is sealed, and this build cannot open sealed input")
}

// sealFlags are the flags of a subcommand that may seal its output.
type sealFlags struct {
	to listFlag
}

func (s *sealFlags) register(fs *flag.FlagSet) {
	fs.Var(&s.to, "seal-to", "seal the output to the age or SSH public key `RECIPIENT`, "+
		"or to every key in the file RECIPIENT (repeatable)")
}

// seal seals creds to the --seal-to recipients, armored.
func (c *cli) seal(creds ec2token.Credentials, s *sealFlags) ([]byte, error) {
	return nil, errors.New("this build cannot seal")
}
