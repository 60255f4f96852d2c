package cluster

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeUIConfig writes the Web UI server's configuration (environment
// "ui") under dir/config: the frontend, the filings' namespace first, and
// the codec endpoint that decodes payloads in the browser.
func writeUIConfig(dir string, p Ports, namespace, codecEndpoint string) error {
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfgDir, 0o750); err != nil {
		return err
	}
	cfg := fmt.Sprintf(`# Written by beianflow's cluster runner; rewritten at every start.
temporalGrpcAddress: "127.0.0.1:%d"
host: 127.0.0.1
port: %d
enableUi: true
defaultNamespace: %q
showTemporalSystemNamespace: false
notifyOnNewVersion: false
refreshInterval: 1m
codec:
  endpoint: %q
  passAccessToken: false
  includeCredentials: false
`, p.Temporal["frontend"].GRPC, p.UI, namespace, codecEndpoint)
	return os.WriteFile(filepath.Join(cfgDir, "ui.yaml"), []byte(cfg), 0o600)
}
