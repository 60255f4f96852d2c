package httpx_test

import (
	"net"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"

	"github.com/beianflow/beianflow/internal/httpx"
)

func clientOf(t *testing.T, trusted []*net.IPNet, peer, xff string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = peer + ":51000"
	if xff != "" {
		req.Header.Set(echo.HeaderXForwardedFor, xff)
	}
	return httpx.ClientIP(trusted)(req)
}

func TestWithoutTrustedProxiesTheClientIsThePeerWhateverItClaims(t *testing.T) {
	assert.Equal(t, "198.51.100.7", clientOf(t, nil, "198.51.100.7", "203.0.113.9"))
	assert.Equal(t, "10.0.0.5", clientOf(t, nil, "10.0.0.5", "203.0.113.9"), "not even a private peer is trusted by default")
}

func TestBehindTheLoadBalancerTheClientIsTheAddressItForwarded(t *testing.T) {
	_, lb, _ := net.ParseCIDR("10.0.0.0/8")
	trusted := []*net.IPNet{lb}
	assert.Equal(t, "203.0.113.9", clientOf(t, trusted, "10.1.1.1", "203.0.113.9"))
	assert.Equal(t, "203.0.113.9", clientOf(t, trusted, "10.1.1.1", "203.0.113.9, 10.2.2.2"), "through two of our hops")
	assert.Equal(t, "203.0.113.9", clientOf(t, trusted, "10.1.1.1", "1.2.3.4, 203.0.113.9"),
		"an address the client wrote itself, left of the one the load balancer saw, is not believed")
	assert.Equal(t, "198.51.100.7", clientOf(t, trusted, "198.51.100.7", "203.0.113.9"), "a peer outside the range is the client")
	assert.Equal(t, "192.168.0.9", clientOf(t, trusted, "192.168.0.9", "203.0.113.9"), "only the ranges given are trusted")
}
