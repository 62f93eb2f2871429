package ststest

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

const (
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// apiError is an error answer, written in the shape of the service that
// was called.
type apiError struct {
	status  int
	code    string
	Message string
}

// Messages and errors shared by both services, worded as AWS words them.
const (
	msgSignatureMismatch = "The request signature we calculated does not match the " +
		"signature you provided. Check your AWS Secret Access Key and signing method. " +
		"Consult the service documentation for details."
	msgAuthFailure = "AWS was not able to validate the provided access credentials"
)

var (
	errMissingAuth = &apiError{http.StatusForbidden, "MissingAuthenticationToken",
		"Request is missing Authentication Token"}
	errIncompleteSignature = &apiError{http.StatusBadRequest, "IncompleteSignature",
		"The request signature does not conform to AWS standards."}
	errRequestExpired = &apiError{http.StatusBadRequest, "RequestExpired",
		"Request has expired."}
	errUnauthorized = &apiError{http.StatusForbidden, "UnauthorizedOperation",
		"You are not authorized to perform this operation."}
)

// signatureMismatch is the answer to a signature made with the wrong
// secret: STS says SignatureDoesNotMatch, EC2 says AuthFailure.
func signatureMismatch(service, msg string) *apiError {
	if service == "ec2" {
		return &apiError{http.StatusUnauthorized, "AuthFailure", msgAuthFailure}
	}
	return &apiError{http.StatusForbidden, "SignatureDoesNotMatch", msg}
}

// invalidKey is the answer to an unknown access key, or a temporary key
// with a missing or wrong session token.
func invalidKey(service string) *apiError {
	if service == "ec2" {
		return &apiError{http.StatusUnauthorized, "AuthFailure", msgAuthFailure}
	}
	return &apiError{http.StatusForbidden, "InvalidClientTokenId",
		"The security token included in the request is invalid."}
}

// expiredToken is the answer to temporary credentials used after their
// expiration.
func expiredToken(service string) *apiError {
	if service == "ec2" {
		return errRequestExpired
	}
	return &apiError{http.StatusForbidden, "ExpiredToken",
		"The security token included in the request is expired"}
}

func throttled(service string) *apiError {
	if service == "ec2" {
		return &apiError{http.StatusServiceUnavailable, "RequestLimitExceeded",
			"Request limit exceeded."}
	}
	return &apiError{http.StatusBadRequest, "Throttling", "Rate exceeded"}
}

func internalError(service string) *apiError {
	if service == "ec2" {
		return &apiError{http.StatusInternalServerError, "InternalError",
			"An internal error has occurred"}
	}
	return &apiError{http.StatusInternalServerError, "InternalFailure",
		"An internal error has occurred"}
}

func invalidAction(service, action string) *apiError {
	if service == "ec2" {
		return &apiError{http.StatusBadRequest, "InvalidAction",
			"The action " + action + " is not valid for this web service."}
	}
	return &apiError{http.StatusBadRequest, "InvalidAction",
		"Could not find operation " + action + " for version 2011-06-15"}
}

// validationErrors collects the constraint violations of one request and
// reports them in the words of STS.
type validationErrors []string

// add records one violation. value is the offending value as AWS quotes
// it ('abc' or null), or "" to leave it out: secrets and long documents
// are never quoted.
func (v *validationErrors) add(value, field, constraint string) {
	if value != "" {
		value += " "
	}
	*v = append(*v, "Value "+value+"at '"+field+"' failed to satisfy constraint: "+constraint)
}

func (v validationErrors) err() *apiError {
	if len(v) == 0 {
		return nil
	}
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return &apiError{http.StatusBadRequest, "ValidationError",
		fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))}
}

// writeError writes e in the error shape of service.
func writeError(w http.ResponseWriter, service string, e *apiError) {
	id := requestID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", id)
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(xml.Header))
	if service == "ec2" {
		type ec2Err struct {
			Code    string
			Message string
		}
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName   xml.Name `xml:"Response"`
			Errors    []ec2Err `xml:"Errors>Error"`
			RequestID string
		}{Errors: []ec2Err{{e.code, e.Message}}, RequestID: id})
		return
	}
	typ := "Sender"
	if e.status >= 500 {
		typ = "Receiver"
	}
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: stsNamespace, Type: typ, Code: e.code, Message: e.Message, RequestID: id})
}

// stsHead starts the successful answer to an STS action. The struct that
// embeds it names its element with an XMLName field and ends with a
// RequestID field tagged `xml:"ResponseMetadata>RequestId"`. (The XMLName
// cannot live in the embedded struct: encoding/xml cannot read it there.)
type stsHead struct {
	Xmlns string `xml:"xmlns,attr"`
}

func newSTSHead() stsHead { return stsHead{Xmlns: stsNamespace} }

// ec2Head starts the successful answer to an EC2 action. The struct that
// embeds it names its element with an XMLName field.
type ec2Head struct {
	Xmlns     string `xml:"xmlns,attr"`
	RequestID string `xml:"requestId"`
}

func newEC2Head() ec2Head { return ec2Head{Xmlns: ec2Namespace, RequestID: requestID()} }

// writeXML writes a successful answer.
func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(v)
}

// requestID returns a random identifier in the form of a UUID.
func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	lowerHex    = "0123456789abcdef"
)

// randomString returns n characters drawn at random from alphabet, whose
// length must divide 256.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
