// Command quickstart tells the story of ec2token from both sides: an admin
// mints a limited federation token and serializes it; a user parses the
// string, lists images and is refused an action the policy does not allow.
//
// By default it runs offline against ststest, a local STS and EC2 endpoint
// started in the same process. With -aws it runs against real AWS with the
// default configuration (profiles, environment, shared files); the admin's
// credentials must then be the long-term keys of an IAM user.
//
// No secret is printed. The last lines count the requests each side sent:
// one to mint, and one per EC2 call.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/ec2token/ec2token"
	"github.com/ec2token/ec2token/ststest"
)

func main() {
	useAWS := flag.Bool("aws", false, "run against real AWS with the default configuration instead of a local endpoint")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := run(ctx, os.Stdout, *useAWS); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// story is what a run did, for the tests.
type story struct {
	serialized   string
	adminCalls   atomic.Int64
	userCalls    atomic.Int64
	deniedAction string
}

// run tells the story on w, against a local ststest server unless useAWS.
func run(ctx context.Context, w io.Writer, useAWS bool) (*story, error) {
	var (
		adminCfg aws.Config
		userOpts []func(*config.LoadOptions) error
		err      error
	)
	if useAWS {
		if adminCfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("load the AWS configuration: %w", err)
		}
	} else {
		srv := ststest.NewServer()
		defer srv.Close()
		fmt.Fprintf(w, "Started a local STS and EC2 endpoint at %s.\n\n", srv.URL)
		adminCfg = srv.Config()
		userOpts = []func(*config.LoadOptions) error{
			config.WithBaseEndpoint(srv.URL), config.WithRegion(ststest.DefaultRegion),
			config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil),
		}
	}
	st := &story{}
	adminCfg.APIOptions = append(adminCfg.APIOptions, counting(&st.adminCalls))
	userOpts = append(userOpts, config.WithAPIOptions([]func(*middleware.Stack) error{counting(&st.userCalls)}))

	fmt.Fprintln(w, "1. The admin mints a federation token for TemporaryUser.")
	policy := ec2token.NewPolicy().Allow("DescribeImages", "RunInstances")
	tok, err := ec2token.GetFederationToken(ctx, sts.NewFromConfig(adminCfg), "TemporaryUser",
		func(o *ec2token.FederationOptions) {
			o.Duration = 3 * time.Hour
			o.Policy = policy
		})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "   policy:           %s\n", policy)
	fmt.Fprintf(w, "   federated user:   %s\n", tok.FederatedUser)
	if tok.PackedPolicySize != nil {
		fmt.Fprintf(w, "   packed size:      %d%% of what STS allows\n", *tok.PackedPolicySize)
	}
	fmt.Fprintf(w, "   token:            %v\n\n", tok)

	fmt.Fprintln(w, "2. The admin serializes the credentials and sends them to the user.")
	st.serialized = tok.Credentials.Serialize()
	fmt.Fprintf(w, "   serialized:       %s<%d more characters, withheld here>\n\n",
		st.serialized[:len("ec2token.v1.")], len(st.serialized)-len("ec2token.v1."))

	fmt.Fprintln(w, "3. The user parses the string, builds an EC2 client and lists the images it owns.")
	client, err := ec2token.NewEC2(ctx, st.serialized, userOpts...)
	if err != nil {
		return nil, err
	}
	images, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "   %d image(s) owned by self:\n", len(images.Images))
	for _, im := range images.Images {
		fmt.Fprintf(w, "     %s  %s\n", aws.ToString(im.ImageId), aws.ToString(im.Name))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "4. The user tries DescribeInstances, which the policy does not allow.")
	_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return nil, fmt.Errorf("DescribeInstances should have been refused, got %v", err)
	}
	st.deniedAction = "DescribeInstances"
	fmt.Fprintf(w, "   refused: %s: %s\n\n", apiErr.ErrorCode(), apiErr.ErrorMessage())

	fmt.Fprintf(w, "Requests sent: admin %d (GetFederationToken), user %d (DescribeImages, DescribeInstances).\n",
		st.adminCalls.Load(), st.userCalls.Load())
	return st, nil
}

// counting returns an SDK stack option that adds one to n for every
// attempt the client sends, retries included.
func counting(n *atomic.Int64) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("CountRequests",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
				middleware.FinalizeOutput, middleware.Metadata, error) {
				n.Add(1)
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
