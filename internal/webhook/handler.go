package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// MaxBodyBytes caps a webhook body; events are a few hundred bytes.
const MaxBodyBytes = 1 << 20

// Error codes of the webhook answers.
const (
	CodeBadSignature     = "bad_signature"
	CodeStaleTimestamp   = "stale_timestamp"
	CodeReplayedDelivery = "replayed_delivery"
	CodeInvalidPayload   = "invalid_payload"
	CodeBodyTooLarge     = "body_too_large"
	CodeUnavailable      = "unavailable"
)

// errorBody is every error answer of a webhook endpoint.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Handler serves one webhook endpoint for source ("bureau" or "courier").
// It reads at most MaxBodyBytes, verifies the request with v and hands the
// body to deliver (see DeliverBureau and DeliverCourier). Answers:
//
//	204 delivered
//	400 invalid_payload    deliver returned ErrBadPayload
//	401 bad_signature      ErrBadSignature
//	401 stale_timestamp    ErrStale
//	409 replayed_delivery  ErrReplay: the delivery was accepted before
//	413 body_too_large
//	503 unavailable        deliver or the delivery store failed: push again
//
// The delivery is recorded as accepted only after deliver succeeded, so a
// sender whose delivery failed may retry it under the same ID. Two
// concurrent copies of one delivery may both be delivered; the listeners
// are idempotent, so that is harmless. Bodies are never logged.
func Handler(v *Verifier, source string, deliver func(ctx context.Context, body []byte) error, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("source", source)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				refuse(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "webhook body larger than 1 MiB")
				return
			}
			// The sender went away mid-body; no one reads this answer.
			refuse(w, http.StatusBadRequest, CodeInvalidPayload, "webhook body could not be read")
			return
		}
		ctx := r.Context()
		if err := v.Verify(r, body); err != nil {
			switch {
			case errors.Is(err, ErrBadSignature):
				// Header values are not logged: unverified, they are anyone's.
				log.WarnContext(ctx, "webhook refused: bad signature")
				refuse(w, http.StatusUnauthorized, CodeBadSignature, "signature missing or invalid")
			case errors.Is(err, ErrStale):
				log.WarnContext(ctx, "webhook refused: stale timestamp", "err", err)
				refuse(w, http.StatusUnauthorized, CodeStaleTimestamp, "timestamp outside the accepted window")
			case errors.Is(err, ErrReplay):
				log.InfoContext(ctx, "webhook refused: delivery already accepted", "err", err)
				refuse(w, http.StatusConflict, CodeReplayedDelivery, "delivery already accepted")
			default:
				log.ErrorContext(ctx, "webhook verification failed", "err", err)
				refuse(w, http.StatusServiceUnavailable, CodeUnavailable, "try again later")
			}
			return
		}
		id := r.Header.Get(HeaderDelivery)
		if err := deliver(ctx, body); err != nil {
			if errors.Is(err, ErrBadPayload) {
				log.WarnContext(ctx, "webhook refused: unreadable payload", "delivery_id", id, "err", err)
				refuse(w, http.StatusBadRequest, CodeInvalidPayload, "body is not the expected event")
				return
			}
			log.WarnContext(ctx, "webhook delivery failed; the sender will retry", "delivery_id", id, "err", err)
			refuse(w, http.StatusServiceUnavailable, CodeUnavailable, "delivery failed; try again later")
			return
		}
		// Recorded even if the sender hung up meanwhile: the event is in.
		markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := v.Seen.Mark(markCtx, id, source, v.now()); err != nil {
			// The event was delivered, so the answer is success; only replay
			// protection of this one ID is lost, and the listeners are
			// idempotent.
			log.ErrorContext(ctx, "webhook delivered but not recorded", "delivery_id", id, "err", err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func refuse(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The sender has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(errorBody{Code: code, Message: message})
}
