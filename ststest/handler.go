package ststest

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody is the largest request payload the server reads.
const maxBody = 1 << 20

// Fault is a failure to inject with [Server.FailNext]. Use [Throttling],
// [InternalError] or [Delay].
type Fault struct {
	kind  int
	delay time.Duration
}

const (
	faultNone = iota
	faultThrottle
	faultInternal
	faultDelay
)

var (
	// Throttling answers as a throttled service does: STS with HTTP 400
	// and code Throttling ("Rate exceeded"), EC2 with HTTP 503 and code
	// RequestLimitExceeded ("Request limit exceeded."). The SDK retries
	// both.
	Throttling = Fault{kind: faultThrottle}
	// InternalError answers with HTTP 500: code InternalFailure from STS,
	// InternalError from EC2, both "An internal error has occurred".
	InternalError = Fault{kind: faultInternal}
)

// Delay returns a [Fault] that holds the request for d before answering it
// normally, to let a client's timeout or context expire. [Server.Close]
// cuts the wait short. Delay panics if d is not positive.
func Delay(d time.Duration) Fault {
	if d <= 0 {
		panic("ststest: Delay needs a positive duration")
	}
	return Fault{kind: faultDelay, delay: d}
}

// FailNext makes the next n requests that name action, an STS or EC2
// action, meet fault instead of their normal answer. The console
// federation endpoint takes no faults. Faults queue up: after n requests the faults of a
// later call apply. A fault is applied before the request's signature is
// checked, and the request is counted by [Server.RequestCount]. FailNext
// panics if action is empty, n is negative or fault is the zero [Fault].
func (s *Server) FailNext(action string, n int, fault Fault) {
	if action == "" || n < 0 || fault.kind == faultNone {
		panic("ststest: FailNext needs an action, a count of zero or more and a fault")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[action] = append(s.faults[action], fault)
	}
}

// identity is the holder of an access key.
type identity struct {
	keyID, secret, token string
	kind                 int
	name                 string    // IAM user name or federated user name
	expires              time.Time // zero for the root user
	// session is the session policy layer of a federated user: the
	// session policy and the managed policies. Empty means no permission.
	session []*policyDoc
	mfa     bool
}

const (
	kindRoot = iota
	kindFederated
	kindSession
)

// request is what a handler needs to know about one call.
type request struct {
	params url.Values
	id     *identity
	region string
	ip     string
	w      http.ResponseWriter
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/federation" {
		s.serveFederation(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	params := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeError(w, serviceOf(r), &apiError{http.StatusBadRequest, "MalformedQueryString",
				"The query string is malformed."})
			return
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	service := serviceOf(r)
	if service == "" && params.Get("Version") == "2011-06-15" {
		service = "sts"
	}
	action := params.Get("Action")

	s.mu.Lock()
	if action != "" {
		s.counts[action]++
	}
	var fault Fault
	if q := s.faults[action]; len(q) > 0 {
		fault, s.faults[action] = q[0], q[1:]
	}
	s.mu.Unlock()
	switch fault.kind {
	case faultThrottle:
		writeError(w, service, throttled(service))
		return
	case faultInternal:
		writeError(w, service, internalError(service))
		return
	case faultDelay:
		if !s.wait(r, fault.delay) {
			return
		}
	}

	id, e := s.authenticate(r, body, service)
	if e != nil {
		writeError(w, service, e)
		return
	}
	a, _ := parseAuth(r.Header.Get("Authorization"))
	req := &request{params: params, id: id, region: a.region, ip: remoteIP(r), w: w}
	switch {
	case action == "":
		e = &apiError{http.StatusBadRequest, "MissingAction", "Missing Action"}
	case service == "sts":
		e = s.serveSTS(action, req)
	case service == "ec2":
		e = s.serveEC2(action, req)
	default:
		e = invalidAction(service, action)
	}
	if e != nil {
		writeError(w, service, e)
	}
}

// wait holds a request for d. It reports false when the client went away
// or the server closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// listParam returns the values of a Query-protocol list such as
// ImageId.1, ImageId.2 or Tags.member.1.Key, in order.
func listParam(p url.Values, prefix, suffix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[prefix+"."+strconv.Itoa(i)+suffix]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}
