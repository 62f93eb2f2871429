package ec2token

import (
	"testing"
)

// Parse and serialize benchmarks of the native and Perl formats, on the
// same credentials as bench/perl_bench.pl, which times the Perl module doing
// the same work; bench/perl.sh runs both and prints the ratios.

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

func BenchmarkParseNative(b *testing.B) { benchParse(b, FormatNative) }
func BenchmarkParsePerl(b *testing.B)   { benchParse(b, FormatPerl) }
func BenchmarkSerializeNative(b *testing.B) {
	c := testCredentials()
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Serialize()
	}
}
func BenchmarkSerializePerl(b *testing.B) { benchMarshal(b, FormatPerl) }
