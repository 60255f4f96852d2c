package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
)

// presignUpload hands out a short-lived URL for uploading one material
// straight to the document store, bound to the declared type, size and
// SHA-256 (the store refuses other bytes). Documents never pass through the
// API or Temporal.
func (s *server) presignUpload(c echo.Context) error {
	id, row, err := s.ownedRow(c)
	if err != nil {
		return err
	}
	req, err := body[filing.UploadRequest](c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.stillOpen(ctx, id, row); err != nil {
		return err
	}
	up, err := s.Documents.PresignUpload(ctx, documents.UploadRequest{
		FilingID: string(id), MaterialID: uuid.NewString(), Kind: req.Kind,
		ContentType: req.ContentType, Size: req.Size, SHA256: req.SHA256,
	})
	var reqErr *documents.RequestError
	if errors.As(err, &reqErr) {
		return httpx.BadRequest(filing.CodeInvalidValue, reqErr.Field, "%s", reqErr.Message)
	}
	if err != nil {
		return httpx.Unavailable("the document store")
	}
	return c.JSON(http.StatusCreated, up)
}

// stillOpen refuses a filing that has ended, by its read model's row (row,
// when the owner check read it already): an upload asks nothing of the
// workflow, and a query would cost the Temporal server a workflow task for
// every document. The workflow answers only where the read model cannot
// (the database down).
func (s *server) stillOpen(ctx context.Context, id filing.ID, row *store.Filing) error {
	if row == nil {
		f, err := s.filings.Get(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound(id)
		case err == nil:
			row = &f
		}
	}
	switch {
	case row != nil && row.Closed:
		return filingEnded()
	case row != nil:
		return nil
	}
	if _, err := s.client.State(ctx, id); err != nil {
		return s.stateError(id, err)
	}
	return nil
}
