#!/usr/bin/perl
# Times VM::EC2::Security::Credentials doing the work that the Go
# benchmarks BenchmarkSerializePerl and BenchmarkParsePerl do, on the same
# credentials, and prints one line per operation: "name ns_per_op".
use strict;
use warnings;
use Time::HiRes qw(time);
use VM::EC2::Security::Credentials;

# The same values as testCredentials in the Go tests.
my $creds = VM::EC2::Security::Credentials->new({
    AccessKeyId     => 'ASIAEXAMPLEKEYID1234',
    SecretAccessKey => 'SECRETwJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    SessionToken    => 'TOKENFwoGZXIvYXdzEJr//////////wEaDM+token+with+slashes/and==',
    Expiration      => '2026-12-03T17:04:05Z',
}, undef);
my $serialized = $creds->serialize;

# bench runs code for about a second, in rounds, and returns ns per call.
sub bench {
    my $code = shift;
    my ($n, $elapsed) = (0, 0);
    my $round = 1000;
    while ($elapsed < 1) {
        my $t0 = time;
        $code->() for 1 .. $round;
        $elapsed += time - $t0;
        $n += $round;
        $round *= 2 if $elapsed < 0.1;
    }
    return $elapsed / $n * 1e9;
}

printf "SerializePerl %.0f\n", bench(sub { my $s = $creds->serialize });
printf "ParsePerl %.0f\n", bench(sub {
    my $c = VM::EC2::Security::Credentials->new_from_serialized($serialized);
    my @v = ($c->access_key_id, $c->secret_access_key, $c->session_token, $c->expiration);
});
