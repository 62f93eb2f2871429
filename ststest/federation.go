package ststest

import (
	"crypto/hmac"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// SigninTokenLifetime is how long a signin token from getSigninToken stays
// valid on the server's clock, as AWS documents it. A token is also
// single-use: the first successful login spends it.
const SigninTokenLifetime = 15 * time.Minute

type signin struct {
	userARN string
	expires time.Time
}

// serveFederation answers the console federation endpoint, URL +
// "/federation". Errors are plain-text answers with HTTP 400, as the real
// endpoint gives no structured error.
//
// getSigninToken takes Session, a JSON object with sessionId, sessionKey and
// sessionToken, and answers {"SigninToken": "..."} when they are
// credentials from GetFederationToken that have not expired. Credentials
// from GetSessionToken are refused, as AWS refuses them, and so is a
// SessionDuration parameter, which AWS allows only with role credentials.
//
// login takes SigninToken, Issuer and Destination, and answers a 302
// redirect to Destination when the token is valid. Clients that follow
// redirects leave loopback there; tests should not follow it.
func (s *Server) serveFederation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action := q.Get("Action")
	s.mu.Lock()
	if action != "" {
		s.counts[action]++
	}
	now := s.nowLocked()
	s.mu.Unlock()
	switch action {
	case "getSigninToken":
		s.getSigninToken(w, q, now)
	case "login":
		s.login(w, r, q, now)
	default:
		http.Error(w, "unknown or missing Action", http.StatusBadRequest)
	}
}

func (s *Server) getSigninToken(w http.ResponseWriter, q url.Values, now time.Time) {
	var sess struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if json.Unmarshal([]byte(q.Get("Session")), &sess) != nil {
		http.Error(w, "Session is not a JSON object", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	id := s.keys[sess.ID]
	s.mu.Unlock()
	switch {
	case id == nil || id.kind == kindRoot ||
		!hmac.Equal([]byte(id.secret), []byte(sess.Key)) ||
		!hmac.Equal([]byte(id.token), []byte(sess.Token)):
		http.Error(w, "the session credentials are not valid", http.StatusBadRequest)
		return
	case id.kind == kindSession:
		http.Error(w, "credentials from GetSessionToken cannot sign in to the console",
			http.StatusBadRequest)
		return
	case !now.Before(id.expires):
		http.Error(w, "the session credentials have expired", http.StatusBadRequest)
		return
	case q.Has("SessionDuration"):
		http.Error(w, "SessionDuration is not allowed with federated user credentials",
			http.StatusBadRequest)
		return
	}
	tok := randomString(base64URLChars, 200)
	s.mu.Lock()
	s.signins[tok] = signin{
		userARN: "arn:aws:sts::" + s.AccountID + ":federated-user/" + id.name,
		expires: now.Add(SigninTokenLifetime),
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": tok})
}

const base64URLChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func (s *Server) login(w http.ResponseWriter, r *http.Request, q url.Values, now time.Time) {
	dest, err := url.Parse(q.Get("Destination"))
	if err != nil || !dest.IsAbs() {
		http.Error(w, "Destination must be an absolute URL", http.StatusBadRequest)
		return
	}
	tok := q.Get("SigninToken")
	s.mu.Lock()
	si, ok := s.signins[tok]
	if ok {
		delete(s.signins, tok)
	}
	s.mu.Unlock()
	if !ok || !now.Before(si.expires) {
		http.Error(w, "the signin token is not valid", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, dest.String(), http.StatusFound)
}

// SigninUser reports the ARN of the federated user a signin token from
// getSigninToken belongs to, and whether the token is still unused and
// unexpired on the server's clock.
func (s *Server) SigninUser(signinToken string) (federatedUserARN string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, found := s.signins[signinToken]
	if !found || !s.nowLocked().Before(si.expires) {
		return "", false
	}
	return si.userARN, true
}
