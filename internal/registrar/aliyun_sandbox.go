package registrar

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// NewAliyunSandboxServer serves the sandbox registry l as Alibaba Cloud's
// Domain API (QueryDomainByDomainName, version 2018-01-29) would for the
// account with the AccessKey pair keyID and secret: it refuses requests
// whose signature (version 1.0), AccessKey, timestamp (15 minutes either
// way) or nonce (once) is wrong, as Alibaba Cloud does, and answers the
// holder and real-name state of the domains whose registrar the sandbox
// reports as Alibaba Cloud (sponsors); others are not in the account.
func NewAliyunSandboxServer(l Lookup, keyID, secret string, sponsors func(Registrar) bool, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	s := &aliyunSandbox{lookup: l, keyID: keyID, secret: secret, sponsors: sponsors, now: now, nonces: map[string]time.Time{}}
	return http.HandlerFunc(s.serve)
}

type aliyunSandbox struct {
	lookup      Lookup
	keyID       string
	secret      string
	sponsors    func(Registrar) bool
	now         func() time.Time
	mu          sync.Mutex
	nonces      map[string]time.Time
	lastCleanup time.Time
}

func (s *aliyunSandbox) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(aliyunError{Code: code, Message: msg, RequestID: "sandbox"})
	}
	for _, p := range []string{"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"} {
		if q.Get(p) == "" {
			fail(http.StatusBadRequest, "MissingParameter", p+" is mandatory for this action.")
			return
		}
	}
	if q.Get("AccessKeyId") != s.keyID {
		fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	if !hmac.Equal([]byte(q.Get("Signature")), []byte(SignAliyunRPC(r.Method, q, s.secret))) {
		fail(http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", q.Get("Timestamp"))
	if now := s.now(); err != nil || ts.Before(now.Add(-15*time.Minute)) || ts.After(now.Add(15*time.Minute)) {
		fail(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return
	}
	if !s.fresh(q.Get("SignatureNonce")) {
		fail(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	if q.Get("Action") != "QueryDomainByDomainName" || q.Get("Version") != "2018-01-29" {
		fail(http.StatusBadRequest, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	domain := strings.ToLower(q.Get("DomainName"))
	reg, err := s.lookup.Lookup(r.Context(), domain)
	switch {
	case errors.Is(err, ErrNotRegistered) || (err == nil && !s.sponsors(reg.Registrar)):
		fail(http.StatusNotFound, "DomainNotExist", "The domain does not exist in this account.")
		return
	case err != nil:
		fail(http.StatusInternalServerError, "InternalError", "The request processing has failed due to some unknown error.")
		return
	}
	status := "SUCCEED"
	if reg.RealName != RealNameVerified {
		status = "AUDITING"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(aliyunDomain{DomainName: domain, RealNameStatus: status,
		RegistrantOrganization: reg.Registrant, ZhRegistrantOrganization: reg.Registrant, RequestID: "sandbox"})
}

// fresh records a nonce and reports whether it was new; nonces are kept
// as long as their timestamps could be accepted.
func (s *aliyunSandbox) fresh(nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.lastCleanup) > time.Minute {
		for n, at := range s.nonces {
			if now.Sub(at) > 31*time.Minute {
				delete(s.nonces, n)
			}
		}
		s.lastCleanup = now
	}
	if _, used := s.nonces[nonce]; used {
		return false
	}
	s.nonces[nonce] = now
	return true
}
