// Package ec2token hands out temporary, limited AWS credentials and puts
// them to work.
//
// It is the Go successor of the Perl module VM::EC2::Security::Token and
// serves two kinds of code.
//
// Admin code holds the long-term credentials of an IAM user. It asks STS
// for a federation token with [GetFederationToken] (a named temporary user,
// a [Policy] that limits it, a lifetime of 15 minutes to 36 hours) or for a
// session token with [GetSessionToken] (the caller's own rights, optionally
// behind an MFA code). The result is a [Token]: temporary [Credentials],
// the [FederatedUser] and the packed size of the policy. The admin
// serializes the credentials with [Credentials.Serialize], seals them with
// [Credentials.Seal] when the channel is not private, and sends the string
// to a user.
//
// User code has no AWS account of its own. It parses the string with
// [ParseCredentials] (or opens it with [OpenSealed]) and builds an EC2
// client with [Credentials.NewEC2], or any AWS SDK client from
// [Credentials.Config], authorized until the credentials expire. The
// package-level [NewEC2] does both steps in one call.
//
// # Checks before requests
//
// Every limit STS documents (name, duration, policy size, policy ARNs,
// tags, MFA serial and code) is checked before a request is sent. A value
// out of bounds is rejected with an [*InputError] that names the field and
// the limit, never clamped. Failures reported by STS come back as an
// [*STSError] that wraps the SDK's error and says what to do.
//
// # Serialized forms
//
// [Credentials.Serialize] writes the native form, [FormatNative], a
// versioned single line safe in e-mail and URLs, described precisely in
// that constant's documentation. [Credentials.Marshal] also writes the
// Perl module's form ([FormatPerl]), the JSON that credential_process
// programs print ([FormatCredentialProcess]), the JSON of the instance
// metadata service ([FormatIMDS]) and shell export lines ([FormatEnv]).
// [ParseCredentials] detects and reads all but the last.
//
// # Sealing
//
// [Credentials.Seal] encrypts the native form to one or more recipients
// with age, as an ASCII-armored string that can travel by e-mail, chat or
// a ticket; [OpenSealed] opens it. [ParseRecipient], [ParseRecipients],
// [ParseIdentities], [ParseSSHIdentity] and the passphrase helpers turn age
// keys, SSH keys and passphrases into recipients and identities.
//
// # Long-running and interactive use
//
// [NewFederationProvider] and [NewSessionProvider] return credential
// providers for the AWS SDK that mint on first use and again shortly
// before expiry, sharing one request among concurrent callers.
// [TerminalPrompt] asks a person for an MFA code on the controlling
// terminal. [Token.ConsoleURL] turns a federation token into a sign-in URL
// for the AWS console.
//
// # Security model
//
// Secret access keys, session tokens, sealed payloads, MFA codes and
// console sign-in URLs are secrets. [Token] and [Credentials] print, format, log (through
// log/slog) and JSON-encode with their access key ID and expiry only; no
// error message of this package quotes a secret or the input it was
// parsing. This departs on purpose from the Perl module, whose token object
// interpolated as its session token.
//
// The native serialized form is an encoding, not a protection: anyone who
// reads it can use the credentials until they expire. Send it over a
// private channel, or seal it to the recipient's public key.
//
// # Expiry
//
// Credentials count as expired [ExpiryMargin] before their Expiration, so
// that a request signed at the last moment does not fail on the wire. Once
// expired they are refused with [ErrExpired] without any request.
//
// # Concurrency
//
// Tokens and credentials are values that this package never modifies after
// returning them; they are safe for concurrent reads. A [Policy] is a
// builder and is not safe for concurrent modification.
package ec2token
