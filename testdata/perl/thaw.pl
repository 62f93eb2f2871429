#!/usr/bin/perl
# Reads a JSON array of serialized credentials on standard input, thaws each
# with VM::EC2::Security::Credentials->new_from_serialized, and prints a JSON
# array of what the object holds: its class, its top-level keys, the keys
# of its data hash, and each credential as the module's accessors return it
# (null when undefined, a string otherwise).
use strict;
use warnings;
use JSON::PP;
use VM::EC2::Security::Credentials;

sub str { defined $_[0] ? "$_[0]" : undef }

local $/;
my $in = decode_json(<STDIN>);
my @out;
for my $s (@$in) {
    my $c = VM::EC2::Security::Credentials->new_from_serialized($s);
    push @out, {
        class           => ref($c),
        keys            => [ sort keys %$c ],
        data_keys       => [ sort keys %{ $c->{data} } ],
        AccessKeyId     => str($c->accessKeyId),
        SecretAccessKey => str($c->secretAccessKey),
        SessionToken    => str($c->sessionToken),
        Expiration      => str($c->expiration),
        ec2             => defined($c->ec2) ? 1 : 0,
    };
}
print JSON::PP->new->canonical->encode(\@out);
