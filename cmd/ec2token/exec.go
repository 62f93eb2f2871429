package main

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

var execCmd = &command{
	name:    "exec",
	usage:   "exec [flags] FILE -- COMMAND [ARGUMENT...]",
	summary: "run a command with the credentials in its environment",
	help: `
Exec runs COMMAND with the credentials in FILE (or standard input for -)
in the environment variables every AWS tool reads: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION.
Any credentials or profile already in the environment (AWS_PROFILE,
AWS_DEFAULT_PROFILE, AWS_SECURITY_TOKEN) are removed, so the command
cannot fall back on them. The region, endpoint and other settings stay.

Sealed files are opened with --identity. Expired credentials are refused.
Exec exits with the command's exit status, 128 plus the signal number when
a signal ended it, or 127 when it could not be started.`,
	examples: `
ec2token exec alice.token -- aws ec2 describe-images --owners self
ec2token exec --identity key.txt alice.age -- terraform plan`,
	run: runExec,
}

// replacedEnv are the variables exec removes from the command's
// environment before it adds the credentials.
var replacedEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
}

func runExec(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var in credsInput
	in.register(fs)
	dash := slices.Index(args, "--")
	if dash < 0 {
		if slices.ContainsFunc(args, isHelpFlag) {
			dash = len(args)
		} else {
			return usageErrorf("exec: missing -- before the command; usage: ec2token %s", cmd.usage)
		}
	}
	pos, err := c.parseArgs(cmd, fs, args[:dash], 1, 1)
	if err != nil {
		return err
	}
	argv := args[dash+1:]
	if len(argv) == 0 {
		return usageErrorf("exec: no command after --; usage: ec2token %s", cmd.usage)
	}
	creds, err := c.loadUsable(pos[0], &in)
	if err != nil {
		return err
	}

	env := slices.DeleteFunc(c.environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(replacedEnv, name)
	})
	env = append(env, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey)
	if creds.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+creds.SessionToken)
	}
	if !creds.Expiration.IsZero() {
		env = append(env, "AWS_CREDENTIAL_EXPIRATION="+creds.Expiration.UTC().Format(time.RFC3339))
	}

	child := exec.CommandContext(ctx, argv[0], argv[1:]...)
	child.Env = env
	child.Stdin, child.Stdout, child.Stderr = c.stdin, c.stdout, c.stderr
	// On an interrupt the command gets SIGTERM and a moment to finish.
	child.Cancel = func() error { return child.Process.Signal(syscall.SIGTERM) }
	child.WaitDelay = 10 * time.Second
	err = child.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitError{code: 128 + int(ws.Signal())}
		}
		return exitError{code: exitErr.ExitCode()}
	case err != nil:
		return exitError{code: 127, err: err}
	}
	return nil
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "--h" || arg == "-help" || arg == "--help"
}
