package ec2token

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DefaultExpiryWindow is how long before their expiry the providers of
// this package mint new credentials, unless told otherwise. Five minutes
// leave room for a slow STS answer and for clocks a little apart; a token
// of the shortest lifetime STS grants, [MinDuration], still serves for ten.
const DefaultExpiryWindow = 5 * time.Minute

// refreshTimeout bounds one mint. The request runs detached from the
// callers that wait for it, so that one caller giving up does not fail the
// others; the bound keeps it from running on forever.
const refreshTimeout = time.Minute

// NewProvider returns a credentials provider that calls mint for a token
// on first use, hands out its credentials, and calls mint again once they
// are within the expiry window of their Expiration. The window is
// [DefaultExpiryWindow] unless optFns change ExpiryWindow, or add jitter
// through ExpiryWindowJitterFrac; a window of zero or less refreshes only
// at expiry. A window as long as the tokens' lifetime makes every call
// mint.
//
// The provider is an [*aws.CredentialsCache]: safe for concurrent use,
// accepted as is by [aws.Config] and service clients, and its Invalidate
// method forces a mint on the next call. Concurrent callers share one call
// of mint. A caller whose context ends first gets an error wrapping
// ctx.Err() at once, while the shared call goes on for the others, with
// cancellation removed and a deadline of one minute. An error from mint
// is returned to every caller that waited for it and nothing is stored:
// the next call tries again. The cache wraps the error in its own words,
// "failed to refresh cached credentials, " and the error of mint; use
// errors.Is and errors.As to examine it. A token that has expired by the
// time it arrives is an error wrapping [ErrExpired].
//
// Use NewProvider to mint in a way of your own, as in
//
//	p := ec2token.NewProvider(func(ctx context.Context) (*ec2token.Token, error) {
//		return ec2token.GetFederationToken(ctx, client, nextName(), setPolicy)
//	}, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Minute })
//
// [NewFederationProvider] and [NewSessionProvider] cover the common cases,
// take the window from their options' ExpiryWindow, and check their
// options once, up front.
func NewProvider(mint func(context.Context) (*Token, error),
	optFns ...func(*aws.CredentialsCacheOptions)) *aws.CredentialsCache {
	return newCache(func(ctx context.Context) (*Token, error) {
		ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
		defer cancel()
		return mint(ctx)
	}, optFns...)
}

// windowOption sets the cache's expiry window from an options struct's
// ExpiryWindow: zero keeps the default, negative means none.
func windowOption(window time.Duration) func(*aws.CredentialsCacheOptions) {
	return func(o *aws.CredentialsCacheOptions) {
		switch {
		case window > 0:
			o.ExpiryWindow = window
		case window < 0:
			o.ExpiryWindow = 0
		}
	}
}

func newCache(mint mintFunc, optFns ...func(*aws.CredentialsCacheOptions)) *aws.CredentialsCache {
	fns := append([]func(*aws.CredentialsCacheOptions){
		func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = DefaultExpiryWindow },
	}, optFns...)
	return aws.NewCredentialsCache(mint, fns...)
}

// mintFunc adapts a minting function to [aws.CredentialsProvider]: every
// Retrieve mints.
type mintFunc func(context.Context) (*Token, error)

func (f mintFunc) Retrieve(ctx context.Context) (aws.Credentials, error) {
	tok, err := f(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	return tok.Retrieve(ctx)
}

// NewFederationProvider returns a credentials provider, as [NewProvider]
// describes, that mints with [GetFederationToken] for the federated user
// name. It mints again FederationOptions.ExpiryWindow before expiry,
// [DefaultExpiryWindow] by default. Each refresh creates a new token for
// the same user with the same options.
//
// The options are applied and checked once, here: later changes to the
// Policy, slices or map they point to have no effect. A bad name or option
// makes every Retrieve return an error wrapping the [*InputError], without
// a request. A failed request returns an error wrapping an [*STSError].
func NewFederationProvider(client STSClient, name string,
	optFns ...func(*FederationOptions)) *aws.CredentialsCache {
	var opts FederationOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	_, err := federationInput(name, &opts)
	if err != nil {
		return newCache(func(context.Context) (*Token, error) { return nil, err })
	}
	if opts.Policy != nil {
		opts.PolicyJSON, opts.Policy = opts.Policy.String(), nil
	}
	opts.PolicyARNs = slices.Clone(opts.PolicyARNs)
	opts.Tags = maps.Clone(opts.Tags)
	return NewProvider(func(ctx context.Context) (*Token, error) {
		return GetFederationToken(ctx, client, name, func(o *FederationOptions) { *o = opts })
	}, windowOption(opts.ExpiryWindow))
}

// NewSessionProvider returns a credentials provider, as [NewProvider]
// describes, that mints with [GetSessionToken]. It mints again
// SessionOptions.ExpiryWindow before expiry, [DefaultExpiryWindow] by
// default.
//
// With an MFA device, every refresh needs a fresh code, because STS
// accepts each code once. TokenCode, when set, serves the first attempt
// only; every later one asks TokenProvider, so a provider that must outlive
// its first token needs a TokenProvider, such as [TerminalPrompt]. Without
// one, a refresh returns an error wrapping an [*InputError] for
// TokenProvider. TokenProvider is called by one goroutine at a time, just
// before the request and outside its one-minute deadline, so that a person
// has time to answer; it cannot be canceled.
//
// The options are applied and checked once, here, except the codes that
// TokenProvider gives. A bad option makes every Retrieve return an error
// wrapping the [*InputError], without a request, and so does a bad code.
// A failed request returns an error wrapping an [*STSError].
func NewSessionProvider(client STSClient, optFns ...func(*SessionOptions)) *aws.CredentialsCache {
	var opts SessionOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	if err := checkSessionOptions(opts); err != nil {
		return newCache(func(context.Context) (*Token, error) { return nil, err })
	}
	var mu sync.Mutex
	code := opts.TokenCode
	return newCache(func(ctx context.Context) (*Token, error) {
		mu.Lock()
		defer mu.Unlock()
		o := opts
		o.TokenCode, code = code, ""
		if o.SerialNumber != "" && o.TokenCode == "" {
			if o.TokenProvider == nil {
				return nil, inputErrorf("TokenProvider",
					"is needed to refresh with MFA: STS accepts each code once")
			}
			c, err := o.TokenProvider()
			if err != nil {
				return nil, fmt.Errorf("ec2token: MFA token provider: %w", err)
			}
			o.TokenCode = c
		}
		o.TokenProvider = nil
		ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
		defer cancel()
		return GetSessionToken(ctx, client, func(p *SessionOptions) { *p = o })
	}, windowOption(opts.ExpiryWindow))
}

// checkSessionOptions checks every option that does not depend on the MFA
// code that TokenProvider will give, without asking it for one.
func checkSessionOptions(o SessionOptions) error {
	if o.SerialNumber != "" && o.TokenCode == "" && o.TokenProvider != nil {
		o.TokenProvider = func() (string, error) { return "000000", nil }
	}
	_, err := sessionInput(&o)
	return err
}
