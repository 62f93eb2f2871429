package main

import (
	"context"
	"flag"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ec2token/ec2token"
)

var federateCmd = &command{
	name:    "federate",
	usage:   "federate NAME [flags]",
	summary: "mint a federation token for a temporary user limited by a policy",
	help: `
Federate asks STS for a federation token (GetFederationToken) for a
temporary user called NAME, limited by a policy, with the caller's default
AWS configuration: AWS_PROFILE and the shared config files, the AWS_*
environment variables and AWS_ENDPOINT_URL all apply. The caller must use
the long-term keys of an IAM user.

It writes the credentials serialized in --format, or sealed to each
--seal-to recipient, to standard output or to the -o file. A policy is
required: --allow, --deny, --policy-file or --policy-arn. Actions without
a service prefix are EC2 actions. Unsealed credentials are not printed to a
terminal without --show-secrets; sealed ones are.`,
	examples: `
ec2token federate alice --allow DescribeImages,DescribeInstances --duration 3h -o alice.token
ec2token federate build --policy-file build-policy.json --tag team=ci > build.token
ec2token federate bob --policy-arn arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess --seal-to bob.pub > bob.age
AWS_PROFILE=admin ec2token federate carol --allow 'Describe*' --format env -o carol.env`,
	run: runFederate,
}

// mintFlags are the flags federate and session share.
type mintFlags struct {
	duration   time.Duration
	format     string
	seal       sealFlags
	out        outputFlags
	recipients []age.Recipient // parsed by prepare
}

func (m *mintFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&m.duration, "duration", 0,
		"lifetime of the token, from 15m to 36h; 0 asks for the STS default of 12h")
	fs.StringVar(&m.format, "format", "native", "write the credentials in `FORMAT`: "+formatNames)
	m.seal.register(fs)
	m.out.register(fs)
}

// prepare checks the output flags and reads the recipients before any
// request.
func (m *mintFlags) prepare(c *cli, fs *flag.FlagSet) (ec2token.Format, error) {
	f, err := parseFormatFlag(m.format)
	if err != nil {
		return 0, err
	}
	sealing := len(m.seal.to.values) > 0
	if sealing && isSet(fs, "format") {
		return 0, usageErrorf("--format and --seal-to do not go together: sealed output holds the native format")
	}
	if err := c.checkOutput(&m.out, !sealing); err != nil {
		return 0, err
	}
	if m.recipients, err = m.seal.recipients(c); err != nil {
		return 0, err
	}
	return f, nil
}

// emit writes the minted credentials.
func (m *mintFlags) emit(c *cli, creds ec2token.Credentials, f ec2token.Format) error {
	if len(m.recipients) > 0 {
		data, err := seal(creds, m.recipients)
		if err != nil {
			return err
		}
		return c.write(&m.out, data, false)
	}
	data, err := encode(creds, f)
	if err != nil {
		return err
	}
	return c.write(&m.out, data, true)
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func runFederate(ctx context.Context, c *cli, cmd *command, args []string) error {
	fs := newFlags(cmd)
	var (
		m    mintFlags
		pol  policyFlags
		arns listFlag
		tags = tagFlag{}
	)
	pol.register(fs)
	fs.Var(&arns, "policy-arn", "also limit the user by the managed policy `ARN` (repeatable, up to 10)")
	fs.Var(tags, "tag", "pass the session tag `KEY=VALUE` (repeatable, up to 50)")
	m.register(fs)
	pos, err := c.parseArgs(cmd, fs, args, 1, 1)
	if err != nil {
		return err
	}
	policy, err := pol.build(c)
	if err != nil {
		return err
	}
	if policy == nil && len(arns.values) == 0 {
		return usageErrorf("federate: give a policy with --allow, --deny, --policy-file or --policy-arn; " +
			"without one the user may do nothing")
	}
	f, err := m.prepare(c, fs)
	if err != nil {
		return err
	}

	cfg, err := c.loadConfig(ctx)
	if err != nil {
		return err
	}
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(cfg), pos[0],
		func(o *ec2token.FederationOptions) {
			o.Duration = m.duration
			o.Policy = policy
			o.PolicyARNs = arns.values
			o.Tags = tags
		})
	if err != nil {
		return err
	}
	return m.emit(c, tok.Credentials, f)
}
