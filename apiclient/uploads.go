package apiclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/beianflow/beianflow/filing"
)

// PresignUpload asks for a presigned upload (POST /v1/filings/{id}/uploads,
// 201). PUT the bytes to the answer's URL with exactly its headers within
// 15 minutes, then attach its ObjectKey; UploadMaterial does the first two.
//
// Role: backend.
func (c *Client) PresignUpload(ctx context.Context, id filing.ID, req filing.UploadRequest, opts ...CallOption) (*filing.Upload, error) {
	p, err := filingPath(id, "/uploads")
	if err != nil {
		return nil, err
	}
	return call[filing.Upload](ctx, c, http.MethodPost, p, nil, req, opts)
}

// UploadMaterial presigns an upload of content and PUTs it to the document
// store, retrying like any call (the PUT of the same bytes to the same key
// is idempotent). Attach the result with AttachMaterial (or AttachPhoto)
// using the returned ObjectKey, kind, len(content) and its SHA-256, which
// AttachRequest builds. opts apply to the presign call.
func (c *Client) UploadMaterial(ctx context.Context, id filing.ID, kind filing.MaterialKind, contentType string, content []byte, opts ...CallOption) (*filing.Upload, error) {
	sum := sha256.Sum256(content)
	up, err := c.PresignUpload(ctx, id, filing.UploadRequest{
		Kind: kind, ContentType: contentType, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
	}, opts...)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	// Only the signed headers: the API key must never go to the store,
	// and an Authorization header would break the presigned signature.
	for k, v := range up.Headers {
		h.Set(k, v)
	}
	method := up.Method
	if method == "" {
		method = http.MethodPut
	}
	if content == nil {
		content = []byte{} // an empty body still has to be sent as one
	}
	if _, err := c.send(ctx, method, up.URL, h, content, &Meta{}); err != nil {
		// The URL is not quoted: its query is a credential.
		return nil, fmt.Errorf("beianflow: upload %s material of filing %s to the document store: %w", kind, id, err)
	}
	return up, nil
}

// AttachRequest is the filing.AttachMaterialRequest for content uploaded with
// UploadMaterial as up.
func AttachRequest(kind filing.MaterialKind, up *filing.Upload, content []byte) filing.AttachMaterialRequest {
	sum := sha256.Sum256(content)
	return filing.AttachMaterialRequest{Kind: kind, ObjectKey: up.ObjectKey, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
}

// VerificationForm downloads the filing's pre-filled 网站备案信息真实性核验单
// (GET /v1/filings/{id}/verification-form), a PDF to print, sign, scan and
// attach as filing.MaterialVerificationForm. A scan must show the form's
// serial; the same application keeps it, a changed one gets a new form.
func (c *Client) VerificationForm(ctx context.Context, id filing.ID, opts ...CallOption) ([]byte, error) {
	p, err := filingPath(id, "/verification-form")
	if err != nil {
		return nil, err
	}
	var pdf []byte
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &pdf, opts); err != nil {
		return nil, err
	}
	return pdf, nil
}
