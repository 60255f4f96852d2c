package registrar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/registrar"
)

// Alibaba Cloud's own worked example of signature version 1.0 (API 签名机制
// 示例: DescribeRegions with AccessKey testid/testsecret).
func TestTheSignatureIsAlibabaCloudsWorkedExample(t *testing.T) {
	params := url.Values{
		"TimeStamp": {"2016-02-23T12:46:24Z"}, "Format": {"XML"}, "AccessKeyId": {"testid"},
		"Action": {"DescribeRegions"}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"}, "Version": {"2014-05-26"}, "SignatureVersion": {"1.0"},
	}
	assert.Equal(t, "CT9X0VtwR86fNWSnsc6v8YGOjuE=", registrar.SignAliyunRPC(http.MethodGet, params, "testsecret"))
}

var aliyunSponsor = registrar.AlibabaCloud

func aliyunWorld(t *testing.T, now time.Time) (*registrar.Sandbox, *httptest.Server) {
	t.Helper()
	sb := registrar.NewSandbox(func() time.Time { return now })
	srv := httptest.NewServer(registrar.NewAliyunSandboxServer(sb, "sandbox-key", "sandbox-secret", aliyunSponsor, func() time.Time { return now }))
	t.Cleanup(srv.Close)
	return sb, srv
}

// The registrar's API tells what the registry redacts: the holder and the
// real-name verification of the domains in the provider's account.
func TestTheRegistrarsAPIAnswersHolderAndRealName(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	sb, srv := aliyunWorld(t, now)
	api := registrar.NewAliyunDomainAPI(srv.URL, "sandbox-key", "sandbox-secret", nil)

	sb.Set("yunqi-tech.com", &registrar.Registration{Domain: "yunqi-tech.com", Registrar: registrar.SandboxRegistrar,
		Registrant: "杭州云栖网络科技有限公司", RealName: registrar.RealNameVerified, Status: []string{"active"}})
	h, err := api.Holder(ctx, "yunqi-tech.com")
	require.NoError(t, err)
	assert.Equal(t, registrar.Holder{Name: "杭州云栖网络科技有限公司", RealName: registrar.RealNameVerified}, h)

	h, err = api.Holder(ctx, "unverified-yunqi.com")
	require.NoError(t, err)
	assert.Equal(t, registrar.RealNamePending, h.RealName)

	_, err = api.Holder(ctx, "foreign-yunqi.com")
	assert.ErrorIs(t, err, registrar.ErrNotSponsored, "registered elsewhere: not in the account")
	_, err = api.Holder(ctx, "unregistered-yunqi.com")
	assert.ErrorIs(t, err, registrar.ErrNotSponsored)
}

func TestAWronglySignedCallIsAnErrorNotAnAnswer(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	_, srv := aliyunWorld(t, now)
	for name, api := range map[string]*registrar.AliyunDomainAPI{
		"wrong secret":      registrar.NewAliyunDomainAPI(srv.URL, "sandbox-key", "not-the-secret", nil),
		"unknown AccessKey": registrar.NewAliyunDomainAPI(srv.URL, "another-key", "sandbox-secret", nil),
	} {
		_, err := api.Holder(ctx, "yunqi-tech.com")
		require.Error(t, err, name)
		assert.NotErrorIs(t, err, registrar.ErrNotSponsored, "%s must not read as a domain elsewhere", name)
	}
	// A replayed request (same nonce) is refused, as Alibaba Cloud does.
	params := url.Values{"Action": {"QueryDomainByDomainName"}, "DomainName": {"yunqi-tech.com"}, "Format": {"JSON"},
		"Version": {"2018-01-29"}, "AccessKeyId": {"sandbox-key"}, "SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"},
		"SignatureNonce": {"n-1"}, "Timestamp": {now.UTC().Format("2006-01-02T15:04:05Z")}}
	params.Set("Signature", registrar.SignAliyunRPC(http.MethodGet, params, "sandbox-secret"))
	for i, want := range []int{http.StatusOK, http.StatusBadRequest} {
		res, err := http.Get(srv.URL + "/?" + params.Encode())
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, want, res.StatusCode, "call %d", i+1)
	}
	// So is a request signed long ago.
	params.Set("SignatureNonce", "n-2")
	params.Set("Timestamp", now.Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	params.Set("Signature", registrar.SignAliyunRPC(http.MethodGet, params, "sandbox-secret"))
	res, err := http.Get(srv.URL + "/?" + params.Encode())
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}

// The automated checks ask the registry, then the registrar's API for the
// domains it sponsors; a domain elsewhere keeps the registry's answer.
func TestHoldersComeFromTheSponsoringRegistrarsAPI(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	sb, srv := aliyunWorld(t, now)
	rdap := httptest.NewServer(registrar.NewSandboxServer(registrar.RedactHolders(sb)))
	t.Cleanup(rdap.Close)
	l := registrar.WithHolders(registrar.NewRDAP(registrar.SingleService(rdap.URL), httpcall.Options{}),
		registrar.NewAliyunDomainAPI(srv.URL, "sandbox-key", "sandbox-secret", nil), aliyunSponsor)

	sb.Set("held.com", &registrar.Registration{Domain: "held.com", Registrar: registrar.SandboxRegistrar,
		Registrant: "杭州另一家科技有限公司", RealName: registrar.RealNamePending, Status: []string{"active"}, Expires: now.AddDate(1, 0, 0)})
	direct, err := registrar.NewRDAP(registrar.SingleService(rdap.URL), httpcall.Options{}).Lookup(ctx, "held.com")
	require.NoError(t, err)
	assert.Empty(t, direct.Registrant, "the registry redacts the holder")

	reg, err := l.Lookup(ctx, "held.com")
	require.NoError(t, err)
	assert.Equal(t, "杭州另一家科技有限公司", reg.Registrant)
	assert.Equal(t, registrar.RealNamePending, reg.RealName)
	assert.True(t, reg.Expires.After(now), "the registry's facts stay")

	foreign, err := l.Lookup(ctx, "foreign-yunqi.com")
	require.NoError(t, err)
	assert.Equal(t, registrar.SandboxForeignRegistrar, foreign.Registrar)
}
