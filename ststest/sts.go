package ststest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Limits of STS, as the API reference states them.
const (
	defaultDuration   = 12 * time.Hour
	minDurationSecs   = 900
	maxDurationSecs   = 129600
	maxPolicyLength   = 2048
	maxPolicyARNs     = 10
	maxTags           = 50
	packedPolicyLimit = 2048
)

var (
	namePattern   = regexp.MustCompile(`^[\w+=,.@-]*$`)
	serialPattern = regexp.MustCompile(`^[\w+=/:,.@-]*$`)
	digitsPattern = regexp.MustCompile(`^[0-9]*$`)
)

const stsTimeFormat = "2006-01-02T15:04:05Z"

func (s *Server) serveSTS(action string, req *request) *apiError {
	switch action {
	case "GetFederationToken":
		return s.getFederationToken(req)
	case "GetSessionToken":
		return s.getSessionToken(req)
	case "GetCallerIdentity":
		return s.getCallerIdentity(req)
	}
	return invalidAction("sts", action)
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// Session tokens carry the packed session policy, so their size grows with
// it: a token is baseTokenSize characters plus the packed size, padded to
// MinimumSessionTokenSize when asked, and at most maxTokenSize.
const (
	baseTokenSize = 356
	maxTokenSize  = 4096
)

// tokenSize is the SessionTokenSize and SessionTokenUtilization of an
// answer.
type tokenSize struct {
	Size        int `xml:"SessionTokenSize"`
	Utilization int `xml:"SessionTokenUtilization"`
}

// checkMinTokenSize reads MinimumSessionTokenSize.
func checkMinTokenSize(req *request, v *validationErrors) int {
	raw := req.params.Get("MinimumSessionTokenSize")
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxTokenSize {
		v.add("", "minimumSessionTokenSize",
			"Member must have value less than or equal to 4096")
	}
	return n
}

// checkDuration reads DurationSeconds; the zero value means the default.
func checkDuration(req *request, v *validationErrors) time.Duration {
	raw := req.params.Get("DurationSeconds")
	if raw == "" {
		return defaultDuration
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		v.add("", "durationSeconds", "Member must be an integer")
	case n < minDurationSecs:
		v.add("'"+raw+"'", "durationSeconds",
			"Member must have value greater than or equal to 900")
	case n > maxDurationSecs:
		v.add("'"+raw+"'", "durationSeconds",
			"Member must have value less than or equal to 129600")
	}
	return time.Duration(n) * time.Second
}

// issue mints fresh temporary credentials for id and registers them. The
// session token is sized for packed bytes of session policy and at least
// minSize characters.
func (s *Server) issue(id *identity, d time.Duration, packed, minSize int) (stsCredentials, tokenSize) {
	id.keyID = "ASIA" + randomString(upperDigits, 16)
	id.secret = randomString(base64Chars, 40)
	n := min(max(baseTokenSize+packed, minSize), maxTokenSize)
	id.token = "FwoGZXIvYXdzE" + randomString(base64Chars, n-13)
	s.mu.Lock()
	id.expires = s.nowLocked().Add(d).Truncate(time.Second)
	s.keys[id.keyID] = id
	s.mu.Unlock()
	return stsCredentials{id.keyID, id.secret, id.token, id.expires.UTC().Format(stsTimeFormat)},
		tokenSize{n, (n*100 + maxTokenSize - 1) / maxTokenSize}
}

func (s *Server) getFederationToken(req *request) *apiError {
	p := req.params
	var v validationErrors
	name, hasName := p["Name"]
	switch {
	case !hasName:
		v.add("null", "name", "Member must not be null")
	case len(name[0]) < 2:
		v.add("'"+name[0]+"'", "name", "Member must have length greater than or equal to 2")
	case len(name[0]) > 32:
		v.add("'"+name[0]+"'", "name", "Member must have length less than or equal to 32")
	case !namePattern.MatchString(name[0]):
		v.add("'"+name[0]+"'", "name",
			`Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	d := checkDuration(req, &v)
	minSize := checkMinTokenSize(req, &v)
	policy, hasPolicy := p["Policy"]
	if hasPolicy {
		switch {
		case len(policy[0]) > maxPolicyLength:
			v.add("", "policy", "Member must have length less than or equal to 2048")
		case len(policy[0]) < 1:
			v.add("", "policy", "Member must have length greater than or equal to 1")
		}
	}
	arns := listParam(p, "PolicyArns.member", ".arn")
	if len(arns) > maxPolicyARNs {
		v.add("", "policyArns", "Member must have length less than or equal to 10")
	}
	keys := listParam(p, "Tags.member", ".Key")
	values := make([]string, len(keys))
	for i := range keys {
		values[i] = p.Get("Tags.member." + strconv.Itoa(i+1) + ".Value")
	}
	if len(keys) > maxTags {
		v.add("", "tags", "Member must have length less than or equal to 50")
	}
	for _, k := range keys {
		if len(k) < 1 || len(k) > 128 {
			v.add("", "tags.member.key", "Member must have length between 1 and 128")
		}
	}
	for _, val := range values {
		if len(val) > 256 {
			v.add("", "tags.member.value", "Member must have length less than or equal to 256")
		}
	}
	if e := v.err(); e != nil {
		return e
	}
	if req.id.kind != kindRoot {
		return &apiError{http.StatusForbidden, "AccessDenied",
			"Cannot call GetFederationToken with session credentials"}
	}

	var session []*policyDoc
	packed := 0
	if hasPolicy {
		doc, e := parsePolicy(policy[0])
		if e != nil {
			return e
		}
		session = append(session, doc)
		var b bytes.Buffer
		_ = json.Compact(&b, []byte(policy[0]))
		packed += b.Len()
	}
	s.mu.Lock()
	for _, arn := range arns {
		doc := s.managed[arn]
		if doc == nil {
			s.mu.Unlock()
			return &apiError{http.StatusNotFound, "NoSuchEntity",
				"A policy ARN does not exist or is not attachable."}
		}
		session = append(session, doc)
		packed += len(arn)
	}
	s.mu.Unlock()
	for i := range keys {
		packed += len(keys[i]) + len(values[i])
	}
	percent := (packed*100 + packedPolicyLimit - 1) / packedPolicyLimit
	if percent > 100 {
		return &apiError{http.StatusBadRequest, "PackedPolicyTooLarge",
			"Packed policy consumes " + strconv.Itoa(percent) +
				"% of allotted space, please use smaller policy for the request."}
	}

	id := &identity{kind: kindFederated, name: name[0], session: session}
	type fedUser struct {
		Arn             string
		FederatedUserID string `xml:"FederatedUserId"`
	}
	type result struct {
		Credentials      stsCredentials
		FederatedUser    fedUser
		PackedPolicySize *int
		tokenSize
	}
	res := result{
		FederatedUser: fedUser{
			Arn:             "arn:aws:sts::" + s.AccountID + ":federated-user/" + id.name,
			FederatedUserID: s.AccountID + ":" + id.name,
		},
	}
	if hasPolicy || len(arns) > 0 || len(keys) > 0 {
		res.PackedPolicySize = &percent
	}
	res.Credentials, res.tokenSize = s.issue(id, d, packed, minSize)
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"GetFederationTokenResponse"`
		stsHead
		Result    result `xml:"GetFederationTokenResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}{xml.Name{}, newSTSHead(), res, requestID()})
	return nil
}

func (s *Server) getSessionToken(req *request) *apiError {
	p := req.params
	var v validationErrors
	d := checkDuration(req, &v)
	minSize := checkMinTokenSize(req, &v)
	serial, code := p.Get("SerialNumber"), p.Get("TokenCode")
	if _, ok := p["SerialNumber"]; ok {
		switch {
		case len(serial) < 9 || len(serial) > 256:
			v.add("", "serialNumber", "Member must have length between 9 and 256")
		case !serialPattern.MatchString(serial):
			v.add("", "serialNumber",
				`Member must satisfy regular expression pattern: [\w+=/:,.@-]*`)
		}
	}
	if _, ok := p["TokenCode"]; ok {
		switch {
		case len(code) != 6:
			v.add("", "tokenCode", "Member must have length between 6 and 6")
		case !digitsPattern.MatchString(code):
			v.add("", "tokenCode", `Member must satisfy regular expression pattern: [\d]*`)
		}
	}
	if e := v.err(); e != nil {
		return e
	}
	if req.id.kind != kindRoot {
		return &apiError{http.StatusForbidden, "AccessDenied",
			"Cannot call GetSessionToken with session credentials"}
	}
	if (serial == "") != (code == "") {
		return &apiError{http.StatusForbidden, "AccessDenied", "MultiFactorAuthentication " +
			"failed, must provide both MFA serial number and one time pass code."}
	}
	if serial != "" {
		s.mu.Lock()
		check, now := s.mfa[serial], s.nowLocked()
		s.mu.Unlock()
		if check == nil {
			return &apiError{http.StatusForbidden, "AccessDenied",
				"MultiFactorAuthentication failed, unable to validate MFA code."}
		}
		if !check(code, now) {
			return &apiError{http.StatusForbidden, "AccessDenied",
				"MultiFactorAuthentication failed with invalid MFA one time pass code. "}
		}
	}

	id := &identity{kind: kindSession, name: req.id.name, mfa: serial != ""}
	type result struct {
		Credentials stsCredentials
		tokenSize
	}
	var res result
	res.Credentials, res.tokenSize = s.issue(id, d, 0, minSize)
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"GetSessionTokenResponse"`
		stsHead
		Result    result `xml:"GetSessionTokenResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}{xml.Name{}, newSTSHead(), res, requestID()})
	return nil
}

func (s *Server) getCallerIdentity(req *request) *apiError {
	type result struct {
		Arn     string
		UserID  string `xml:"UserId"`
		Account string
	}
	res := result{
		Arn:     "arn:aws:iam::" + s.AccountID + ":user/" + s.UserName,
		UserID:  "AIDA" + s.rootKeyID[4:],
		Account: s.AccountID,
	}
	if req.id.kind == kindFederated {
		res.Arn = "arn:aws:sts::" + s.AccountID + ":federated-user/" + req.id.name
		res.UserID = s.AccountID + ":" + req.id.name
	}
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"GetCallerIdentityResponse"`
		stsHead
		Result    result `xml:"GetCallerIdentityResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}{xml.Name{}, newSTSHead(), res, requestID()})
	return nil
}
