package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/config"
)

func TestTracingIsOffUntilAnOTLPEndpointIsGiven(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.Equal(t, config.Telemetry{TraceSampleRatio: 1}, c.Telemetry)

	c, err = config.Load(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":  "http://otel-collector:4318/",
		"OTEL_SERVICE_NAME":            "beian-prod-api",
		"BEIANFLOW_TRACE_SAMPLE_RATIO": "0.1",
	}))
	require.NoError(t, err)
	assert.Equal(t, config.Telemetry{OTLPEndpoint: "http://otel-collector:4318", ServiceName: "beian-prod-api", TraceSampleRatio: 0.1}, c.Telemetry)
}

func TestBadTracingSettingsAreRefused(t *testing.T) {
	for name, values := range map[string][]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":  {"otel-collector:4318", "grpc://otel-collector:4317", "https://key:secret@otlp.example.com", "https://otlp.example.com/?key=1"},
		"BEIANFLOW_TRACE_SAMPLE_RATIO": {"2", "-0.5", "NaN", "half"},
	} {
		for _, v := range values {
			_, err := config.Load(env(map[string]string{name: v}))
			if assert.Error(t, err, "%s=%s", name, v) {
				assert.Contains(t, err.Error(), name)
			}
		}
	}
}

func TestARefusedURLWithCredentialsIsNotEchoed(t *testing.T) {
	_, err := config.Load(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://key:s3cr3t@otlp.example.com"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OTEL_EXPORTER_OTLP_ENDPOINT")
	assert.NotContains(t, err.Error(), "s3cr3t")
}
