package ec2token

import "testing"

// benchPolicy builds a typical policy: the Perl manual's synopsis plus a
// statement limited to a subnet and a source range.
func benchPolicy() *Policy {
	return NewPolicy().
		Allow("Describe*", "CreateVolume", "delete_volume", "AttachVolume", "ec2:DetachVolume").
		Deny("DescribeVolumes").
		Allow("RunInstances").On("arn:aws:ec2:*:*:subnet/subnet-1", "arn:aws:ec2:*:*:instance/*").
		When("IpAddress", "aws:SourceIp", "10.0.0.0/8")
}

func BenchmarkPolicyBuildString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = benchPolicy().String()
	}
}

func BenchmarkPolicyValidate(b *testing.B) {
	p := benchPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePolicy(b *testing.B) {
	doc := benchPolicy().String()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePolicy(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateUnknownAction measures the error path, which searches
// the whole catalog for a suggestion.
func BenchmarkValidateUnknownAction(b *testing.B) {
	p := NewPolicy().Allow("DescribeImage")
	b.ReportAllocs()
	for b.Loop() {
		if p.Validate() == nil {
			b.Fatal("Validate() = nil for an unknown action")
		}
	}
}
