package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/store"
)

// devAccount is the provider account of the development backend key.
const devAccount = "dev-account"

// devKeyFile holds the development API keys, one VAR=key per line, so a
// newcomer can `source data/api-keys.env` and call the API at once.
func devKeyFile(dataDir string) string { return filepath.Join(dataDir, "api-keys.env") }

// devKeyVars are the variables of devKeyFile, by role.
var devKeyVars = []struct{ name, role, account string }{
	{"BEIANFLOW_BACKEND_KEY", "backend", devAccount},
	{"BEIANFLOW_REVIEWER_KEY", "reviewer", ""},
	{"BEIANFLOW_SUPPORT_KEY", "support", ""},
}

// ensureDevKeys keeps one key per role for `make run`: those in the file
// if the database still accepts them, new ones otherwise. It returns the
// keys by variable name.
func ensureDevKeys(ctx context.Context, db *store.DB, dataDir string) (map[string]string, error) {
	keys := store.NewAPIKeys(db)
	have := readEnvFile(devKeyFile(dataDir))
	out := map[string]string{}
	valid := true
	for _, v := range devKeyVars {
		id, secret, ok := apikeys.Parse(have[v.name])
		if !ok {
			valid = false
			break
		}
		k, err := keys.Get(ctx, id)
		if err != nil || k.RevokedAt != nil || k.Role != v.role || !apikeys.Matches(secret, k.SecretHash) {
			valid = false
			break
		}
		out[v.name] = have[v.name]
	}
	if valid {
		return out, nil
	}
	var b strings.Builder
	b.WriteString("# API keys of `make run` (development only). source this file, then e.g.\n")
	b.WriteString("# curl -H \"Authorization: Bearer $BEIANFLOW_BACKEND_KEY\" localhost:8080/v1/filings\n")
	for _, v := range devKeyVars {
		k, err := apikeys.Issue(ctx, keys, v.role, v.account, "make run "+v.role, time.Now())
		if err != nil {
			return nil, fmt.Errorf("dev: API key: %w", err)
		}
		out[v.name] = k.Token
		fmt.Fprintf(&b, "%s=%s\n", v.name, k.Token)
	}
	if err := os.WriteFile(devKeyFile(dataDir), []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("dev: write API keys: %w", err)
	}
	return out, nil
}

func readEnvFile(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = v
		}
	}
	return out
}

// ensurePayloadKeyFile gives `make run` a payload encryption key of its
// own, created once and kept with the data it protects.
func ensurePayloadKeyFile(dataDir string) (string, error) {
	return ensureKeyFile(dataDir, "payload-keys", "dev-1",
		"# Payload encryption keys of `make run`: id:base64, the last one current.\n"+
			"# Rotate by appending a line; remove a key only when no history needs it.\n")
}

// ensureKeyFile creates dataDir/name with one random key under header,
// unless it exists, and returns its path.
func ensureKeyFile(dataDir, name, keyID, header string) (string, error) {
	path := filepath.Join(dataDir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	line, err := codec.NewKeyLine(keyID)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(header+line+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("dev: write %s: %w", name, err)
	}
	return path, nil
}
