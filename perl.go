package ec2token

import "errors"

// The Perl format is not readable or writable yet in this build.
var errPerlPending = errors.New("ec2token: the perl format is not supported yet")

func looksLikePerl(string) bool { return false }

func parsePerl(string) (Credentials, error) { return Credentials{}, errPerlPending }

func (c Credentials) marshalPerl() ([]byte, error) { return nil, errPerlPending }
