package ststest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"ec2:Describe*", "ec2:DescribeImages", true},
		{"ec2:Describe*", "ec2:RunInstances", false},
		{"ec2:?un*", "ec2:RunInstances", true},
		{"ec2:?un", "ec2:RunInstances", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "", true},
		{"", "x", false},
		{"arn:aws:ec2:*:*:subnet/subnet-1??", "arn:aws:ec2:us-east-1:1:subnet/subnet-123", true},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestAuthorize(t *testing.T) {
	ctx := map[string]string{"aws:sourceip": "127.0.0.1", "aws:requestedregion": "us-east-1",
		"aws:multifactorauthpresent": "false"}
	tests := []struct {
		name      string
		policy    string
		action    string
		resources []string
		want      bool
	}{
		{"allow wildcard any case", `{"Statement":{"Effect":"Allow","Action":"EC2:describe*","Resource":"*"}}`,
			"ec2:DescribeImages", []string{"*"}, true},
		{"not listed", `{"Statement":{"Effect":"Allow","Action":"ec2:DescribeImages","Resource":"*"}}`,
			"ec2:RunInstances", []string{"*"}, false},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
			`{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}`,
			"ec2:RunInstances", []string{"*"}, false},
		{"NotAction", `{"Statement":{"Effect":"Allow","NotAction":"ec2:Run*","Resource":"*"}}`,
			"ec2:DescribeImages", []string{"*"}, true},
		{"every resource must be allowed", `{"Statement":{"Effect":"Allow","Action":"*",` +
			`"Resource":"arn:aws:ec2:*:*:instance/*"}}`,
			"ec2:RunInstances", []string{"arn:aws:ec2:us-east-1:1:instance/*", "arn:aws:ec2:us-east-1::image/ami-1"}, false},
		{"NotResource", `{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:ec2:*:*:subnet/*"}}`,
			"ec2:RunInstances", []string{"arn:aws:ec2:us-east-1:1:instance/*"}, true},
		{"StringEquals", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}}`,
			"ec2:DescribeImages", []string{"*"}, true},
		{"StringNotEquals", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}}`,
			"ec2:DescribeImages", []string{"*"}, false},
		{"StringLike", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"StringLike":{"aws:RequestedRegion":"us-*"}}}}`,
			"ec2:DescribeImages", []string{"*"}, true},
		{"IpAddress", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}}`,
			"ec2:DescribeImages", []string{"*"}, true},
		{"NotIpAddress", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.1"}}}}`,
			"ec2:DescribeImages", []string{"*"}, false},
		{"Bool", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}}`,
			"ec2:DescribeImages", []string{"*"}, false},
		{"absent key", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"StringEquals":{"aws:username":"x"}}}}`,
			"ec2:DescribeImages", []string{"*"}, false},
		{"absent key IfExists", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*",` +
			`"Condition":{"StringEqualsIfExists":{"aws:username":"x"}}}}`,
			"ec2:DescribeImages", []string{"*"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, e := parsePolicy(tt.policy)
			require.Nil(t, e, "parsePolicy: %v", e)
			got := authorize([][]*policyDoc{{p}}, tt.action, tt.resources, ctx)
			assert.Equal(t, tt.want, got, "authorize(%s, %v) = %v, want %v", tt.action, tt.resources, got, tt.want)
		})
	}
	assert.False(t, authorize([][]*policyDoc{{}}, "ec2:DescribeImages", []string{"*"}, ctx),
		"an empty layer allows nothing")
}

func TestParsePolicyRejects(t *testing.T) {
	tests := map[string]string{
		"not JSON":         `{`,
		"trailing data":    `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} {}`,
		"bad version":      `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		"no statement":     `{"Version":"2012-10-17"}`,
		"bad effect":       `{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}`,
		"no effect":        `{"Statement":{"Action":"*","Resource":"*"}}`,
		"no action":        `{"Statement":{"Effect":"Allow","Resource":"*"}}`,
		"no resource":      `{"Statement":{"Effect":"Allow","Action":"*"}}`,
		"no vendor":        `{"Statement":{"Effect":"Allow","Action":"DescribeImages","Resource":"*"}}`,
		"bad resource":     `{"Statement":{"Effect":"Allow","Action":"*","Resource":"subnet-1"}}`,
		"principal":        `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`,
		"unknown key":      `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}}`,
		"unsupported op":   `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01"}}}}`,
		"bad ip":           `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"localhost"}}}}`,
		"action and not":   `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}}`,
		"empty action set": `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			_, e := parsePolicy(doc)
			require.NotNil(t, e, "parsePolicy(%s) = nil, want MalformedPolicyDocument", name)
			assert.Equal(t, "MalformedPolicyDocument", e.code)
		})
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotAction":["ec2:*"],"NotResource":"arn:*",` +
		`"Condition":{"IpAddressIfExists":{"aws:SourceIp":["10.0.0.0/8"]}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, e := parsePolicy(doc)
		if (p == nil) == (e == nil) {
			t.Fatalf("parsePolicy returned %v and %v", p, e)
		}
		if p != nil {
			authorize([][]*policyDoc{{p}}, "ec2:DescribeImages", []string{"*"},
				map[string]string{"aws:sourceip": "127.0.0.1"})
		}
	})
}

func FuzzParseAuth(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=abcdef")
	f.Add("AWS4-HMAC-SHA256 Credential=/////")
	f.Fuzz(func(t *testing.T, h string) {
		a, ok := parseAuth(h)
		if ok && (a.keyID == "" || a.signature == "" || len(a.signedHeaders) == 0) {
			t.Fatalf("parseAuth(%q) accepted a header without key, signature or headers", h)
		}
		if ok && !strings.HasPrefix(h, "AWS4-HMAC-SHA256 ") {
			t.Fatalf("parseAuth(%q) accepted another algorithm", h)
		}
	})
}
