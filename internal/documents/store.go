// Package documents keeps filing materials (ID scans, verification forms,
// photos) in S3 or any S3-compatible store. Workflows carry only object keys;
// the bytes never enter Temporal histories.
//
// Applicants upload through short-lived presigned PUTs bound to the declared
// type, size and SHA-256 (PresignUpload), so the bytes never pass through the
// API either; Verify then checks what was stored against the declaration and
// the kind's rules (Kinds) before a filing may reference it.
package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

	uploadExpiry   time.Duration              // lifetime of presigned upload URLs
	downloadExpiry time.Duration              // lifetime of presigned download URLs
	sse            types.ServerSideEncryption // empty: no server-side encryption requested
	kmsKeyID       string                     // with aws:kms; empty uses the bucket's default key
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
		uploadExpiry: DefaultUploadExpiry, downloadExpiry: DefaultDownloadExpiry}
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

// Exists reports whether an object is in the bucket, so a filing never
// references a material that was not uploaded.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err == nil {
		return true, nil
	}
	var notFound *types.NotFound
	var noKey *types.NoSuchKey
	if errors.As(err, &notFound) || errors.As(err, &noKey) {
		return false, nil
	}
	return false, fmt.Errorf("documents: head %s: %w", key, err)
}

// Put stores an object; the API uses presigned uploads, this serves tests
// and tools.
func (s *Store) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &key, ContentType: &contentType, Body: bytes.NewReader(body),
	})
	if err != nil {
		return fmt.Errorf("documents: put %s: %w", key, err)
	}
	return nil
}

// Get reads an object of at most limit bytes, with its content type. The
// object was verified first (Verify), so its size is known to be in bounds;
// the limit guards against an object replaced since.
func (s *Store) Get(ctx context.Context, key string, limit int64) ([]byte, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, "", fmt.Errorf("documents: get %s: %w", key, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("documents: get %s: read: %w", key, err)
	}
	if int64(len(b)) > limit {
		return nil, "", fmt.Errorf("documents: get %s: larger than %d bytes", key, limit)
	}
	return b, aws.ToString(out.ContentType), nil
}

// DeletePrefix deletes every object whose key starts with prefix (a
// filing's "filings/<id>/") and returns how many it deleted. Objects are
// listed and deleted page by page; deleting a missing object is no error,
// so a repeated call deletes what is left.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	deleted := 0
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return deleted, fmt.Errorf("documents: list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: o.Key}); err != nil {
				return deleted, fmt.Errorf("documents: delete %s: %w", *o.Key, err)
			}
			deleted++
		}
	}
	return deleted, nil
}
