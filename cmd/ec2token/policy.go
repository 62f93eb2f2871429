package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/ec2token/ec2token"
)

var policyCmd = &command{
	name:    "policy",
	usage:   "policy [flags]",
	summary: "print the policy document federate would send, or what is wrong with it",
	help: `
Policy is a dry run of the policy flags of federate: it builds the
document from --policy-file, then --allow, then --deny, checks it as
federate would (action names against the EC2 catalog, structure, size),
and prints it indented, or compacted as STS receives it with --compact.
It sends no request. When the document is invalid it prints what is
wrong and exits with status 1.`,
	examples: `
ec2token policy --allow DescribeImages,RunInstances --deny TerminateInstances
ec2token policy --policy-file build-policy.json --compact`,
	run: runPolicy,
}

// policyFlags build the session policy of federate.
type policyFlags struct {
	allow, deny listFlag
	file        string
}

func (p *policyFlags) register(fs *flag.FlagSet) {
	p.allow.split, p.deny.split = true, true
	fs.Var(&p.allow, "allow", "allow the comma-separated `ACTIONS`, such as DescribeImages,RunInstances (repeatable)")
	fs.Var(&p.deny, "deny", "deny the comma-separated `ACTIONS` (repeatable)")
	fs.StringVar(&p.file, "policy-file", "", "read the policy document from `FILE`, or - for standard input; "+
		"--allow and --deny add statements after its own")
}

// build returns the policy the flags describe, checked, or nil when they
// describe none.
func (p *policyFlags) build(c *cli) (*ec2token.Policy, error) {
	var policy *ec2token.Policy
	if p.file != "" {
		data, err := c.readInput(p.file)
		if err != nil {
			return nil, err
		}
		if policy, err = ec2token.ParsePolicy(string(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", inputName(p.file), err)
		}
	}
	if len(p.allow.values)+len(p.deny.values) > 0 && policy == nil {
		policy = ec2token.NewPolicy()
	}
	if len(p.allow.values) > 0 {
		policy.Allow(p.allow.values...)
	}
	if len(p.deny.values) > 0 {
		policy.Deny(p.deny.values...)
	}
	if policy == nil {
		return nil, nil
	}
	return policy, policy.Validate()
}

func runPolicy(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		p       policyFlags
		compact bool
	)
	p.register(fs)
	fs.BoolVar(&compact, "compact", false, "print the document without white space, as STS receives it")
	if _, err := c.parseArgs(cmd, fs, args, 0, 0); err != nil {
		return err
	}
	policy, err := p.build(c)
	if err != nil {
		return err
	}
	if policy == nil {
		return usageErrorf("policy: give --allow, --deny or --policy-file")
	}

	var b bytes.Buffer
	if compact {
		err = json.Compact(&b, []byte(policy.String()))
	} else {
		err = json.Indent(&b, []byte(policy.String()), "", "  ")
	}
	if err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err = c.stdout.Write(b.Bytes())
	return err
}
