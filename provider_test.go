package ec2token

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// syncSTS is a stub STS that is safe for concurrent use. Each answer gets
// a new access key ID and lives for lifetime; fail, when set, decides per
// call whether to fail; gate, when set, holds every call until it closes.
type syncSTS struct {
	lifetime time.Duration
	gate     chan struct{}
	fail     func(call int) error

	mu     sync.Mutex
	calls  int
	fedIn  []*sts.GetFederationTokenInput
	sessIn []*sts.GetSessionTokenInput
}

func newSyncSTS() *syncSTS { return &syncSTS{lifetime: time.Hour} }

func (s *syncSTS) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *syncSTS) answer(ctx context.Context) (*types.Credentials, error) {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.fail != nil {
		if err := s.fail(n); err != nil {
			return nil, err
		}
	}
	return &types.Credentials{
		AccessKeyId:     aws.String("ASIASTUB" + strings.Repeat("0", 11) + string(rune('A'+n%26))),
		SecretAccessKey: aws.String("stub-secret"),
		SessionToken:    aws.String("stub-token"),
		Expiration:      aws.Time(time.Now().Add(s.lifetime)),
	}, nil
}

func (s *syncSTS) GetFederationToken(ctx context.Context, in *sts.GetFederationTokenInput,
	_ ...func(*sts.Options)) (*sts.GetFederationTokenOutput, error) {
	s.mu.Lock()
	s.fedIn = append(s.fedIn, in)
	s.mu.Unlock()
	c, err := s.answer(ctx)
	if err != nil {
		return nil, err
	}
	return &sts.GetFederationTokenOutput{Credentials: c, FederatedUser: &types.FederatedUser{
		Arn: aws.String("arn:aws:sts::123456789012:federated-user/" + aws.ToString(in.Name))}}, nil
}

func (s *syncSTS) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput,
	_ ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	s.mu.Lock()
	s.sessIn = append(s.sessIn, in)
	s.mu.Unlock()
	c, err := s.answer(ctx)
	if err != nil {
		return nil, err
	}
	return &sts.GetSessionTokenOutput{Credentials: c}, nil
}

func TestFederationProviderSharesOneRequest(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stub := newSyncSTS()
	stub.gate = make(chan struct{})
	p := NewFederationProvider(stub, "Bob")

	const n = 1000
	var started, done sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	started.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			c, err := p.Retrieve(context.Background())
			keys[i], errs[i] = c.AccessKeyID, err
		}()
	}
	started.Wait()
	close(stub.gate)
	done.Wait()

	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, keys[0], keys[i], "Retrieve() in goroutine %d got another key", i)
	}
	assert.Equal(t, 1, stub.count(), "GetFederationToken calls for %d concurrent Retrieve calls", n)
}

func TestProviderRefreshesWithinWindow(t *testing.T) {
	tests := []struct {
		name      string
		lifetime  time.Duration
		window    func(*aws.CredentialsCacheOptions)
		wantCalls int
	}{
		{"fresh credentials are kept", time.Hour, nil, 1},
		{"inside the default window", DefaultExpiryWindow - time.Minute, nil, 2},
		{"just outside the default window", DefaultExpiryWindow + time.Minute, nil, 1},
		{"inside a wider window", 20 * time.Minute,
			func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 30 * time.Minute }, 2},
		{"outside a narrower window", 2 * time.Minute,
			func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Minute }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newSyncSTS()
			stub.lifetime = tt.lifetime
			var fns []func(*aws.CredentialsCacheOptions)
			if tt.window != nil {
				fns = append(fns, tt.window)
			}
			p := NewProvider(func(ctx context.Context) (*Token, error) {
				return GetFederationToken(ctx, stub, "Bob")
			}, fns...)
			first, err := p.Retrieve(context.Background())
			require.NoError(t, err)
			second, err := p.Retrieve(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantCalls, stub.count(), "STS calls for two Retrieve calls")
			assert.Equal(t, tt.wantCalls == 1, first.AccessKeyID == second.AccessKeyID,
				"second Retrieve() = %s, first %s", second.AccessKeyID, first.AccessKeyID)
		})
	}
}

