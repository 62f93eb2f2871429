#!/usr/bin/perl
# Writes images.txt: Storable images of assorted Perl values, one per line
# as "name<TAB>hex", for the Go Storable reader's tests. Regenerate with
#   perl testdata/storable/images.pl > testdata/storable/images.txt
use strict;
use warnings;
use Storable qw(nfreeze freeze);
use Scalar::Util qw(weaken);
use Hash::Util qw(lock_keys);

package Ov { use overload q("") => sub { "s" }; }

sub image { print "$_[0]\t", unpack("H*", $_[1]), "\n" }

my $x = { k => "v" };
image("shared", nfreeze([ $x, $x, \$x ]));
my $cycle = [];
push @$cycle, $cycle;
image("cycle", nfreeze($cycle));
image("numbers native", freeze([ 1, -5, 300, -2**40, 1.5 ]));
image("numbers net", nfreeze([ 1, -128, 127, 128, -129, 2**31 - 1, -2**31, 2**40, 1.5 ]));
image("utf8 hash", nfreeze({ "\x{263a}" => "\x{263a}", "caf\x{e9}" => "caf\x{e9}" }));
my $k = "caf\x{e9}";
utf8::upgrade($k);
image("wasutf8 hash", nfreeze({ $k => 1, "\x{263a}" => 2 }));
my %r = (a => 1, b => 2);
lock_keys(%r);
delete $r{b};
image("restricted", nfreeze(\%r));
image("long strings", nfreeze([ "L" x 300, "\x{263a}" x 100 ]));
image("blessed", nfreeze([ bless({}, "Foo"), bless([], "Foo"), bless(\(my $s = "s"), "Bar"),
    bless({}, "C" x 200) ]));
my $t = {};
my $weak = [ $t, $t ];
weaken($weak->[1]);
image("weak", nfreeze($weak));
image("overload", nfreeze([ bless({}, "Ov") ]));
image("regexp", nfreeze([ qr/a.b/i, "after" ]));
image("immortals", nfreeze([ \undef, \!!1, \!!0, undef ]));
my @sparse;
$sparse[2] = "x";
image("sparse", nfreeze(\@sparse));
image("vstring", nfreeze([v1.2.3]));
{
    no warnings "once";
    local $Storable::Deparse = 1;
    image("code", nfreeze([ sub { 1 } ]));
}
