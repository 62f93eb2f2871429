// Command ec2token mints temporary, limited AWS credentials with STS and
// puts them to work: it writes them in the formats the AWS tools read,
// serves them to the AWS CLI as a credential_process, and runs programs
// with them.
//
// Admin subcommands (federate, session) use the caller's default AWS
// configuration, read by the SDK: profiles, the AWS_* environment
// variables and AWS_ENDPOINT_URL all apply. User subcommands (inspect,
// export, credential-process, exec, console) need only the serialized
// credentials. Run "ec2token help" for the list and "ec2token help
// SUBCOMMAND" for the flags and examples of one.
//
// Errors are printed as one line on standard error. The exit status is 0
// on success, 2 for a usage error and 1 for any other failure; exec exits
// with the status of the command it ran.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// cli holds what a subcommand may touch, so that tests can replace it.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// environ returns the environment handed to the commands that exec
	// runs, as os.Environ does.
	environ func() []string
	// isTerminal reports whether w is a terminal, where secrets are not
	// printed without --show-secrets.
	isTerminal func(w io.Writer) bool
	// loadConfig loads the admin's AWS configuration.
	loadConfig func(ctx context.Context) (aws.Config, error)
	// readPassword asks a person for the passphrase of an SSH key.
	readPassword func(prompt string) ([]byte, error)
}

// run is the whole program but for the process: it returns the exit
// status. The SDK reads the AWS_* variables from the process environment
// itself, so run takes no environment of its own.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{
		stdin: stdin, stdout: stdout, stderr: stderr,
		environ:      os.Environ,
		isTerminal:   isTerminal,
		loadConfig:   loadAdminConfig,
		readPassword: readTerminalPassword,
	}
	return c.run(ctx, args)
}

func (c *cli) run(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	var exit exitError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &exit):
		if exit.err != nil {
			fmt.Fprintln(c.stderr, errorLine(exit.err))
		}
		return exit.code
	}
	fmt.Fprintln(c.stderr, errorLine(err))
	var usage *usageError
	if errors.As(err, &usage) {
		return 2
	}
	return 1
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, overview())
		return usageErrorf("no subcommand given")
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		return usageErrorf("unknown subcommand %q; run 'ec2token help' for the list", name)
	}
	return cmd.run(ctx, c, cmd, args[1:])
}

// errorLine turns err into the one line the program prints: one
// "ec2token: " prefix, no line breaks.
func errorLine(err error) string {
	msg := strings.ReplaceAll(err.Error(), "ec2token: ", "")
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
	return "ec2token: " + msg
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError sets the exit status, and prints err when it is not nil.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errHelp reports that help was printed on request.
var errHelp = errors.New("help requested")

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// loadAdminConfig loads the default AWS configuration, as every AWS tool
// does: environment variables, then the shared config and credentials
// files with the profile AWS_PROFILE names.
func loadAdminConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return cfg, nil
}
