package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/beianflow/beianflow/internal/codec"
)

// keys are the topology's secrets, made once and kept under Dir: the
// payload and data keys' files and the secrets every API process must
// share. They stay on this machine.
func (c *Cluster) keys() (map[string]string, error) {
	out := map[string]string{}
	for _, k := range []struct{ name, id string }{{"payload-keys", "cluster-1"}, {"data-keys", "cluster-data-1"}} {
		path := filepath.Join(c.opts.Dir, k.name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			line, err := codec.NewKeyLine(k.id)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("cluster: %w", err)
			}
		}
		out[k.name] = path
	}
	for _, name := range []string{"download-url-secret", "session-secret", "s3-secret", "webhook-secret", "subject-key-secret", "codec-path-secret"} {
		path := filepath.Join(c.opts.Dir, name)
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			raw := make([]byte, 32)
			if _, err := rand.Read(raw); err != nil {
				return nil, err
			}
			b = []byte(hex.EncodeToString(raw))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				return nil, fmt.Errorf("cluster: %w", err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		out[name] = string(b)
	}
	return out, nil
}

// baseEnv is what every beianflow process of the topology is configured
// with: the cluster's Temporal, database and S3, the shared secrets, and
// the sandbox world served by the first worker, reached over its
// protocols by every process as a real gateway would be.
func (c *Cluster) baseEnv(keys map[string]string) []string {
	p := c.opts.Ports
	world := "http://" + addr(p.World)
	return []string{
		"TEMPORAL_ADDRESS=" + addr(p.Temporal["frontend"].GRPC),
		"TEMPORAL_NAMESPACE=" + c.opts.Namespace,
		"DATABASE_URL=" + c.DatabaseURL,
		"BEIANFLOW_DATA_DIR=" + c.opts.Dir,
		"S3_ENDPOINT=http://" + addr(p.S3),
		"S3_ACCESS_KEY_ID=beianflow",
		"S3_SECRET_ACCESS_KEY=" + keys["s3-secret"],
		"BEIANFLOW_PAYLOAD_KEY_FILE=" + keys["payload-keys"],
		"BEIANFLOW_DATA_KEY_FILE=" + keys["data-keys"],
		"BEIANFLOW_DOWNLOAD_URL_SECRET=" + keys["download-url-secret"],
		"BEIANFLOW_WORKBENCH_SESSION_SECRET=" + keys["session-secret"],
		"BEIANFLOW_WEBHOOK_SECRET=" + keys["webhook-secret"],
		"BEIANFLOW_SUBJECT_KEY_SECRET=" + keys["subject-key-secret"],
		"BEIANFLOW_PUBLIC_URL=http://" + addr(p.Balancer),
		// The balancer adds X-Forwarded-For.
		"BEIANFLOW_TRUSTED_PROXIES=127.0.0.1/32",
		"BEIANFLOW_BUREAU_URL=" + world + "/bureau",
		"BEIANFLOW_COURIER_URL=" + world + "/courier",
		"BEIANFLOW_RDAP_URL=" + world + "/rdap",
		"BEIANFLOW_REGISTRAR_API_URL=" + world + "/aliyun-domain",
		"BEIANFLOW_INSTANCES_URL=" + world + "/inventory",
		"BEIANFLOW_RECORDS_URL=" + world + "/records",
		"BEIANFLOW_SANDBOX_WEBHOOK_URL=http://" + addr(p.Balancer),
		// Only the first worker serves the sandbox world (Start).
		"BEIANFLOW_SANDBOX_ADDR=off",
		// Webhook receivers under development listen on localhost.
		"BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS=true",
		"BEIANFLOW_LOG_FORMAT=json",
	}
}
