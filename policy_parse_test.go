package ec2token

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name, doc string
		want      *Policy
	}{
		{"one statement object, no Version",
			`{"Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}`,
			NewPolicy().Allow("RunInstances")},
		{"indented, actions sorted and deduplicated", `{
			"Version": "2012-10-17",
			"Id": "dropped",
			"Statement": [
				{"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:DescribeImages", "ec2:RunInstances"],
				 "Resource": ["*"]},
				{"Sid": "NoTerminate", "Effect": "Deny", "NotAction": "ec2:Describe*",
				 "NotResource": "arn:aws:ec2:*:*:instance/i-1"}
			]
		}`,
			NewPolicy().Allow("DescribeImages", "RunInstances").Add(Statement{Sid: "NoTerminate", Effect: "Deny",
				NotActions: []string{"ec2:Describe*"}, NotResources: []string{"arn:aws:ec2:*:*:instance/i-1"}})},
		{"conditions with booleans and numbers",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"*",
			  "Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},
			  "IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}}]}`,
			NewPolicy().Allow("StartInstances").When("NumericLessThan", "aws:MultiFactorAuthAge", "3600").
				When("IpAddress", "aws:SourceIp", "10.0.0.0/8", "192.168.0.0/16").
				When("Bool", "aws:SecureTransport", "true")},
		{"policy variables with 2012-10-17",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
			  "Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
			NewPolicy().Allow("s3:*").On("arn:aws:s3:::b/${aws:username}/*")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.doc)
			require.NoError(t, err, "ParsePolicy")
			assert.Equal(t, tt.want, got, "ParsePolicy(doc)")
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	// allowAll is the body of a valid statement.
	const allowAll = `"Effect":"Allow","Action":"ec2:*","Resource":"*"`
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{` + allowAll + `},` + body + `]}`
	}
	longARN := "arn:aws:s3:::" + strings.Repeat("b", 2000)
	longDoc := stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"` + longARN + `"}`)
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{"Version":`, "is not valid JSON (it ends too early)"},
		{"syntax", `{"Version" "x"}`, "is not valid JSON (error at byte 12)"}, // the 12th byte, counting from 1
		{"array", `[]`, "is not a JSON object"},
		{"trailing data", `{"Statement":{}} {}`, "has data after the JSON object, which ends at byte 16"},
		{"no statement", `{"Version":"2012-10-17"}`, "needs a Statement"},
		{"empty statement list", `{"Statement":[]}`, "Statement: is an empty array"},
		{"version", `{"Version":"2020-01-01","Statement":[]}`, `Version: must be "2012-10-17" or "2008-10-17"`},
		{"unknown key named", `{"Statment":[]}`, "has the key Statment, which IAM does not define here"},
		{"unknown key not quoted", `{"x\"y":1}`, "has a key that IAM does not define here"},
		{"statement not an object", stmt(`"Allow"`), "Statement[1]: must be a JSON object"},
		{"principal", stmt(`{` + allowAll + `,"Principal":"*"}`),
			"Statement[1].Principal: is not allowed in a session policy"},
		{"effect case", stmt(`{"Effect":"allow","Action":"ec2:*","Resource":"*"}`),
			`Statement[1].Effect: must be "Allow" or "Deny"`},
		{"effect type", stmt(`{"Effect":true,"Action":"ec2:*","Resource":"*"}`),
			"Statement[1].Effect: must be a string"},
		{"action type", stmt(`{"Effect":"Allow","Action":{"a":1},"Resource":"*"}`),
			"Statement[1].Action: must be a string or an array of strings"},
		{"action element", stmt(`{"Effect":"Allow","Action":["ec2:*",7],"Resource":"*"}`),
			"Statement[1].Action[1]: must be a string"},
		{"unknown action", stmt(`{"Effect":"Deny","Action":["ec2:RunInstances","ec2:StopInstance"],` +
			`"Resource":"*"}`),
			"Statement[1].Action[1]: StopInstance: unknown EC2 action; did you mean StopInstances?"},
		{"empty action list", stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`),
			"Statement[1]: needs Action or NotAction"},
		{"missing resource", stmt(`{"Effect":"Allow","Action":"ec2:*"}`),
			"Statement[1]: needs Resource or NotResource"},
		{"resource", stmt(`{"Effect":"Allow","Action":"ec2:*","Resource":"i-123"}`),
			`Statement[1].Resource[0]: must be "*" or an ARN such as arn:aws:ec2:*:*:instance/*`},
		{"repeated Sid", `{"Statement":[{"Sid":"A",` + allowAll + `},{"Sid":"B",` + allowAll + `},` +
			`{"Sid":"A",` + allowAll + `}]}`,
			"Statement[2].Sid: repeats the Sid of Statement[0]"},
		{"condition shape", stmt(`{` + allowAll + `,"Condition":["x"]}`),
			"Statement[1].Condition: must be an object of condition operators"},
		{"condition keys", stmt(`{` + allowAll + `,"Condition":{"Bool":"x"}}`),
			"Statement[1].Condition: each operator must map to an object of condition keys"},
		{"condition value", stmt(`{` + allowAll + `,"Condition":{"Bool":{"k:k":null}}}`),
			"Statement[1].Condition: values must be strings, booleans or numbers"},
		{"condition empty values", stmt(`{` + allowAll + `,"Condition":{"Bool":{"k:k":[]}}}`),
			"Statement[1].Condition.Bool: needs at least one value"},
		{"policy variable without Version",
			`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`,
			`Version: must be "2012-10-17" for policy variables such as ${aws:username}`},
		{"too long", longDoc, // no white space to remove
			fmt.Sprintf("is %d characters once compacted, %d over the limit of 2048",
				len(longDoc), len(longDoc)-2048)},
		{"far too long", strings.Repeat(" ", maxPolicyInput+1),
			"is 65537 bytes, more than the 65536 this package reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy(tt.doc)
			var ie *InputError
			require.True(t, errors.As(err, &ie), "ParsePolicy() = %v, %v, want an *InputError", p, err)
			assert.Nil(t, p, "ParsePolicy() policy on error")
			assert.Equal(t, "Policy", ie.Field)
			assert.Equal(t, tt.want, ie.Problem, "ParsePolicy().Problem")
		})
	}
	_, _, err := parsePolicy("PolicyJSON", "[]")
	assert.EqualError(t, err, "ec2token: invalid PolicyJSON: is not a JSON object")
}

