package ec2token

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// DefaultRegion is the region the EC2 clients use when none is configured
// anywhere, as the Perl module did.
const DefaultRegion = "us-east-1"

// NewEC2 returns an EC2 client that signs every request with c. It loads
// the default configuration (region, endpoint, retries and the rest from
// the environment and the shared config files) through
// [config.LoadDefaultConfig], passing optFns on, but always uses c as the
// credentials, whatever the configuration says. When no region is
// configured it uses [DefaultRegion].
//
// NewEC2 sends no request. Calls made with the client fail with an error
// wrapping [ErrExpired] once c has expired.
func (c Credentials) NewEC2(ctx context.Context, optFns ...func(*config.LoadOptions) error) (*ec2.Client, error) {
	cfg, err := c.loadConfig(ctx, optFns)
	if err != nil {
		return nil, err
	}
	return ec2.NewFromConfig(cfg), nil
}

// NewEC2FromConfig returns an EC2 client built from cfg with c as its
// credentials. It reads no file and sends no request, so it suits services
// that build many clients from one loaded configuration. optFns run before
// the credentials are set, so they cannot replace them.
func (c Credentials) NewEC2FromConfig(cfg aws.Config, optFns ...func(*ec2.Options)) *ec2.Client {
	return ec2.NewFromConfig(cfg, append(optFns[:len(optFns):len(optFns)], c.setEC2Credentials)...)
}

func (c Credentials) setEC2Credentials(o *ec2.Options) { o.Credentials = c }

// Config returns the default AWS configuration with c as its credentials,
// for building a client of any AWS service, as in s3.NewFromConfig. It
// behaves like [Credentials.NewEC2]: optFns pass through to
// [config.LoadDefaultConfig], c always wins and the region falls back to
// [DefaultRegion].
func (c Credentials) Config(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	return c.loadConfig(ctx, optFns)
}

func (c Credentials) loadConfig(ctx context.Context, optFns []func(*config.LoadOptions) error) (aws.Config, error) {
	opts := append(optFns[:len(optFns):len(optFns)], config.WithCredentialsProvider(c))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("ec2token: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return cfg, nil
}

// NewEC2 returns an EC2 client authorized by the token's credentials; see
// [Credentials.NewEC2].
func (t *Token) NewEC2(ctx context.Context, optFns ...func(*config.LoadOptions) error) (*ec2.Client, error) {
	return t.Credentials.NewEC2(ctx, optFns...)
}

// Config returns the default AWS configuration authorized by the token's
// credentials; see [Credentials.Config].
func (t *Token) Config(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	return t.Credentials.Config(ctx, optFns...)
}

// NewEC2 parses serialized credentials, in any format [ParseCredentials]
// reads, and returns an EC2 client authorized by them; see
// [Credentials.NewEC2]. It is the user's one-liner. It sends no request and
// returns the parse error, which never quotes the input, when the string
// cannot be read.
func NewEC2(ctx context.Context, serialized string, optFns ...func(*config.LoadOptions) error) (*ec2.Client, error) {
	c, err := ParseCredentials(serialized)
	if err != nil {
		return nil, err
	}
	return c.NewEC2(ctx, optFns...)
}
