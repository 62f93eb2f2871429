package ec2token

import (
	"testing"
)

// The Perl module's figures for the same work come from bench/perl.sh.

func benchParse(b *testing.B, f Format) {
	out, err := testCredentials().Marshal(f)
	if err != nil {
		b.Fatal(err)
	}
	s := string(out)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCredentials(s); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMarshal(b *testing.B, f Format) {
	c := testCredentials()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseNative(b *testing.B)     { benchParse(b, FormatNative) }
func BenchmarkParsePerl(b *testing.B)       { benchParse(b, FormatPerl) }
func BenchmarkSerializeNative(b *testing.B) { benchMarshal(b, FormatNative) }
func BenchmarkSerializePerl(b *testing.B)   { benchMarshal(b, FormatPerl) }
