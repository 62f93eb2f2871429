#!/usr/bin/env bash
# Counts the CPU instructions one operation costs through ec2token and
# through the bare aws-sdk-go-v2, with valgrind's callgrind, and prints
# their ratio. Instruction counts do not depend on what else the machine
# is doing, so the ratio is repeatable where wall-clock benchmarks on a
# shared machine are not.
#
# Usage: bench/callgrind.sh [Mint|Client]...   (default: both)
# Needs valgrind (apt-get install -y valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "install valgrind: apt-get install -y valgrind" >&2; exit 1; }

bin=$(mktemp -d)/ec2token.test
go test -c -o "$bin" .
# Go's asynchronous preemption signals upset valgrind; one thread keeps
# the count deterministic.
export GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1

count() { # bench, n -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" -test.run '^$' \
    -test.bench "^Benchmark$1\$" -test.benchtime "$2x" -test.cpu 1 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

lo=200 hi=1200
for bench in "${@:-Mint Client}"; do
  for b in $bench; do
    sdk=$(( ($(count "$b/sdk" $hi) - $(count "$b/sdk" $lo)) / (hi - lo) ))
    ours=$(( ($(count "$b/ec2token" $hi) - $(count "$b/ec2token" $lo)) / (hi - lo) ))
    awk -v b="$b" -v s="$sdk" -v o="$ours" \
      'BEGIN { printf "%-7s sdk %9d instr/op  ec2token %9d instr/op  ratio %.3f\n", b, s, o, o / s }'
  done
done