// TestParsePolicyRoundTrip checks that ParsePolicy(p.String()) equals p
// for many policies built from random calls.
func TestParsePolicyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		p := randomPolicy(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			require.NoError(t, p.Validate(), "Validate() of %s", p)
			got, err := ParsePolicy(p.String())
			require.NoError(t, err, "ParsePolicy(%s)", p)
			require.Equal(t, p, got, "ParsePolicy(%s)", p)
			assert.Equal(t, p.String(), got.String(), "String() after a round trip")
			packed, err := packPolicy("Policy", p.String())
			require.NoError(t, err, "packPolicy")
			assert.Equal(t, packed, p.String(), "String() is not compact, as Validate assumes")
		})
	}
}

func TestParsePolicyEmptyRoundTrip(t *testing.T) {
	got, err := ParsePolicy(NewPolicy().String())
	require.NoError(t, err)
	assert.Equal(t, NewPolicy().Deny(), got, "ParsePolicy(NewPolicy().String())")
	assert.Equal(t, NewPolicy().String(), got.String(), "String() of the parsed empty policy")
}

// TestParsePolicyExtraEC2Actions checks that ParseOptions.ExtraEC2Actions
// is accepted by that call alone, and kept by the policy it returns.
func TestParsePolicyExtraEC2Actions(t *testing.T) {
	t.Parallel()
	stmts := []Statement{
		{Effect: "Allow", Actions: []string{"ec2:DescribeFutureWidgets", "ec2:DescribeImages"}},
		{Effect: "Deny", Actions: []string{"ec2:describefuture*"}},
	}
	doc := NewPolicy().Add(stmts...).String()
	extra := func(names ...string) func(*ParseOptions) {
		return func(o *ParseOptions) { o.ExtraEC2Actions = names }
	}
	_, err := ParsePolicy(doc, extra("DescribeFutureWidgets"))
	require.NoError(t, err, "ParsePolicy() with ExtraEC2Actions")
	_, err = ParsePolicy(doc)
	require.Error(t, err, "ParsePolicy() after another call accepted the name")
	unknown := "Statement[0].Action[0]: DescribeFutureWidgets: unknown EC2 action (if IAM knows it, " +
		"accept it with Policy.AcceptEC2Actions or ParseOptions.ExtraEC2Actions)"
	tests := []struct {
		name     string
		opts     []func(*ParseOptions)
		accepted []string // what the policy must accept, if ParsePolicy succeeds
		field    string   // the error's Field; empty when ParsePolicy succeeds
		want     string   // the error's Problem
	}{
		{"no options", nil, nil, "Policy", unknown},
		{"accepted", []func(*ParseOptions){extra("DescribeFutureWidgets")},
			[]string{"DescribeFutureWidgets"}, "", ""},
		{"accepted with prefix and in another case", []func(*ParseOptions){extra("EC2:describeFUTUREwidgets")},
			[]string{"describeFUTUREwidgets"}, "", ""},
		{"last option wins", []func(*ParseOptions){extra("DescribeFutureWidgets"), extra()}, nil, "Policy", unknown},
		{"another name accepted", []func(*ParseOptions){extra("DescribeFutureGadgets")}, nil, "Policy",
			"Statement[0].Action[0]: DescribeFutureWidgets: unknown EC2 action; did you mean DescribeFutureGadgets?"},
		{"malformed", []func(*ParseOptions){extra("DescribeFutureWidgets", "ec2:Describe*")}, nil,
			"ExtraEC2Actions[1]", badEC2ActionName},
		{"malformed not quoted", []func(*ParseOptions){extra(`x"y`)}, nil, "ExtraEC2Actions[0]", badEC2ActionName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePolicy(doc, tt.opts...)
			if tt.field != "" {
				var ie *InputError
				require.True(t, errors.As(err, &ie), "ParsePolicy() = %v, %v, want an *InputError", p, err)
				assert.Nil(t, p, "ParsePolicy() policy on error")
				assert.Equal(t, tt.field, ie.Field, "ParsePolicy().Field")
				assert.Equal(t, tt.want, ie.Problem, "ParsePolicy().Problem")
				return
			}
			require.NoError(t, err, "ParsePolicy()")
			assert.NoError(t, p.Validate(), "Validate() of the parsed policy")
			want := NewPolicy().Add(stmts...).AcceptEC2Actions(tt.accepted...)
			assert.Equal(t, want, p, "ParsePolicy()")
			assert.Equal(t, doc, p.String(), "String() of the parsed policy")

			// The document alone does not carry the accepted names.
			_, err = ParsePolicy(p.String())
			assert.Error(t, err, "ParsePolicy(String()) without the options")
			again, err := ParsePolicy(p.String(), tt.opts...)
			require.NoError(t, err, "ParsePolicy(String()) with the options")
			assert.Equal(t, p, again, "ParsePolicy(String()) with the options")
		})
	}
}

