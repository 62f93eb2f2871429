package main

import (
	"context"
	"errors"
)

var consoleCmd = &command{
	name:    "console",
	usage:   "console [flags] FILE",
	summary: "print the AWS console sign-in URL for a federation token",
	help: `
Console prints a URL that signs the federated user of the token in FILE
in to the AWS Management Console. The URL is a secret: it is not printed
to a terminal without --show-secrets.`,
	examples: `
ec2token console --show-secrets alice.token`,
	run: runConsole,
}

func runConsole(ctx context.Context, c *cli, cmd *command, args []string) error {
	if _, err := c.parseArgs(cmd, newFlags(cmd), args, 1, 1); err != nil {
		return err
	}
	return errors.New("console: this build cannot make console URLs")
}
