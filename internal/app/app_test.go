package app_test

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestCodecOptionsCarryTheOperatorsSignInOnlyWhenAnIssuerIsSet(t *testing.T) {
	env := map[string]string{"BEIANFLOW_PAYLOAD_KEYS": testenv.PayloadKeys, "BEIANFLOW_CODEC_ORIGINS": "https://temporal.example.com"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	c, err := app.OpenCodec(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	o := app.CodecOptions(cfg, c)
	assert.Same(t, c, o.Codec)
	assert.Equal(t, []string{"https://temporal.example.com"}, o.Origins)
	assert.Nil(t, o.OIDC, "no issuer, no OIDC")

	env["BEIANFLOW_CODEC_OIDC_ISSUER"] = "https://sso.example.com/realms/ops"
	env["BEIANFLOW_CODEC_OIDC_AUDIENCE"] = "temporal-ui"
	env["BEIANFLOW_CODEC_OIDC_ALLOWED"] = "beianflow-operators,beianflow-support"
	cfg, err = config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	o = app.CodecOptions(cfg, c)
	assert.Equal(t, &codecserver.OIDC{Issuer: "https://sso.example.com/realms/ops", Audience: "temporal-ui", Claim: "groups",
		Allowed: []string{"beianflow-operators", "beianflow-support"}}, o.OIDC)
}

func TestOpenCodecNeedsPayloadKeys(t *testing.T) {
	_, err := app.OpenCodec(config.Defaults(), slog.New(slog.DiscardHandler))
	assert.ErrorContains(t, err, "BEIANFLOW_PAYLOAD_KEYS")
}
