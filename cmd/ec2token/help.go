package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// command is one subcommand.
type command struct {
	name     string
	usage    string // the synopsis after "ec2token "
	summary  string // one line for the overview
	help     string // what it does, in paragraphs
	examples string // shell lines, one example a line
	run      func(ctx context.Context, c *cli, cmd *command, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		federateCmd, sessionCmd, policyCmd, inspectCmd, exportCmd,
		credentialProcessCmd, execCmd, consoleCmd, versionCmd, helpCmd,
	}
}

func lookup(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

func overview() string {
	var b strings.Builder
	b.WriteString("ec2token mints temporary AWS credentials with STS and puts them to work.\n\n" +
		"Usage: ec2token SUBCOMMAND [flags] [arguments]\n\nSubcommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "  %-20s %s\n", cmd.name, cmd.summary)
	}
	b.WriteString("\nRun 'ec2token help SUBCOMMAND' for its flags and examples.\n" +
		"Durations take Go syntax: 90m, 3h, 1h30m. FILE may be - for standard input.\n")
	return b.String()
}

// printHelp writes the usage, description, flags and examples of cmd.
func (cmd *command) printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: ec2token %s\n\n%s\n", cmd.usage, strings.TrimSpace(cmd.help))
	if fs != nil {
		var flags strings.Builder
		fs.SetOutput(&flags)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		if flags.Len() > 0 {
			// Show the long form that the examples use; one dash works too.
			text := strings.ReplaceAll("\n"+flags.String(), "\n  -", "\n  --")
			text = strings.ReplaceAll(text, "\n  --o ", "\n  -o ")
			fmt.Fprintf(w, "\nFlags:%s", text)
		}
	}
	if cmd.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, line := range strings.Split(strings.TrimSpace(cmd.examples), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

var helpCmd = &command{
	name:     "help",
	usage:    "help [SUBCOMMAND]",
	summary:  "show the subcommands, or the flags and examples of one",
	help:     "Help lists the subcommands, or shows the flags and examples of one.",
	examples: "ec2token help\nec2token help federate",
	run:      runHelp,
}

func runHelp(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	pos, err := c.parseArgs(cmd, fs, args, 0, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprint(c.stdout, overview())
		return nil
	}
	sub := lookup(pos[0])
	if sub == nil {
		return usageErrorf("help: unknown subcommand %q; run 'ec2token help' for the list", pos[0])
	}
	return sub.run(ctx, c, sub, []string{"-h"})
}

var versionCmd = &command{
	name:     "version",
	usage:    "version",
	summary:  "print the version of ec2token and of Go",
	help:     "Version prints the module version ec2token was built from and the Go version.",
	examples: "ec2token version",
	run:      runVersion,
}

func runVersion(ctx context.Context, c *cli, cmd *command, args []string) error {
	if _, err := c.parseArgs(cmd, newFlags(cmd), args, 0, 0); err != nil {
		return err
	}
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	_, err := fmt.Fprintf(c.stdout, "ec2token %s %s %s/%s\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
