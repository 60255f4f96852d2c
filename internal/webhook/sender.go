package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
)

// Our webhook endpoints, under the API's base URL, and the sources they
// record deliveries under.
const (
	BureauPath    = "/v1/webhooks/bureau"
	CourierPath   = "/v1/webhooks/courier"
	SourceBureau  = "bureau"
	SourceCourier = "courier"
)

// defaultClient bounds a push when Sender.Client is nil; the sandbox's
// push loop retries on its next tick.
var defaultClient = &http.Client{Timeout: 10 * time.Second}

// Sender pushes events as signed webhooks, the way the real bureau and
// courier do: it is the bureau.Listener and courier.Listener handed to
// bureau.Sandbox.Run and courier.Sandbox.Run in `make run`. Each call is
// one attempt; an error makes the sandbox push again on its next tick.
//
// The delivery ID is derived from the event (source, receipt or tracking
// number, state), so a push repeated after a failure or a lost answer is a
// redelivery under the same ID: the receiver either delivers it now or
// answers 409 replayed_delivery, which Sender counts as delivered.
type Sender struct {
	// URL is beianflow's API base URL, e.g. "http://localhost:8080";
	// BureauPath or CourierPath is appended.
	URL string
	// Secret is the HMAC key shared with the receiver's Verifier.
	Secret []byte
	// Client sends the requests; default a client with a 10s timeout.
	Client *http.Client
}

var (
	_ bureau.Listener  = (*Sender)(nil)
	_ courier.Listener = (*Sender)(nil)
)

// BureauStatusChanged implements bureau.Listener: POST BureauPath with the
// status.
func (s *Sender) BureauStatusChanged(ctx context.Context, st bureau.Status) error {
	return s.send(ctx, BureauPath, deliveryID(SourceBureau, st.ReceiptID, string(st.State)), st)
}

// ShipmentChanged implements courier.Listener: POST CourierPath with the
// tracking.
func (s *Sender) ShipmentChanged(ctx context.Context, t courier.Tracking) error {
	return s.send(ctx, CourierPath, deliveryID(SourceCourier, t.TrackingNumber, string(t.State)), t)
}

func (s *Sender) send(ctx context.Context, path, id string, event any) error {
	if len(s.Secret) == 0 {
		return fmt.Errorf("webhook: push %s to %s: sender has no secret", id, path)
	}
	body, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("webhook: push %s to %s: encode: %w", id, path, err)
	}
	// The URL is configuration (the API that receives the pushes), never input.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: push %s to %s: %w", id, path, err)
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderSignature, Sign(s.Secret, ts, id, body))
	client := s.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: push %s to %s: %w", id, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("webhook: push %s to %s: read HTTP %d answer: %w", id, path, resp.StatusCode, err)
	}
	var e errorBody
	_ = json.Unmarshal(answer, &e)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusConflict && e.Code == CodeReplayedDelivery:
		return nil // accepted by an earlier push whose answer was lost
	}
	return fmt.Errorf("webhook: push %s to %s: %w", id, path, &RefusedError{Status: resp.StatusCode, Code: e.Code})
}

// RefusedError is the receiver's answer to a push it did not accept.
type RefusedError struct {
	// Status is the HTTP status, Code the error code of the body ("" if
	// none), e.g. 401 and CodeBadSignature.
	Status int
	Code   string
}

// Error gives status and code; the receiver's message is not kept.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("receiver answered HTTP %d %s", e.Status, e.Code)
}

// deliveryID names an event: the same event gets the same ID on every
// push. Hashing keeps the ID within the allowed characters whatever the
// receipt or tracking number holds.
func deliveryID(source, ref, state string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + ref + "\x00" + state))
	return source + "-" + hex.EncodeToString(sum[:16])
}
