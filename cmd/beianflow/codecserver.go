package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/telemetry"
)

// runCodecServer serves Temporal's remote codec protocol on its own port
// (BEIANFLOW_CODEC_LISTEN) for the Web UI and the CLI: the API's codec
// routes, /healthz, /readyz and /metrics, nothing else. It holds the
// payload keys but never dials Temporal or S3. The database is needed only
// to look up support API keys and is connected in the background: the
// server starts, and serves operators signed in through OIDC, while it is
// down; API keys then fail as on the API (keys checked before stay good,
// others answer 503). It stops gracefully when ctx ends. ready, if not
// nil, receives the bound address.
func runCodecServer(ctx context.Context, cfg config.Config, log *slog.Logger, ready chan<- net.Addr) error {
	log = log.With("component", "codec-server")
	c, err := app.OpenCodec(cfg, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	keys := &lazyAPIKeys{connected: make(chan struct{})}
	go keys.connect(ctx, cfg, log)
	defer func() {
		cancel()
		keys.close()
	}()

	tracing, err := telemetry.NewTracing(ctx, cfg.Telemetry, telemetry.Options{Service: "beianflow-codec-server"})
	if err != nil {
		return err
	}
	defer func() {
		// ctx has ended: the spans still buffered get a moment of their own.
		flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(flush); err != nil {
			log.Warn("spans not exported", "err", err)
		}
	}()

	o := app.CodecOptions(cfg, c)
	h, err := codecserver.New(codecserver.Deps{
		Codec:   o,
		APIKeys: keys,
		Checks:  map[string]func(context.Context) error{"database": keys.ping},
		API:     cfg.API,
		Metrics: metrics.New(),
		Log:     log,
	})
	if err != nil {
		return err
	}
	h.Use(httpx.Trace(tracing.Provider))
	oidcIssuer := "(off: support API keys only)"
	if o.OIDC != nil {
		oidcIssuer = o.OIDC.Issuer
	}
	log.Info("codec server", "origins", cfg.CodecOrigins, "oidc_issuer", oidcIssuer, "path_token", cfg.CodecPathToken != "")
	return httpx.Serve(ctx, h, cfg.CodecListen, cfg.ShutdownTimeout, log, ready)
}

// errDBNotConnected fails API key lookups until the database is reached,
// which the API treats like a database that is down.
var errDBNotConnected = errors.New("the database is not connected yet")

// lazyAPIKeys looks up API keys in a database that is connected in the
// background.
type lazyAPIKeys struct {
	db        atomic.Pointer[store.DB]
	connected chan struct{} // closed when connect returns
}

func (k *lazyAPIKeys) connect(ctx context.Context, cfg config.Config, log *slog.Logger) {
	defer close(k.connected)
	db, err := app.Retry(ctx, log, "database", func() (*store.DB, error) {
		return store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	})
	if err != nil {
		return // ctx ended
	}
	k.db.Store(db)
	log.Info("database ready: support API keys accepted")
}

func (k *lazyAPIKeys) Get(ctx context.Context, id string) (store.APIKey, error) {
	db := k.db.Load()
	if db == nil {
		return store.APIKey{}, errDBNotConnected
	}
	return store.NewAPIKeys(db).Get(ctx, id)
}

func (k *lazyAPIKeys) ping(ctx context.Context) error {
	db := k.db.Load()
	if db == nil {
		return errDBNotConnected
	}
	return db.Ping(ctx)
}

// close waits for connect, whose context must have ended, and closes the
// database if it was reached.
func (k *lazyAPIKeys) close() {
	<-k.connected
	if db := k.db.Load(); db != nil {
		_ = db.Close()
	}
}
