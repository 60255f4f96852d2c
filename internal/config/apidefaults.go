package config

// WithDefaults fills what a caller left unset (tests build servers from a
// zero API) with the documented defaults, so that no limit is zero: a zero
// rate would refuse every request, a zero cache TTL read the database for
// each.
func (a API) WithDefaults() API {
	def := Defaults().API
	if a.RateLimit <= 0 {
		a.RateLimit = def.RateLimit
	}
	if a.RateBurst <= 0 {
		a.RateBurst = def.RateBurst
	}
	if a.AuthFailureRate <= 0 {
		a.AuthFailureRate = def.AuthFailureRate
	}
	if a.AuthFailureBurst <= 0 {
		a.AuthFailureBurst = def.AuthFailureBurst
	}
	if a.IdempotencyTTL <= 0 {
		a.IdempotencyTTL = def.IdempotencyTTL
	}
	if a.KeyCacheTTL <= 0 {
		a.KeyCacheTTL = def.KeyCacheTTL
	}
	return a
}
