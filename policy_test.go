package ec2token

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEC2Action(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DescribeImages", "ec2:DescribeImages"},
		{"describe_images", "ec2:DescribeImages"},
		{"ec2:DescribeImages", "ec2:DescribeImages"},
		{"EC2:describe_images", "ec2:DescribeImages"},
		{"describeImages", "ec2:DescribeImages"},
		{"Describe*", "ec2:Describe*"},
		{"describe_*", "ec2:Describe_*"},
		{"*", "ec2:*"},
		{"_run_instances", "ec2:RunInstances"},
		{"describe_2x", "ec2:Describe_2x"},
		{"delete__volume", "ec2:Delete_Volume"},
		{"s3:GetObject", "s3:GetObject"},
		{"s3:get_object", "s3:get_object"},
		{"", "ec2:"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, EC2Action(tt.in), "EC2Action(%q)", tt.in)
		})
	}
}

func TestPolicyString(t *testing.T) {
	tests := []struct {
		name string
		p    *Policy
		want string
	}{
		{"empty", NewPolicy(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`},
		{"zero value", &Policy{},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`},
		{"allow all", NewPolicy().Allow(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`},
		{"sorted and deduplicated", NewPolicy().Allow("run_instances", "DescribeImages", "RunInstances"),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Action":["ec2:DescribeImages","ec2:RunInstances"],"Resource":"*"}]}`},
		{"statements keep call order", NewPolicy().Deny("TerminateInstances").Allow("s3:GetObject"),
			`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"},` +
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
		{"resources and conditions",
			NewPolicy().Allow("RunInstances").On("arn:aws:ec2:*:*:subnet/subnet-1", "arn:aws:ec2:*:*:instance/*").
				When("IpAddress", "aws:SourceIp", "10.0.0.0/8").
				When("StringEquals", "ec2:Region", "eu-west-1").
				When("IpAddress", "aws:SourceIp", "192.168.0.0/16"),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances",` +
				`"Resource":["arn:aws:ec2:*:*:subnet/subnet-1","arn:aws:ec2:*:*:instance/*"],` +
				`"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},` +
				`"StringEquals":{"ec2:Region":"eu-west-1"}}}]}`},
		{"two keys under one operator",
			NewPolicy().Allow("StartInstances").When("StringEquals", "ec2:Region", "us-east-1").
				When("StringEquals", "aws:PrincipalTag/Team", "a"),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StartInstances",` +
				`"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"a","ec2:Region":"us-east-1"}}}]}`},
		{"Add with Sid, NotAction and NotResource",
			NewPolicy().Add(Statement{Sid: "NoIAM", Effect: "Deny", NotActions: []string{"ec2:*", "ec2:*"},
				NotResources: []string{"arn:aws:ec2:*:*:instance/i-1"}}),
			`{"Version":"2012-10-17","Statement":[{"Sid":"NoIAM","Effect":"Deny","NotAction":"ec2:*",` +
				`"NotResource":"arn:aws:ec2:*:*:instance/i-1"}]}`},
		{"Add defaults Resource", NewPolicy().Add(Statement{Effect: "Allow", Actions: []string{"ec2:RunInstances"}}),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}`},
		{"escapes only what JSON needs",
			NewPolicy().Allow("s3:GetObject").On(`arn:aws:s3:::b/<a&b>"\` + "\x01é"),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
				`"Resource":"arn:aws:s3:::b/<a&b>\"\\\u0001é"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.String(), "String()")
		})
	}
}

func TestPolicySameCallsSameBytes(t *testing.T) {
	build := func(actions ...string) string {
		return NewPolicy().Allow(actions...).Deny("DescribeVolumes").String()
	}
	want := build("Describe*", "CreateVolume", "delete_volume")
	for _, order := range [][]string{
		{"delete_volume", "Describe*", "CreateVolume"},
		{"CreateVolume", "delete_volume", "Describe*", "DeleteVolume"},
	} {
		assert.Equal(t, want, build(order...), "String() after Allow%q", order)
	}
}

func TestPolicyMisuse(t *testing.T) {
	tests := []struct {
		name string
		p    *Policy
		want string
	}{
		{"On first", NewPolicy().On("arn:aws:ec2:*:*:subnet/*").Allow(), "On called before Allow, Deny or Add"},
		{"When first", NewPolicy().When("Bool", "aws:SecureTransport", "true"), "When called before"},
		{"On empty", NewPolicy().Allow().On(), "On needs at least one resource"},
		{"When empty", NewPolicy().Allow().When("Bool", "aws:SecureTransport"), "When needs at least one value"},
		{"first misuse wins", NewPolicy().On().Allow().On(), "On called before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			var ie *InputError
			require.True(t, errors.As(err, &ie), "Validate() = %v, want an *InputError", err)
			assert.Equal(t, "Policy", ie.Field)
			assert.Contains(t, ie.Problem, tt.want)
		})
	}
}

func TestPolicyStatementsIsACopy(t *testing.T) {
	p := NewPolicy().Allow("RunInstances").When("StringEquals", "ec2:Region", "eu-west-1")
	before := p.String()
	got := p.Statements()
	require.Len(t, got, 1)
	got[0].Actions[0] = "ec2:TerminateInstances"
	got[0].Conditions[0].Values[0] = "us-east-1"
	assert.Equal(t, before, p.String(), "String() after changing what Statements() returned")

	in := Statement{Effect: "Allow", Actions: []string{"ec2:RunInstances"}}
	q := NewPolicy().Add(in)
	in.Actions[0] = "ec2:TerminateInstances"
	assert.Equal(t, []string{"ec2:RunInstances"}, q.Statements()[0].Actions, "Add kept a reference")
	assert.Empty(t, NewPolicy().Statements(), "NewPolicy().Statements()")
}

func TestPackPolicy(t *testing.T) {
	pad := func(n int) string { // a document of exactly n characters once compacted
		const frame = `{"a":""}`
		b := make([]rune, n-len(frame))
		for i := range b {
			b[i] = 'é' // two bytes, one character
		}
		return `{ "a" :  "` + string(b) + "\"\n}"
	}
	tests := []struct {
		name, doc, want string
	}{
		{"at the limit", pad(2048), ""},
		{"one over", pad(2049), "is 2049 characters once compacted, 1 over the limit of 2048"},
		{"not JSON", "{", "is not a JSON object"},
		{"array", "[]", "is not a JSON object"},
		{"empty", "", "is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := packPolicy("PolicyJSON", tt.doc)
			if tt.want == "" {
				require.NoError(t, err, "packPolicy")
				assert.NotContains(t, got, " ", "packPolicy kept white space")
				return
			}
			var ie *InputError
			require.True(t, errors.As(err, &ie), "packPolicy = %v, want an *InputError", err)
			assert.Equal(t, "PolicyJSON", ie.Field)
			assert.Equal(t, tt.want, ie.Problem)
		})
	}
}
