package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// listFlag is a flag that may be given more than once; each value may also
// hold several items separated by commas when split is set.
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(v string) error {
	items := []string{v}
	if l.split {
		items = strings.Split(v, ",")
	}
	for _, it := range items {
		if it = strings.TrimSpace(it); it == "" {
			return errors.New("empty value")
		}
		l.values = append(l.values, it)
	}
	return nil
}

// tagFlag collects --tag KEY=VALUE flags.
type tagFlag map[string]string

func (t tagFlag) String() string { return fmt.Sprintf("%d tags", len(t)) }

func (t tagFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	switch {
	case !ok || k == "":
		return errors.New("want KEY=VALUE")
	}
	if _, dup := t[k]; dup {
		return errors.New("tag key given twice")
	}
	t[k] = val
	return nil
}

// newFlags returns a flag set for cmd that reports errors instead of
// printing them.
func newFlags(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, allowing flags before, between and after
// the positional arguments, and checks that there are between min and max
// of those (max < 0: no limit). "--" ends the flags. With -h it prints the
// command's help to stdout and returns errHelp.
func (c *cli) parseArgs(cmd *command, fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				cmd.printHelp(c.stdout, fs)
				return nil, errHelp
			}
			return nil, usageErrorf("%s: %v; run 'ec2token help %s'", cmd.name, err, cmd.name)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < min:
		return nil, usageErrorf("%s: missing argument; usage: ec2token %s", cmd.name, cmd.usage)
	case max >= 0 && len(pos) > max:
		return nil, usageErrorf("%s: too many arguments; usage: ec2token %s", cmd.name, cmd.usage)
	}
	return pos, nil
}
