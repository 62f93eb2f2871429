package ststest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxSkew is how far the request time of a signature may be from the wall
// clock, as AWS allows.
const maxSkew = 15 * time.Minute

const amzDateFormat = "20060102T150405Z"

// authHeader is a parsed SigV4 Authorization header.
type authHeader struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

// parseAuth parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...". The boolean is false when the header is absent or is not
// a SigV4 header.
func parseAuth(h string) (authHeader, bool) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, false
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, false
			}
			a.keyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	ok = a.keyID != "" && len(a.signedHeaders) > 0 && a.signature != ""
	return a, ok
}

// serviceOf returns the service named in the request's credential scope,
// or "" when the request carries no SigV4 Authorization header.
func serviceOf(r *http.Request) string {
	a, ok := parseAuth(r.Header.Get("Authorization"))
	if !ok {
		return ""
	}
	return a.service
}

// authenticate verifies the request's signature and returns the identity
// that signed it. body is the request payload. The order of the checks
// follows what AWS reports first: a missing or malformed header, then the
// request time against the wall clock, then the key, then the signature,
// then the session token and the expiry by the server's clock.
func (s *Server) authenticate(r *http.Request, body []byte, service string) (*identity, *apiError) {
	raw := r.Header.Get("Authorization")
	if raw == "" {
		return nil, errMissingAuth
	}
	a, ok := parseAuth(raw)
	if !ok {
		return nil, errIncompleteSignature
	}
	when, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return nil, errIncompleteSignature
	}
	if e := checkSkew(when, time.Now(), service); e != nil {
		return nil, e
	}
	if a.date != when.Format("20060102") {
		return nil, signatureMismatch(service, "Credential should be scoped to correct date.")
	}

	s.mu.Lock()
	id := s.keys[a.keyID]
	now := s.nowLocked()
	s.mu.Unlock()
	if id == nil {
		return nil, invalidKey(service)
	}
	want := sign(id.secret, a, canonicalRequest(r, body, a.signedHeaders), when)
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return nil, signatureMismatch(service, msgSignatureMismatch)
	}
	if sum := r.Header.Get("X-Amz-Content-Sha256"); sum != "" && sum != "UNSIGNED-PAYLOAD" &&
		sum != hashHex(body) {
		return nil, signatureMismatch(service, msgSignatureMismatch)
	}
	if !signed(a.signedHeaders, "host") {
		return nil, signatureMismatch(service, msgSignatureMismatch)
	}
	tok := r.Header.Get("X-Amz-Security-Token")
	if !hmac.Equal([]byte(tok), []byte(id.token)) {
		return nil, invalidKey(service)
	}
	if id.kind != kindRoot && !now.Before(id.expires) {
		return nil, expiredToken(service)
	}
	return id, nil
}

func signed(headers []string, name string) bool {
	for _, h := range headers {
		if h == name {
			return true
		}
	}
	return false
}

// checkSkew returns the error AWS sends for a request time more than
// [maxSkew] away from now.
func checkSkew(when, now time.Time, service string) *apiError {
	switch {
	case when.Before(now.Add(-maxSkew)):
		if service == "ec2" {
			return errRequestExpired
		}
		return &apiError{http.StatusForbidden, "SignatureDoesNotMatch",
			"Signature expired: " + when.Format(amzDateFormat) + " is now earlier than " +
				now.Add(-maxSkew).UTC().Format(amzDateFormat) + " (" +
				now.UTC().Format(amzDateFormat) + " - 15 min.)"}
	case when.After(now.Add(maxSkew)):
		if service == "ec2" {
			return errRequestExpired
		}
		return &apiError{http.StatusForbidden, "SignatureDoesNotMatch",
			"Signature not yet current: " + when.Format(amzDateFormat) + " is still later than " +
				now.Add(maxSkew).UTC().Format(amzDateFormat) + " (" +
				now.UTC().Format(amzDateFormat) + " + 15 min.)"}
	}
	return nil
}

// canonicalRequest builds the SigV4 canonical request. The payload hash is
// X-Amz-Content-Sha256 when the client sent it, the hash of body otherwise.
func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path + "\n")
	b.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, h := range signedHeaders {
		var v string
		switch {
		case h == "host":
			v = r.Host
		case h == "content-length" && r.Header.Get(h) == "":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			vals := r.Header.Values(h)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(h + ":" + v + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n")
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = hashHex(body)
	}
	b.WriteString(payload)
	return b.String()
}

func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes everything but the unreserved characters, with
// upper-case hex digits, as SigV4 requires.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// sign returns the hex signature of canonical under secret for the scope
// of a.
func sign(secret string, a authHeader, canonical string, when time.Time) string {
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + when.Format(amzDateFormat) + "\n" + scope + "\n" +
		hashHex([]byte(canonical))
	k := hmacSHA256([]byte("AWS4"+secret), a.date)
	k = hmacSHA256(k, a.region)
	k = hmacSHA256(k, a.service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
