package ec2token

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// cannedSTS answers every request with one fixed GetFederationToken
// response, without a socket, so that a benchmark measures the client's
// work alone.
type cannedSTS struct{}

const cannedFederationXML = `<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetFederationTokenResult><Credentials>
<SessionToken>` + fixtureSession + `</SessionToken><SecretAccessKey>` + fixtureSecret + `</SecretAccessKey>
<Expiration>2026-12-03T18:00:00Z</Expiration><AccessKeyId>ASIAEXAMPLEEXAMPLE01</AccessKeyId>
</Credentials><FederatedUser><Arn>arn:aws:sts::123456789012:federated-user/TemporaryUser</Arn>
<FederatedUserId>123456789012:TemporaryUser</FederatedUserId></FederatedUser>
<PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult>
<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</GetFederationTokenResponse>`

func (cannedSTS) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(bytes.NewReader([]byte(cannedFederationXML))), Request: r}, nil
}

func cannedSTSClient() *sts.Client {
	return sts.New(sts.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""),
		HTTPClient:  cannedSTS{},
	})
}

// BenchmarkGetFederationToken mints a token through ec2token and through a
// bare sts.Client call with the same input, alternately in one loop, and
// reports the ratio of their times as "x-sdk".
func BenchmarkGetFederationToken(b *testing.B) {
	client := cannedSTSClient()
	pol := NewPolicy().Allow("DescribeImages", "RunInstances")
	ctx := context.Background()
	bareIn := &sts.GetFederationTokenInput{Name: aws.String("TemporaryUser"),
		DurationSeconds: aws.Int32(3 * 3600), Policy: aws.String(pol.String())}
	opts := func(o *FederationOptions) { o.Duration, o.Policy = 3*time.Hour, pol }

	b.ReportAllocs()
	b.ReportMetric(compareWithSDK(b, func() error {
		_, err := client.GetFederationToken(ctx, bareIn)
		return err
	}, func() error {
		_, err := GetFederationToken(ctx, client, "TemporaryUser", opts)
		return err
	}), "x-sdk")
}

// BenchmarkMint times the two paths of BenchmarkGetFederationToken
// separately, for tools that count instructions or CPU time per path, such
// as valgrind --tool=callgrind with -test.bench=Mint/sdk and Mint/ec2token.
func BenchmarkMint(b *testing.B) {
	client := cannedSTSClient()
	pol := NewPolicy().Allow("DescribeImages", "RunInstances")
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			in := &sts.GetFederationTokenInput{Name: aws.String("TemporaryUser"),
				DurationSeconds: aws.Int32(3 * 3600), Policy: aws.String(pol.String())}
			if _, err := client.GetFederationToken(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ec2token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, err := GetFederationToken(ctx, client, "TemporaryUser", func(o *FederationOptions) {
				o.Duration, o.Policy = 3*time.Hour, pol
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClient times the two paths of BenchmarkNewEC2FromConfig
// separately, as BenchmarkMint does for minting.
func BenchmarkClient(b *testing.B) {
	cfg := aws.Config{Region: "us-east-1"}
	c := testCreds(time.Now().Add(time.Hour))
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			static := credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
			_ = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Credentials = static })
		}
	})
	b.Run("ec2token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.NewEC2FromConfig(cfg)
		}
	})
}

// compareWithSDK runs bare and ours alternately, swapping which goes first
// on every round so that neither pays for the other's garbage, and returns
// the ratio of the time ours took to the time bare took.
func compareWithSDK(b *testing.B, bare, ours func() error) float64 {
	var tBare, tOurs time.Duration
	for i := 0; b.Loop(); i++ {
		first, second, tFirst, tSecond := bare, ours, &tBare, &tOurs
		if i%2 == 1 {
			first, second, tFirst, tSecond = ours, bare, &tOurs, &tBare
		}
		t0 := time.Now()
		if err := first(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := second(); err != nil {
			b.Fatal(err)
		}
		*tSecond += time.Since(t1)
		*tFirst += t1.Sub(t0)
	}
	return float64(tOurs) / float64(tBare)
}

// BenchmarkNewEC2FromConfig builds EC2 clients from a loaded configuration
// through ec2token and through ec2.NewFromConfig with static credentials,
// alternately, and reports the ratio of their times as "x-sdk".
func BenchmarkNewEC2FromConfig(b *testing.B) {
	cfg := aws.Config{Region: "us-east-1"}
	c := testCreds(time.Now().Add(time.Hour))
	static := credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	setStatic := func(o *ec2.Options) { o.Credentials = static }

	b.ReportAllocs()
	b.ReportMetric(compareWithSDK(b, func() error {
		_ = ec2.NewFromConfig(cfg, setStatic)
		return nil
	}, func() error {
		_ = c.NewEC2FromConfig(cfg)
		return nil
	}), "x-sdk")
}
