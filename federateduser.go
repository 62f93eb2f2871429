package ec2token

import "strings"

// FederatedUser is the temporary user that GetFederationToken creates.
type FederatedUser struct {
	// ARN is the user's Amazon Resource Name, as in
	// "arn:aws:sts::123456789012:federated-user/Bob".
	ARN string
	// ID is the user's unique identifier, as in "123456789012:Bob".
	ID string
}

// String returns the ARN, as the Perl module's object did in string
// context.
func (u FederatedUser) String() string { return u.ARN }

// AccountID returns the twelve-digit account that owns the user, taken
// from the ARN, or "" when the ARN is not of the expected form.
func (u FederatedUser) AccountID() string {
	parts := strings.SplitN(u.ARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// Name returns the name given to GetFederationToken, taken from the ARN,
// or "" when the ARN is not of the expected form.
func (u FederatedUser) Name() string {
	parts := strings.SplitN(u.ARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	name, ok := strings.CutPrefix(parts[5], "federated-user/")
	if !ok {
		return ""
	}
	return name
}
