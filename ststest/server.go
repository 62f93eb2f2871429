package ststest

import (
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Defaults of a [Server] whose fields are left zero.
const (
	// DefaultAccountID is the account that owns the root user, the
	// federated users and the seeded images.
	DefaultAccountID = "123456789012"
	// DefaultRegion is the region of [Server.Config].
	DefaultRegion = "us-east-1"
	// DefaultUserName is the name of the IAM user whose keys
	// [Server.RootCredentials] returns.
	DefaultUserName = "ststest-admin"
)

// Server is a local STS and EC2 endpoint.
//
// It answers STS GetFederationToken, GetSessionToken and GetCallerIdentity;
// EC2 DescribeImages, DescribeInstances, RunInstances, TerminateInstances
// and DescribeRegions; and the console federation endpoint at URL +
// "/federation" (getSigninToken and login). Requests are routed by the
// service named in the credential scope of their signature.
//
// Create one with [NewServer], or with [NewUnstartedServer], set fields,
// then call [Server.Start]. Call [Server.Close] when done. Fields must not
// be changed after Start; the methods are safe for concurrent use.
//
// Policies: a federated user may do what its session policy and managed
// policy ARNs allow, within UserPolicy; with none of them it may do
// nothing, as AWS documents. Session-token callers act with the root
// user's rights. A Deny in any policy wins; actions match
// case-insensitively and resources case-sensitively, both with the
// wildcards * and ?. Statements may use NotAction and NotResource, and
// conditions with the operators StringEquals, StringNotEquals,
// StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
// StringNotLike, IpAddress, NotIpAddress and Bool, each also with the
// IfExists suffix, on the keys aws:SourceIp (the client's loopback
// address), aws:RequestedRegion and ec2:Region (the region of the
// signature), aws:MultiFactorAuthPresent ("true" or "false" for temporary
// credentials, absent for the root keys) and aws:PrincipalType ("User" or
// "FederatedUser"). Any other operator makes a policy malformed; other keys
// are absent.
//
// Clocks: the request time of a signature (X-Amz-Date) is checked against
// the wall clock, with 15 minutes of tolerance as AWS allows, because
// clients sign with the wall clock. Everything about credential lifetimes
// (expiration of issued credentials, MFA codes, signin tokens) uses the
// server's clock, which starts as the wall clock and can be moved with
// [Server.SetClock] and [Server.Advance], so tests can expire credentials
// without sleeping.
type Server struct {
	// URL is the base URL of the server, of the form
	// "http://127.0.0.1:port", with no trailing slash. It is set by Start.
	URL string

	// AccountID is the 12-digit account the server plays. The zero value
	// means [DefaultAccountID].
	AccountID string

	// UserName is the name of the IAM user that owns the root credentials.
	// The zero value means [DefaultUserName].
	UserName string

	// UserPolicy is an IAM policy document attached to the root user. It
	// limits the EC2 calls of the root user, of its session-token callers
	// and, on top of their own policies, of its federated users. The zero
	// value means the root user may do everything. Start panics if the
	// document is not one the server can evaluate.
	UserPolicy string

	// Images are the machine images DescribeImages lists, all owned by
	// AccountID. A nil slice means [DefaultImages]; an empty non-nil slice
	// means no image at all. RunInstances accepts only these image IDs.
	Images []Image

	// ErrorLog receives the errors of the underlying HTTP server, such as
	// a panic in a handler or a broken connection. The zero value discards
	// them: the server logs nothing by default.
	ErrorLog *log.Logger

	srv        *httptest.Server
	rootKeyID  string
	rootSecret string
	transport  *http.Transport
	userPolicy *policyDoc

	mu      sync.Mutex
	started bool
	closed  chan struct{}
	clock   func() time.Time
	offset  time.Duration
	counts  map[string]int
	faults  map[string][]Fault
	mfa     map[string]func(code string, now time.Time) bool
	managed map[string]*policyDoc
	keys    map[string]*identity
	signins map[string]signin
	ec2     ec2State
}

// NewServer starts and returns a new [Server] with default settings. The
// caller should call [Server.Close] when finished, to shut it down.
func NewServer() *Server {
	s := NewUnstartedServer()
	s.Start()
	return s
}

// NewUnstartedServer returns a new [Server] that is not started yet. Set its
// fields, then call [Server.Start]. The caller should call [Server.Close]
// when finished, to shut it down.
func NewUnstartedServer() *Server {
	s := &Server{
		closed:  make(chan struct{}),
		clock:   time.Now,
		counts:  map[string]int{},
		faults:  map[string][]Fault{},
		mfa:     map[string]func(string, time.Time) bool{},
		managed: map[string]*policyDoc{},
		keys:    map[string]*identity{},
		signins: map[string]signin{},
	}
	s.rootKeyID = "AKIA" + randomString(upperDigits, 16)
	s.rootSecret = randomString(base64Chars, 40)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	for arn, doc := range awsManagedPolicies {
		s.managed[arn] = mustParsePolicy(doc)
	}
	return s
}

// Start starts a server from [NewUnstartedServer] on a loopback address and
// sets URL. It panics if the server was already started, or if
// UserPolicy, AccountID or Images are invalid.
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		panic("ststest: Server already started")
	}
	s.started = true
	if s.AccountID == "" {
		s.AccountID = DefaultAccountID
	}
	if !isAccountID(s.AccountID) {
		panic("ststest: AccountID must be 12 digits")
	}
	if s.UserName == "" {
		s.UserName = DefaultUserName
	}
	if s.UserPolicy != "" {
		p, err := parsePolicy(s.UserPolicy)
		if err != nil {
			panic("ststest: UserPolicy: " + err.Message)
		}
		s.userPolicy = p
	}
	if s.Images == nil {
		s.Images = DefaultImages()
	}
	for _, im := range s.Images {
		if im.ImageID == "" {
			panic("ststest: an Image lacks an ImageID")
		}
	}
	s.keys[s.rootKeyID] = &identity{
		keyID: s.rootKeyID, secret: s.rootSecret, kind: kindRoot,
		name: s.UserName,
	}
	s.transport = &http.Transport{}
	s.srv.Config.ErrorLog = s.ErrorLog
	if s.ErrorLog == nil {
		s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	}
	s.srv.Start()
	s.URL = s.srv.URL
}