// randomPolicy builds a valid policy from random calls of every builder
// method.
func randomPolicy(rng *rand.Rand) *Policy {
	pick := func(from []string, max int) []string {
		out := make([]string, 1+rng.IntN(max))
		for i := range out {
			out[i] = from[rng.IntN(len(from))]
		}
		return out
	}
	actions := []string{"*", "Describe*", "describe_images", "ec2:RunInstances", "TerminateInstances",
		"Describe?mages", "s3:GetObject", "iam:*", "create_volume", "CreateCoipPoolPermission"}
	resources := []string{"*", "arn:aws:ec2:*:*:subnet/subnet-1", "arn:aws:s3:::b/${aws:username}/*",
		"arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"}
	operators := []string{"StringEquals", "IpAddress", "Bool", "ForAnyValue:StringLike"}
	keys := []string{"aws:SourceIp", "ec2:Region", "aws:RequestTag/Project"}
	values := []string{"10.0.0.0/8", "true", "eu-west-1", `quote " and \ é`, "<&>"}

	p := NewPolicy()
	for i := range 1 + rng.IntN(4) {
		if rng.IntN(5) == 0 {
			s := Statement{Sid: fmt.Sprintf("S%d", i), Effect: "Deny"}
			if rng.IntN(2) == 0 {
				s.NotActions = pick([]string{"ec2:*", "ec2:Describe*", "s3:*"}, 2)
			} else {
				s.Actions = pick([]string{"ec2:RunInstances", "*"}, 2)
			}
			if rng.IntN(2) == 0 {
				s.NotResources = pick(resources[1:], 2)
			}
			p.Add(s)
			continue
		}
		if rng.IntN(2) == 0 {
			p.Allow(pick(actions, 4)...)
		} else {
			p.Deny(pick(actions, 3)...)
		}
		if rng.IntN(2) == 0 {
			p.On(pick(resources, 3)...)
		}
		for range rng.IntN(3) {
			p.When(operators[rng.IntN(len(operators))], keys[rng.IntN(len(keys))], pick(values, 3)...)
		}
	}
	return p
}

// FuzzParsePolicy checks that ParsePolicy never panics, that its errors
// are *InputError, and that a policy it accepts survives String and
// ParsePolicy again unchanged.
func FuzzParsePolicy(f *testing.F) {
	golden, _ := filepath.Glob(filepath.Join("testdata", "policy", "*.json"))
	for _, path := range golden {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		f.Add(randomPolicy(rng).String())
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParsePolicy(doc)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParsePolicy() error %T %v, want an *InputError", err, err)
			}
			return
		}
		again, err := ParsePolicy(p.String())
		if err != nil {
			t.Fatalf("ParsePolicy(String()) = %v after ParsePolicy accepted the input", err)
		}
		assert.Equal(t, p, again, "ParsePolicy(ParsePolicy(doc).String())")
	})
}

// FuzzPolicyBuilder feeds arbitrary text to the builder: String must
// always give valid JSON, and a policy that Validate accepts must come
// back equal from ParsePolicy.
func FuzzPolicyBuilder(f *testing.F) {
	f.Add("Describe*", "arn:aws:ec2:*:*:subnet/subnet-1", "IpAddress", "aws:SourceIp", "10.0.0.0/8")
	f.Add("describe_images", "*", "StringEquals", "ec2:Region", `"quoted" \ <&>`)
	f.Add("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*", "Bool", "aws:SecureTransport", "true")
	f.Fuzz(func(t *testing.T, action, resource, operator, key, value string) {
		p := NewPolicy().Allow(strings.Split(action, ",")...).On(resource).When(operator, key, value).
			Deny(action)
		doc := p.String()
		if !json.Valid([]byte(doc)) {
			t.Fatalf("String() = %q, not valid JSON", doc)
		}
		if p.Validate() != nil {
			return
		}
		got, err := ParsePolicy(doc)
		if err != nil {
			t.Fatalf("ParsePolicy(String()) = %v after Validate accepted the policy", err)
		}
		assert.Equal(t, p, got, "ParsePolicy(String())")
	})
}
