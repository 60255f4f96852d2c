// Package documents keeps filing materials (ID scans, verification forms,
// photos) in S3 or any S3-compatible store, sealed with their filing's data
// key. Workflows carry only object keys; the bytes never enter Temporal
// histories.
//
// Applicants upload through short-lived presigned PUTs bound to the declared
// type, size and SHA-256 (PresignUpload), so the bytes never pass through the
// API either; VerifyAndSeal then checks what was uploaded against the
// declaration and the kind's rules (Kinds), re-encrypts it into place and
// deletes the clear upload, before a filing may reference it. Reads decrypt
// as they stream (Open), and reach people through URLs the API signs
// (DownloadSigner): S3 holds only ciphertext a presigned URL would show.
package documents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/beianflow/beianflow/internal/config"
)

// Store is a bucket of filing documents.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string

	uploadExpiry time.Duration              // lifetime of presigned upload URLs
	sse          types.ServerSideEncryption // empty: no server-side encryption requested
	kmsKeyID     string                     // with aws:kms; empty uses the bucket's default key
	sealer       Sealer                     // the filings' data keys; nil seals and opens nothing
}

// New builds a Store from configuration. Static credentials are used when
// both keys are set; otherwise the AWS default chain (environment, shared
// files, instance roles) applies, which is what production on AWS wants.
// Options adjust presigned uploads (see WithUploadExpiry and WithSSE).
func New(ctx context.Context, cfg config.S3, opts ...Option) (*Store, error) {
	loadOpts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(cfg.Region)}
	if cfg.AccessKeyID != "" && cfg.SecretAccessKey != "" {
		loadOpts = append(loadOpts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("documents: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.ForcePathStyle
		// Many S3-compatible servers reject the SDK's default trailing CRC
		// checksums; send them only where the API requires one.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &Store{client: client, presign: s3.NewPresignClient(client), bucket: cfg.Bucket,
		uploadExpiry: DefaultUploadExpiry}
	for _, opt := range opts {
		if err := opt(s); err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
	}
	return s, nil
}

// Bucket is the bucket name.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket unless it exists. Safe to call from every
// process at start.
func (s *Store) EnsureBucket(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err == nil {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: &s.bucket}
	if region := s.client.Options().Region; region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(region),
		}
	}
	_, err := s.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("documents: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Ping reports whether the bucket is reachable, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("documents: bucket %s unreachable: %w", s.bucket, err)
	}
	return nil
}