func TestFederationProviderDefaultWindow(t *testing.T) {
	stub := newSyncSTS()
	stub.lifetime = DefaultExpiryWindow - time.Second
	p := NewFederationProvider(stub, "Bob")
	for range 3 {
		_, err := p.Retrieve(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 3, stub.count(), "STS calls for credentials inside the window")

	p.Invalidate()
	stub.lifetime = time.Hour
	for range 3 {
		_, err := p.Retrieve(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 4, stub.count(), "STS calls once credentials outlive the window")
}

func TestProviderRetriesAfterFailure(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stub := newSyncSTS()
	stub.fail = func(call int) error {
		if call == 1 {
			return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
		}
		return nil
	}
	p := NewFederationProvider(stub, "Bob")

	_, err := p.Retrieve(context.Background())
	require.Error(t, err)
	var se *STSError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Throttling", se.Code())

	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, c.AccessKeyID)
	assert.Equal(t, 2, stub.count(), "STS calls after one failure and one retry")
}

func TestProviderHonoursCancellation(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stub := newSyncSTS()
	stub.gate = make(chan struct{})
	p := NewFederationProvider(stub, "Bob")

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := p.Retrieve(ctx)
		errc <- err
	}()
	cancel()
	err := <-errc // returns while STS still holds the request
	require.ErrorIs(t, err, context.Canceled)

	close(stub.gate)
	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, c.AccessKeyID)
	assert.Equal(t, 1, stub.count(), "the canceled caller's request serves the next caller")
}

func TestProviderBadOptionsSendNothing(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/admin"
	prompt := func() (string, error) { t.Error("TokenProvider called for bad options"); return "", nil }
	tests := []struct {
		name      string
		provider  func(STSClient) aws.CredentialsProvider
		wantField string
	}{
		{"federation name", func(c STSClient) aws.CredentialsProvider {
			return NewFederationProvider(c, "a")
		}, "name"},
		{"federation duration", func(c STSClient) aws.CredentialsProvider {
			return NewFederationProvider(c, "Bob", func(o *FederationOptions) { o.Duration = time.Minute })
		}, "Duration"},
		{"session duration", func(c STSClient) aws.CredentialsProvider {
			return NewSessionProvider(c, func(o *SessionOptions) { o.Duration = 37 * time.Hour })
		}, "Duration"},
		{"session serial", func(c STSClient) aws.CredentialsProvider {
			return NewSessionProvider(c, func(o *SessionOptions) {
				o.SerialNumber, o.TokenProvider = "short", prompt
			})
		}, "SerialNumber"},
		{"session code", func(c STSClient) aws.CredentialsProvider {
			return NewSessionProvider(c, func(o *SessionOptions) { o.SerialNumber, o.TokenCode = serial, "98765x" })
		}, "TokenCode"},
		{"session without code", func(c STSClient) aws.CredentialsProvider {
			return NewSessionProvider(c, func(o *SessionOptions) { o.SerialNumber = serial })
		}, "TokenCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newSyncSTS()
			p := tt.provider(stub)
			for range 2 {
				_, err := p.Retrieve(context.Background())
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tt.wantField, ie.Field)
				assert.NotContains(t, err.Error(), "98765")
			}
			assert.Zero(t, stub.count(), "STS calls despite bad options")
		})
	}
}

func TestFederationProviderSnapshotsOptions(t *testing.T) {
	stub := newSyncSTS()
	pol := NewPolicy().Allow("DescribeImages")
	want := pol.String()
	arns := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	tags := map[string]string{"Team": "ops"}
	p := NewFederationProvider(stub, "Bob", func(o *FederationOptions) {
		o.Policy, o.PolicyARNs, o.Tags = pol, arns, tags
	})
	pol.Allow("TerminateInstances")
	arns[0] = "arn:aws:iam::aws:policy/AdministratorAccess"
	tags["Team"] = "dev"

	_, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.Len(t, stub.fedIn, 1)
	in := stub.fedIn[0]
	assert.Equal(t, want, aws.ToString(in.Policy))
	assert.Equal(t, "arn:aws:iam::aws:policy/ReadOnlyAccess", aws.ToString(in.PolicyArns[0].Arn))
	assert.Equal(t, "ops", aws.ToString(in.Tags[0].Value))
}

