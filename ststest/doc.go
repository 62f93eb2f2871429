// Package ststest provides a local STS and EC2 endpoint for tests and demos,
// in the spirit of net/http/httptest.
//
// A [Server] listens on loopback and speaks the AWS Query protocol with the
// response and error XML of STS (API version 2011-06-15) and EC2 (API
// version 2016-11-15). It verifies the Signature Version 4 signature of every
// request, issues temporary credentials with GetFederationToken and
// GetSessionToken, and enforces a federated user's session policy on every
// EC2 call. [Server.Config] returns an [aws.Config] that points the SDK's STS
// and EC2 clients at the server with its root credentials:
//
//	srv := ststest.NewServer()
//	defer srv.Close()
//	client := sts.NewFromConfig(srv.Config())
//
// The server keeps all state in memory and logs nothing. It is not a
// complete emulation of AWS: it answers the actions listed in the
// documentation of [Server] and nothing else.
//
// # Errors
//
// Errors come in the XML shape of the service called, with the codes and
// messages AWS sends:
//
//   - A wrong secret: STS SignatureDoesNotMatch (HTTP 403); EC2 AuthFailure
//     (HTTP 401), which is what EC2 answers for any credentials it cannot
//     validate.
//   - An unknown access key, or a temporary key with a missing or wrong
//     session token: STS InvalidClientTokenId (403); EC2 AuthFailure (401).
//   - A request time more than 15 minutes from the wall clock: STS
//     SignatureDoesNotMatch (403) "Signature expired: ..." or "Signature not
//     yet current: ..."; EC2 RequestExpired (400).
//   - Expired temporary credentials: STS ExpiredToken (403) "The security
//     token included in the request is expired"; EC2 RequestExpired (400)
//     "Request has expired.".
//   - No Authorization header: MissingAuthenticationToken (403).
//   - STS input out of its limits: ValidationError (400) "1 validation
//     error detected: Value 'x' at 'name' failed to satisfy constraint:
//     ...". Secrets, MFA codes and policy documents are never quoted.
//   - A session policy that is not JSON or not a policy the server can
//     evaluate: MalformedPolicyDocument (400). Packed policies over 100%:
//     PackedPolicyTooLarge (400). An unknown policy ARN: NoSuchEntity (404).
//   - GetFederationToken or GetSessionToken called with temporary
//     credentials, or a failed MFA check: AccessDenied (403).
//   - An EC2 call the caller's policies do not allow: UnauthorizedOperation
//     (403) "You are not authorized to perform this operation.".
//
// # Packed policy size
//
// AWS compresses session policies by an unpublished method. This server
// counts the bytes of the compacted policy JSON, plus the length of each
// policy ARN, plus the length of each tag's key and value, and reports
// PackedPolicySize as that count in percent of 2048 bytes, rounded up.
// Over 100% is PackedPolicyTooLarge. The session token grows with the
// packed size, and SessionTokenSize and SessionTokenUtilization (percent
// of 4096 bytes) report it.
//
// # What it leaves out
//
// The policy language is the subset described on [Server]: the condition
// operators and keys it does not know make a policy malformed rather than
// silently allowing. RunInstances is authorized on the image, the
// instances, the subnet and the security groups it names; real EC2 also
// checks network interfaces and volumes. STS calls are not subject to
// [Server.UserPolicy]. Instances are kept per server, not per region, and
// no answer is paginated.
package ststest
