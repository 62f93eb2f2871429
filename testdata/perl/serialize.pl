#!/usr/bin/perl
# Reads a JSON array of cases on standard input and prints a JSON array of
# what VM::EC2::Security::Credentials->serialize writes for each. A case is
# {mode, AccessKeyId, SecretAccessKey, SessionToken, Expiration}; a missing
# member is left out of the credentials. Modes:
#   plain     Credentials->new with the values as byte strings
#   upgraded  the same after utf8::upgrade of every value
#   numeric   values that look like integers stored as Perl numbers
#   undef     missing members present as undef
#   token     the STS GetFederationToken answer as XML, parsed by the
#             module's dispatcher into a Token, then Token->credentials
#   json      Credentials->new_from_json of an instance metadata answer,
#             which also freezes the VM::EC2 object the module attaches
use strict;
use warnings;
use JSON::PP;
use VM::EC2;
use VM::EC2::REST::security_token;
use VM::EC2::Dispatch;
use VM::EC2::Security::Credentials;

my @fields = qw(AccessKeyId SecretAccessKey SessionToken Expiration);

sub xml_escape {
    my $s = shift;
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g;
    return $s;
}

sub credentials {
    my $case = shift;
    my $mode = $case->{mode};
    my %data = map { exists $case->{$_} ? ($_ => $case->{$_}) : () } @fields;
    if ($mode eq 'upgraded') {
        utf8::upgrade($_) for values %data;
    } elsif ($mode eq 'numeric') {
        for (values %data) { $_ = 0 + $_ if /^-?[0-9]{1,9}\z/ }
    } elsif ($mode eq 'undef') {
        exists $data{$_} or $data{$_} = undef for @fields;
    } elsif ($mode eq 'token') {
        my $creds = join '', map { "<$_>" . xml_escape($data{$_}) . "</$_>" } sort keys %data;
        my $xml = qq(<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)
          . qq(<GetFederationTokenResult><Credentials>$creds</Credentials>)
          . qq(<FederatedUser><Arn>arn:aws:sts::123456789012:federated-user/Bob</Arn>)
          . qq(<FederatedUserId>123456789012:Bob</FederatedUserId></FederatedUser>)
          . qq(<PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult>)
          . qq(<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>)
          . qq(</ResponseMetadata></GetFederationTokenResponse>);
        my $token = VM::EC2::Dispatch->content2objects('GetFederationToken', $xml, undef);
        return $token->credentials;
    } elsif ($mode eq 'json') {
        my %imds = (Code => 'Success', Type => 'AWS-HMAC', LastUpdated => '2026-12-03T11:00:00Z');
        $imds{$_ eq 'SessionToken' ? 'Token' : $_} = $data{$_} for keys %data;
        return VM::EC2::Security::Credentials->new_from_json(encode_json(\%imds),
            'https://ec2.us-east-1.amazonaws.com');
    } elsif ($mode ne 'plain') {
        die "unknown mode $mode\n";
    }
    return VM::EC2::Security::Credentials->new(\%data, undef);
}

local $/;
my $cases = decode_json(<STDIN>);
print encode_json([ map { credentials($_)->serialize } @$cases ]);
