package registrar

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what Alibaba Cloud's signature version 1.0 specifies
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrNotSponsored says a registrar's API does not hold the domain: it is
// not in the account the API answers for.
var ErrNotSponsored = errors.New("registrar: the domain is not in the registrar account")

// HolderLookup is a registrar's own API for the domains it sponsors: who
// holds them and whether the holder passed real-name verification, which
// registries redact from RDAP (GDPR, and CNNIC publishes no RDAP at all).
type HolderLookup interface {
	Holder(ctx context.Context, domain string) (Holder, error)
}

// Holder is what a registrar's API says of a domain's holder.
type Holder struct {
	// Name is the holder (域名持有者), in Chinese where the registrar keeps
	// both forms.
	Name string
	// RealName is the holder's real-name verification (实名认证).
	RealName RealName
}

// AliyunDomainAPI is a client of Alibaba Cloud's Domain API (version
// 2018-01-29): QueryDomainByDomainName, RPC style, signed with signature
// version 1.0 (HMAC-SHA1 over the sorted, percent-encoded query). It
// answers for the domains of one Alibaba Cloud account, the provider's.
type AliyunDomainAPI struct {
	endpoint string
	keyID    string
	secret   string
	client   *http.Client
	now      func() time.Time
	nonce    func() string
}

// NewAliyunDomainAPI returns a client of the Domain API at endpoint (e.g.
// https://domain.aliyuncs.com) with an AccessKey pair of the account.
func NewAliyunDomainAPI(endpoint, keyID, secret string, client *http.Client) *AliyunDomainAPI {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &AliyunDomainAPI{endpoint: strings.TrimSuffix(endpoint, "/"), keyID: keyID, secret: secret, client: client,
		now: time.Now, nonce: randomNonce}
}

var _ HolderLookup = (*AliyunDomainAPI)(nil)

// aliyunDomain is the part of QueryDomainByDomainName's answer the checks
// read.
type aliyunDomain struct {
	DomainName               string `json:"DomainName"`
	RealNameStatus           string `json:"RealNameStatus"` // NONAUDIT, SUCCEED, FAILED, AUDITING
	RegistrantOrganization   string `json:"RegistrantOrganization"`
	ZhRegistrantOrganization string `json:"ZhRegistrantOrganization"`
	RequestID                string `json:"RequestId"`
}

// aliyunError is an Alibaba Cloud API error answer.
type aliyunError struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
}

// credentialErrors are the error codes that say the call itself is wrong,
// not that the domain is elsewhere; they must not read as "not ours".
var credentialErrors = []string{"InvalidAccessKeyId", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
	"SignatureNonceUsed", "InvalidTimeStamp.Expired", "Forbidden", "Forbidden.RAM", "MissingParameter"}

