package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"time"
)

// PGCluster is a PostgreSQL cluster of a test's own, which it may stop and
// start to simulate an outage without disturbing other tests.
type PGCluster struct {
	URL  string
	dir  string
	port int
	bin  string
}

// pgBin finds the server binaries of the installed PostgreSQL.
func pgBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the postgresql package")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// asPostgres runs a server binary as the postgres user when we are root
// (initdb and postgres refuse to run as root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// StartPGCluster creates and starts a cluster under dir on a free port.
func StartPGCluster(ctx context.Context, dir string) (*PGCluster, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("a postgres user is needed to run a private cluster as root: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	c := &PGCluster{dir: dir, port: port, bin: bin,
		URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=3", port)}
	return c, c.Start(ctx)
}

// Start starts the cluster and waits until it accepts connections.
func (c *PGCluster) Start(ctx context.Context) error {
	out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", filepath.Join(c.dir, "data"), "-w", "-l", filepath.Join(c.dir, "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", c.port, c.dir), "start").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s", err, out)
	}
	return WaitForTCP(ctx, fmt.Sprintf("127.0.0.1:%d", c.port), nil, 30*time.Second)
}

// Stop stops the cluster at once, dropping connections (an outage).
func (c *PGCluster) Stop() error {
	out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", filepath.Join(c.dir, "data"), "-w", "-m", "immediate", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// PGDump is pg_dump's plain SQL dump of the database dbURL names, only its
// schema when the URL sets a search_path (as Postgres's URLs do): what a
// backup of it holds.
func PGDump(ctx context.Context, dbURL string) ([]byte, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	q := u.Query()
	args := []string{"--no-owner", "--no-privileges"}
	if schema := q.Get("search_path"); schema != "" {
		args = append(args, "--schema="+schema)
		q.Del("search_path") // libpq refuses parameters it does not know
	}
	u.RawQuery = q.Encode()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "pg_dump"), append(args, "--dbname="+u.String())...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pg_dump: %w: %s", err, stderr.String())
	}
	return out, nil
}