// Close shuts the server down. It blocks until all outstanding requests
// have completed, cuts short any delay injected with [Server.FailNext], and
// closes the idle connections of the client of [Server.Config]. Close may
// be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	started := s.started
	s.mu.Unlock()
	if started {
		s.srv.Close()
	}
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// Config returns an [aws.Config] for the server: the static root
// credentials of [Server.RootCredentials], region [DefaultRegion], and
// BaseEndpoint set to URL, so that sts.NewFromConfig and ec2.NewFromConfig
// send their requests here. Its retryer makes up to 3 attempts, as the SDK
// does by default, with no delay between them and no retry quota, so
// throttling is still retried and visible in [Server.RequestCount] but
// costs no time. Its HTTP client belongs to the server and is shut by
// Close. Config panics if the server is not started.
func (s *Server) Config() aws.Config {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		panic("ststest: Config called before Start")
	}
	return aws.Config{
		Region:       DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(s.rootKeyID, s.rootSecret, ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   &http.Client{Transport: s.transport},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = noBackoff{}
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// RootCredentials returns the long-term keys of the server's IAM user. They
// are random for each server and never expire. The same keys are in
// [Server.Config].
func (s *Server) RootCredentials() (accessKeyID, secretAccessKey string) {
	return s.rootKeyID, s.rootSecret
}

// RequestCount returns how many requests named action so far, whatever
// their outcome: failed signatures, injected faults and denials count too.
// Actions are counted as spelt on the wire, such as "GetFederationToken",
// "DescribeImages", "getSigninToken" or "login".
func (s *Server) RequestCount(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[action]
}

// RequestCounts returns a snapshot of [Server.RequestCount] for every
// action named so far. The caller owns the map.
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Now returns the time on the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.offset) }

// SetClock replaces the server's clock with now and resets any offset added
// by [Server.Advance]. A nil now restores the wall clock. The clock decides
// when issued credentials and signin tokens expire; it does not affect the
// check of a signature's request time.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock, s.offset = now, 0
}

// Advance moves the server's clock forward by d, or back if d is negative.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// AddMFADevice registers a virtual MFA device of the root user under
// serial, its ARN such as "arn:aws:iam::123456789012:mfa/ststest-admin".
// GetSessionToken accepts a TokenCode for it when check(code, now) reports
// true, now being the server's clock; a TOTP validator fits here. It
// replaces a device with the same serial and panics if serial is empty or
// check is nil.
func (s *Server) AddMFADevice(serial string, check func(code string, now time.Time) bool) {
	if serial == "" || check == nil {
		panic("ststest: AddMFADevice needs a serial and a check")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mfa[serial] = check
}

// FixedCode returns an MFA check for [Server.AddMFADevice] that accepts code
// at any time.
func FixedCode(code string) func(string, time.Time) bool {
	return func(got string, _ time.Time) bool { return got == code }
}

// AddManagedPolicy makes a managed policy known under arn, so that
// GetFederationToken accepts it in PolicyArns. The AWS managed policies
// "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess" (ec2:Describe*) and
// "arn:aws:iam::aws:policy/AmazonEC2FullAccess" (ec2:*) are known from the
// start. AddManagedPolicy panics if arn is empty or document is not a
// policy the server can evaluate.
func (s *Server) AddManagedPolicy(arn, document string) {
	p, err := parsePolicy(document)
	if arn == "" || err != nil {
		panic("ststest: AddManagedPolicy needs an ARN and a valid document")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.managed[arn] = p
}

var awsManagedPolicies = map[string]string{
	"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess": `{"Version":"2012-10-17",` +
		`"Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AmazonEC2FullAccess": `{"Version":"2012-10-17",` +
		`"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`,
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