// Holder implements HolderLookup.
func (a *AliyunDomainAPI) Holder(ctx context.Context, domain string) (Holder, error) {
	params := url.Values{
		"Action": {"QueryDomainByDomainName"}, "DomainName": {domain}, "Lang": {"zh"},
		"Format": {"JSON"}, "Version": {"2018-01-29"}, "AccessKeyId": {a.keyID},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {a.nonce()},
		"Timestamp": {a.now().UTC().Format("2006-01-02T15:04:05Z")},
	}
	params.Set("Signature", SignAliyunRPC(http.MethodGet, params, a.secret))
	// The host is configuration (BEIANFLOW_REGISTRAR_API_URL); the domain is
	// only a query value.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.endpoint+"/?"+params.Encode(), nil) //nolint:gosec // G704: fixed endpoint, see above
	if err != nil {
		return Holder{}, fmt.Errorf("registrar: aliyun %s: %w", domain, err)
	}
	res, err := a.client.Do(req) //nolint:gosec // G704: fixed endpoint, see above
	if err != nil {
		return Holder{}, fmt.Errorf("registrar: aliyun %s: %w", domain, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return Holder{}, fmt.Errorf("registrar: aliyun %s: read answer: %w", domain, err)
	}
	if res.StatusCode != http.StatusOK {
		var e aliyunError
		_ = json.Unmarshal(body, &e)
		// A client error other than the call's own is the account's
		// answer that it has no such domain.
		if res.StatusCode >= 400 && res.StatusCode < 500 && e.Code != "" && !slices.Contains(credentialErrors, e.Code) {
			return Holder{}, fmt.Errorf("%w: %s (%s)", ErrNotSponsored, domain, e.Code)
		}
		return Holder{}, fmt.Errorf("registrar: aliyun %s: HTTP %d %s (request %s)", domain, res.StatusCode, e.Code, e.RequestID)
	}
	var d aliyunDomain
	if err := json.Unmarshal(body, &d); err != nil {
		return Holder{}, fmt.Errorf("registrar: aliyun %s: unreadable answer: %w", domain, err)
	}
	h := Holder{Name: d.ZhRegistrantOrganization, RealName: RealNamePending}
	if h.Name == "" {
		h.Name = d.RegistrantOrganization
	}
	if d.RealNameStatus == "SUCCEED" {
		h.RealName = RealNameVerified
	}
	return h, nil
}

// SignAliyunRPC computes the signature (version 1.0) of an Alibaba Cloud
// RPC request: HMAC-SHA1, keyed with the AccessKey secret and "&", of the
// method, the encoded "/" and the encoded canonical query (every parameter
// but Signature, sorted by name, each name and value percent-encoded per
// RFC 3986), base64-encoded.
func SignAliyunRPC(method string, params url.Values, secret string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = aliyunEncode(k) + "=" + aliyunEncode(params.Get(k))
	}
	toSign := method + "&" + aliyunEncode("/") + "&" + aliyunEncode(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// aliyunEncode is RFC 3986 percent-encoding as Alibaba Cloud signs it:
// unreserved characters as they are, everything else %XX.
func aliyunEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func randomNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WithHolders completes a registry's answers with a registrar's API: for
// the domains sponsored by that registrar (sponsors says which), the
// holder and real-name verification come from its API, where registries
// redact them. A domain the API does not hold keeps the registry's
// answer; an API that fails is an error, retried like the registry.
func WithHolders(registry Lookup, api HolderLookup, sponsors func(Registrar) bool) Lookup {
	return &withHolders{registry: registry, api: api, sponsors: sponsors}
}

type withHolders struct {
	registry Lookup
	api      HolderLookup
	sponsors func(Registrar) bool
}

// Lookup implements Lookup.
func (w *withHolders) Lookup(ctx context.Context, domain string) (Registration, error) {
	reg, err := w.registry.Lookup(ctx, domain)
	if err != nil || !w.sponsors(reg.Registrar) {
		return reg, err
	}
	h, err := w.api.Holder(ctx, domain)
	switch {
	case errors.Is(err, ErrNotSponsored):
		return reg, nil
	case err != nil:
		return Registration{}, err
	}
	if h.Name != "" {
		reg.Registrant = h.Name
	}
	reg.RealName = h.RealName
	return reg, nil
}

// AlibabaCloud matches Alibaba Cloud (万网) as registries name it, the
// registrar whose API AliyunDomainAPI is.
var AlibabaCloud = SponsoredBy("", "阿里云计算有限公司", "Alibaba Cloud Computing", "HiChina")

// SponsoredBy matches the registrar an API belongs to by IANA ID or by a
// name the registry's registrar name contains.
func SponsoredBy(ianaID string, names ...string) func(Registrar) bool {
	return func(r Registrar) bool {
		if ianaID != "" && r.IANAID == ianaID {
			return true
		}
		for _, n := range names {
			if n != "" && strings.Contains(strings.ToLower(r.Name), strings.ToLower(n)) {
				return true
			}
		}
		return false
	}
}
