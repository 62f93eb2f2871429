#!/bin/sh
# Times the Go parse and serialize benchmarks of the native and Perl
# formats beside the Perl module VM::EC2::Security::Credentials doing the
# Perl format's work on the same credentials, on this machine, in one run.
# The two sides alternate for a few rounds and each keeps its best figure,
# so that load from other processes hurts neither side more than the other.
# The Go side runs on one CPU (-test.cpu 1), as Perl does.
# Prints ns/op for each and Perl's time divided by Go's.
#
# Usage: bench/perl.sh [rounds]   (from anywhere; needs go, perl and
# libvm-ec2-perl: apt-get install -y libvm-ec2-perl)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/ec2token.test" . >/dev/null
i=0
while [ "$i" -lt "$rounds" ]; do
	"$tmp/ec2token.test" -test.run '^$' -test.bench '^Benchmark(Parse|Serialize)(Native|Perl)$' \
		-test.benchtime 1s -test.cpu 1 | awk '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); sub(/^Benchmark/, "", $1); print $1, $3 }' \
		>>"$tmp/go"
	perl bench/perl_bench.pl >>"$tmp/perl"
	i=$((i + 1))
done

awk '
	FNR == 1 { side = (FILENAME ~ /go$/) ? "go" : "perl" }
	{ key = side SUBSEP $1; if (!(key in best) || $2 < best[key]) best[key] = $2 }
	END {
		printf "%-16s %12s %12s %8s\n", "operation", "Go ns/op", "Perl ns/op", "Perl/Go"
		n = split("ParseNative:ParsePerl SerializeNative:SerializePerl ParsePerl:ParsePerl SerializePerl:SerializePerl", rows, " ")
		for (i = 1; i <= n; i++) {
			split(rows[i], p, ":")
			g = best["go" SUBSEP p[1]]; q = best["perl" SUBSEP p[2]]
			printf "%-16s %12.0f %12.0f %7.1fx\n", p[1], g, q, q / g
		}
	}' "$tmp/go" "$tmp/perl"
