package ec2token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrNotFederated is returned, possibly wrapped, by [Token.ConsoleURL] for
// a token without a federated user, such as one from [GetSessionToken]:
// AWS signs only federated users and role sessions in to the console.
var ErrNotFederated = errors.New("ec2token: console sign-in needs a token from GetFederationToken; " +
	"AWS refuses session tokens")

// ConsoleOptions tunes [Token.ConsoleURL]. Every field is checked before
// any request; a bad value is rejected with an [*InputError].
type ConsoleOptions struct {
	// Destination is the absolute http or https URL of the console page
	// that the sign-in URL opens. Empty means the partition's console
	// home: https://console.aws.amazon.com/ for "aws",
	// https://console.amazonaws.cn/ for "aws-cn" and
	// https://console.amazonaws-us-gov.com/ for "aws-us-gov", or that
	// region's home page when Region is set.
	Destination string
	// Issuer is the URL of your own sign-in page. The console sends the
	// user there when the session ends. Empty sends no Issuer.
	Issuer string
	// Partition is the AWS partition: "aws", "aws-cn" or "aws-us-gov".
	// Empty means the partition of Region when it is set, else the one in
	// the federated user's ARN, else "aws". It chooses the federation
	// endpoint, https://signin.aws.amazon.com/federation,
	// https://signin.amazonaws.cn/federation or
	// https://signin.amazonaws-us-gov.com/federation, and the default
	// Destination.
	Partition string
	// Region, as in "eu-west-1", makes the default Destination that
	// region's console home. Empty means the console's own choice.
	Region string
	// Endpoint is the absolute http or https URL of the federation
	// endpoint, overriding the partition's; a test server's, for example.
	// Empty means the partition's endpoint.
	Endpoint string
	// HTTPClient sends the getSigninToken request. Nil means a client with
	// a 30-second timeout that does not follow redirects. A client given
	// here should not follow redirects either, and must not log request
	// URLs: the request carries the token's secret keys.
	HTTPClient *http.Client
}

// partitionURLs holds each partition's federation endpoint and console.
var partitionURLs = map[string]struct{ signin, console string }{
	"aws":        {"https://signin.aws.amazon.com/federation", "console.aws.amazon.com"},
	"aws-cn":     {"https://signin.amazonaws.cn/federation", "console.amazonaws.cn"},
	"aws-us-gov": {"https://signin.amazonaws-us-gov.com/federation", "console.amazonaws-us-gov.com"},
}

var defaultConsoleClient = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// maxSigninResponse is the most of the getSigninToken answer that is read,
// in bytes. The token is about a kilobyte.
const maxSigninResponse = 64 << 10

