package config

import "cmp"

// WithDefaults fills what a caller left unset (tests build servers from a
// zero API) with the documented defaults, so that no limit is zero: a zero
// rate would refuse every request, a zero cache TTL read the database for
// each.
func (a API) WithDefaults() API {
	def := Defaults().API
	positive(&a.RateLimit, def.RateLimit)
	positive(&a.RateBurst, def.RateBurst)
	positive(&a.AuthFailureRate, def.AuthFailureRate)
	positive(&a.AuthFailureBurst, def.AuthFailureBurst)
	positive(&a.IdempotencyTTL, def.IdempotencyTTL)
	positive(&a.ReviewClaimTTL, def.ReviewClaimTTL)
	positive(&a.KeyCacheTTL, def.KeyCacheTTL)
	positive(&a.DownloadTTL, def.DownloadTTL)
	if a.ProviderName == "" {
		a.ProviderName = def.ProviderName
	}
	return a
}

// positive sets *v to def unless it is positive.
func positive[T cmp.Ordered](v *T, def T) {
	var zero T
	if *v <= zero {
		*v = def
	}
}