func TestSessionProviderAsksForEachCode(t *testing.T) {
	const serial = "arn:aws:iam::123456789012:mfa/admin"
	secret := "JBSWY3DPEHPK3PXP"
	var asked atomic.Int32
	var codes []string
	stub := newSyncSTS()
	stub.lifetime = time.Minute // inside the window: every Retrieve refreshes
	p := NewSessionProvider(stub, func(o *SessionOptions) {
		o.SerialNumber = serial
		o.TokenCode = "111111"
		o.TokenProvider = func() (string, error) {
			asked.Add(1)
			c, err := totp.GenerateCode(secret, time.Now())
			codes = append(codes, c)
			return c, err
		}
	})
	for range 3 {
		_, err := p.Retrieve(context.Background())
		require.NoError(t, err)
	}
	require.Len(t, stub.sessIn, 3)
	assert.Equal(t, "111111", aws.ToString(stub.sessIn[0].TokenCode), "first code")
	assert.Equal(t, int32(2), asked.Load(), "TokenProvider calls for two refreshes")
	for i, in := range stub.sessIn {
		assert.Equal(t, serial, aws.ToString(in.SerialNumber), "request %d serial", i)
	}
	assert.Equal(t, codes, []string{aws.ToString(stub.sessIn[1].TokenCode), aws.ToString(stub.sessIn[2].TokenCode)})
}

func TestSessionProviderFixedCodeServesOnce(t *testing.T) {
	stub := newSyncSTS()
	stub.lifetime = time.Minute
	p := NewSessionProvider(stub, func(o *SessionOptions) {
		o.SerialNumber, o.TokenCode = "arn:aws:iam::123456789012:mfa/admin", "246810"
	})
	_, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	_, err = p.Retrieve(context.Background())
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "TokenProvider", ie.Field)
	assert.NotContains(t, err.Error(), "246810")
	assert.Equal(t, 1, stub.count(), "STS calls with a spent code")
}

func TestSessionProviderPromptFailure(t *testing.T) {
	stub := newSyncSTS()
	p := NewSessionProvider(stub, func(o *SessionOptions) {
		o.SerialNumber = "arn:aws:iam::123456789012:mfa/admin"
		o.TokenProvider = func() (string, error) { return "", errors.New("no terminal") }
	})
	_, err := p.Retrieve(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ec2token: MFA token provider: no terminal")
	assert.Zero(t, stub.count(), "STS calls without a code")
}

// BenchmarkProviderRetrieveCached measures Retrieve once credentials are
// cached, the path every signed request takes.
func BenchmarkProviderRetrieveCached(b *testing.B) {
	p := NewFederationProvider(newSyncSTS(), "Bob")
	ctx := context.Background()
	if _, err := p.Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Retrieve(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestProviderExpiryWindowOption(t *testing.T) {
	tests := []struct {
		name      string
		lifetime  time.Duration
		window    time.Duration
		wantCalls int
	}{
		{"zero keeps the default", DefaultExpiryWindow - time.Minute, 0, 2},
		{"a wider window refreshes sooner", 20 * time.Minute, 30 * time.Minute, 2},
		{"a narrower window keeps credentials longer", 2 * time.Minute, time.Minute, 1},
		{"a negative window refreshes only at expiry", time.Minute, -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, kind := range []string{"federation", "session"} {
				stub := newSyncSTS()
				stub.lifetime = tt.lifetime
				p := NewFederationProvider(stub, "Bob", func(o *FederationOptions) { o.ExpiryWindow = tt.window })
				if kind == "session" {
					p = NewSessionProvider(stub, func(o *SessionOptions) { o.ExpiryWindow = tt.window })
				}
				for range 2 {
					_, err := p.Retrieve(context.Background())
					require.NoError(t, err)
				}
				assert.Equal(t, tt.wantCalls, stub.count(), "%s provider: STS calls for two Retrieve calls", kind)
			}
		})
	}
}
