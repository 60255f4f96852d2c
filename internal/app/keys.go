package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/erasure"
	"github.com/beianflow/beianflow/internal/store"
)

// The keys that protect personal data — the payload keys of Temporal and
// the filings' data keys — and the erasure that destroys a filing's.

// Eraser erases ended filings' personal data over the app's connections.
func (a *App) Eraser() *erasure.Eraser {
	return &erasure.Eraser{DB: a.DB, Keys: a.Keys, Documents: a.Documents, Log: a.Log, Now: time.Now}
}

// retentionSweepInterval is how often a worker erases the filings whose
// retention has passed; every worker sweeps, and erasing is idempotent.
const retentionSweepInterval = time.Hour

// sweepRetention erases, now and then every retentionSweepInterval, the
// personal data of filings that ended more than retention ago.
func (a *App) sweepRetention(ctx context.Context, retention time.Duration) {
	tick := time.NewTicker(retentionSweepInterval)
	defer tick.Stop()
	for {
		n, err := a.Eraser().Sweep(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("retention sweep failed; the next one tries again", "err", err)
		case n > 0:
			a.Log.Info("retention: personal data of ended filings erased", "filings", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sweepUploads deletes, now and then every retentionSweepInterval, the
// uploads never verified within documents.UploadLifetime: the only clear
// copies of documents, abandoned. Every worker sweeps; deleting is
// idempotent.
func (a *App) sweepUploads(ctx context.Context) {
	tick := time.NewTicker(retentionSweepInterval)
	defer tick.Stop()
	for {
		n, err := a.Documents.SweepUploads(ctx, time.Now().Add(-documents.UploadLifetime))
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("sweeping abandoned uploads failed; the next sweep tries again", "err", err)
		case n > 0:
			a.Log.Info("abandoned uploads deleted", "uploads", n, "older_than", documents.UploadLifetime.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// payloadKeys loads the payload encryption keys. There is no default key:
// a production process without keys would write personal data in clear
// text into Temporal.
func payloadKeys(cfg config.Config) (*codec.Keyring, error) {
	switch {
	case cfg.PayloadKeys != "":
		return codec.ParseKeys(cfg.PayloadKeys)
	case cfg.PayloadKeyFile != "":
		return codec.LoadKeyFile(cfg.PayloadKeyFile)
	}
	return nil, errors.New("payload encryption needs BEIANFLOW_PAYLOAD_KEYS or BEIANFLOW_PAYLOAD_KEY_FILE (`beianflow dev` creates data/payload-keys)")
}

// OpenDataKeys loads the key-encryption keys of cfg and returns the
// filings' data keys kept in db, wrapped by them: by the KMS key when one
// is configured (the local keys, if any, then only unwrap what they
// wrapped before), or else by the local keys.
func OpenDataKeys(ctx context.Context, cfg config.Config, db *store.DB, log *slog.Logger) (*envelope.Keys, error) {
	var local *envelope.LocalKEK
	var ring *codec.Keyring
	var err error
	switch {
	case cfg.DataKeys != "":
		ring, err = codec.ParseKeys(cfg.DataKeys)
	case cfg.DataKeyFile != "":
		ring, err = codec.LoadKeyFile(cfg.DataKeyFile)
	case cfg.DataKeyKMS.KeyID == "":
		return nil, errors.New("personal data encryption needs BEIANFLOW_DATA_KEY_KMS_KEY_ID, BEIANFLOW_DATA_KEYS or BEIANFLOW_DATA_KEY_FILE (`beianflow dev` creates data/data-keys)")
	}
	if err != nil {
		return nil, fmt.Errorf("data keys: %w", err)
	}
	if ring != nil {
		local = envelope.NewLocalKEK(ring)
	}
	repo := store.NewFilingKeys(db)
	if cfg.DataKeyKMS.KeyID == "" {
		log.Info("personal data encryption", "current_key", local.Current(), "keys", len(ring.IDs()))
		return envelope.NewKeys(repo, local), nil
	}
	kms, err := openKMS(ctx, cfg.DataKeyKMS)
	if err != nil {
		return nil, err
	}
	if local == nil {
		log.Info("personal data encryption", "current_key", kms.Current())
		return envelope.NewKeys(repo, kms), nil
	}
	log.Info("personal data encryption", "current_key", kms.Current(), "older_local_keys", len(ring.IDs()))
	return envelope.NewKeys(repo, envelope.NewChain(kms, local)), nil
}

// openKMS is the KMS key of cfg, reached with the AWS default chain's
// credentials.
func openKMS(ctx context.Context, cfg config.KMS) (*envelope.AWSKMS, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("data keys: load AWS config for KMS: %w", err)
	}
	client := kms.NewFromConfig(awsCfg, func(o *kms.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return envelope.NewAWSKMS(client, cfg.KeyID), nil
}

// OpenCodec loads the payload keys of cfg and returns the codec that
// encrypts every Temporal payload with them.
func OpenCodec(cfg config.Config, log *slog.Logger) (*codec.Codec, error) {
	keys, err := payloadKeys(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("payload encryption", "current_key", keys.CurrentID(), "keys", len(keys.IDs()))
	return codec.New(keys), nil
}

// CodecOptions are the codec server's settings in cfg, decoding with c:
// the Web UI origins, the development path token and the operators' OIDC
// sign-in (off without an issuer).
func CodecOptions(cfg config.Config, c *codec.Codec) codecserver.Options {
	o := codecserver.Options{Codec: c, Origins: cfg.CodecOrigins, PathToken: cfg.CodecPathToken}
	if oc := cfg.CodecOIDC; oc.Issuer != "" {
		o.OIDC = &codecserver.OIDC{Issuer: oc.Issuer, Audience: oc.Audience, Claim: oc.Claim, Allowed: oc.Allowed}
	}
	return o
}