// ConsoleURL returns a URL that signs the token's federated user in to the
// AWS Management Console, following the custom identity broker steps that
// AWS documents. It asks the federation endpoint for a signin token, in
// one GET request that carries the token's keys, and builds the login URL
// around it; the login URL itself is returned, not fetched. It sends no
// SessionDuration, which AWS rejects for federation tokens: the console
// session lasts as long as the token.
//
// The URL is a secret: anyone who opens it acts as the user. Do not log
// it. It can be used once, within 15 minutes.
//
// ConsoleURL returns [ErrNotFederated] for a token without a federated
// user, an error wrapping [ErrExpired] for an expired token, and an
// [*InputError] for a bad option, all without a request. A failed request
// comes back as an error that wraps the transport's error, ctx.Err() when
// ctx ends first, or reports the HTTP status of a refusal; no error holds
// the request URL, the answer's body or the signin token.
func (t *Token) ConsoleURL(ctx context.Context, optFns ...func(*ConsoleOptions)) (string, error) {
	if t == nil {
		return "", fmt.Errorf("ec2token: ConsoleURL called on a nil Token")
	}
	if t.FederatedUser == nil {
		return "", ErrNotFederated
	}
	if _, err := t.Credentials.Retrieve(ctx); err != nil {
		return "", err
	}
	var opts ConsoleOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	endpoint, dest, err := consoleTargets(&opts, t.FederatedUser.ARN)
	if err != nil {
		return "", err
	}

	signin, err := getSigninToken(ctx, &opts, endpoint, t.Credentials)
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"login"}, "Destination": {dest}, "SigninToken": {signin}}
	if opts.Issuer != "" {
		q.Set("Issuer", opts.Issuer)
	}
	u := *endpoint
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// consoleTargets returns the federation endpoint and the destination that
// opts and the federated user's ARN call for.
func consoleTargets(opts *ConsoleOptions, userARN string) (*url.URL, string, error) {
	part := opts.Partition
	switch {
	case part != "":
	case strings.HasPrefix(opts.Region, "cn-"):
		part = "aws-cn"
	case strings.HasPrefix(opts.Region, "us-gov-"):
		part = "aws-us-gov"
	case opts.Region != "":
		part = "aws"
	default:
		part = "aws"
		if fields := strings.SplitN(userARN, ":", 3); len(fields) == 3 && fields[0] == "arn" {
			part = fields[1]
		}
	}
	urls, ok := partitionURLs[part]
	if !ok {
		field := "Partition"
		if opts.Partition == "" {
			field = "FederatedUser.ARN"
		}
		return nil, "", inputErrorf(field, "must name the partition aws, aws-cn or aws-us-gov")
	}
	if opts.Region != "" && !isWordOr(opts.Region, 1, 32, "-") {
		return nil, "", inputErrorf("Region", "must be a region name such as eu-west-1")
	}

	rawEndpoint := urls.signin
	if opts.Endpoint != "" {
		rawEndpoint = opts.Endpoint
	}
	endpoint, err := url.Parse(rawEndpoint)
	if err != nil || !isWebURL(endpoint) {
		return nil, "", inputErrorf("Endpoint", "must be an absolute http or https URL")
	}
	dest := opts.Destination
	switch {
	case dest != "":
		if u, err := url.Parse(dest); err != nil || !isWebURL(u) {
			return nil, "", inputErrorf("Destination", "must be an absolute http or https URL")
		}
	case opts.Region != "":
		dest = "https://" + opts.Region + "." + urls.console + "/console/home?region=" + opts.Region
	default:
		dest = "https://" + urls.console + "/"
	}
	return endpoint, dest, nil
}

func isWebURL(u *url.URL) bool {
	return (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// getSigninToken asks the federation endpoint for a signin token for c.
func getSigninToken(ctx context.Context, opts *ConsoleOptions, endpoint *url.URL,
	c Credentials) (string, error) {
	session, err := json.Marshal(struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}{c.AccessKeyID, c.SecretAccessKey, c.SessionToken})
	if err != nil {
		return "", fmt.Errorf("ec2token: encoding the console session: %w", err)
	}
	u := *endpoint
	u.RawQuery = url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("ec2token: building the getSigninToken request: %w", redactURLError(err, endpoint))
	}
	client := opts.HTTPClient
	if client == nil {
		client = defaultConsoleClient
	}

	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("ec2token: getSigninToken: %w", redactURLError(err, endpoint))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The body is not reported: an endpoint may echo the request.
		return "", fmt.Errorf("ec2token: getSigninToken: the federation endpoint answered HTTP %d",
			resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninResponse))
	if err != nil {
		return "", fmt.Errorf("ec2token: getSigninToken: reading the answer: %w", redactURLError(err, endpoint))
	}
	return parseSigninResponse(body)
}

// parseSigninResponse returns the SigninToken of a getSigninToken answer.
func parseSigninResponse(body []byte) (string, error) {
	var out struct {
		SigninToken string
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("ec2token: getSigninToken: the answer is not a JSON object")
	}
	if out.SigninToken == "" {
		return "", fmt.Errorf("ec2token: getSigninToken: the answer holds no SigninToken")
	}
	return out.SigninToken, nil
}

// redactURLError replaces the URL in a [*url.Error], which holds the
// request's secrets, with the endpoint's, which holds none.
func redactURLError(err error, endpoint *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u := *endpoint
		u.RawQuery = ""
		return &url.Error{Op: ue.Op, URL: u.Redacted(), Err: ue.Err}
	}
	return err
}
