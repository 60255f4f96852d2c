package filing

// Error codes of the API: the stable "code" of every error answer
// ({"code", "message", "field", "details"}). Programs switch on them, never
// on the message. Rule codes (RuleCode, e.g. "domain.tld_not_approved") and
// filing-type codes ("filing_type.…") come on top.
const (
	// 400: the request cannot be read.
	CodeInvalidJSON  = "invalid_json"
	CodeInvalidType  = "invalid_type"
	CodeUnknownField = "unknown_field"
	CodeRequired     = "required"
	CodeInvalidValue = "invalid_value"
	// CodeInvalidCursor: a listing cursor that is malformed, expired or was
	// issued for other filters; start again without one.
	CodeInvalidCursor = "invalid_cursor"
	// CodeInvalidIdempotencyKey: the Idempotency-Key header is malformed.
	CodeInvalidIdempotencyKey = "invalid_idempotency_key"

	// 401 and 403: authentication and authorisation.
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	// CodeAccountMismatch: a backend key creating a filing for another
	// account. (Another account's filing is CodeFilingNotFound.)
	CodeAccountMismatch = "account_mismatch"

	// 404, 405.
	CodeFilingNotFound = "filing_not_found"
	// CodeRevisionNotFound: the filing has no such revision of its
	// application, or none saved yet.
	CodeRevisionNotFound = "revision_not_found"
	CodeRouteNotFound    = "route_not_found"
	CodeMethodNotAllowed = "method_not_allowed"

	// 409: the filing's state does not allow the request.
	CodeStageConflict = "stage_conflict"
	CodeSubjectBusy   = "subject_busy"
	CodeFilingClosed  = "filing_closed"
	// CodeClaimHeld: another reviewer holds the filing's review claim;
	// details name them and when the claim expires.
	CodeClaimHeld = "claim_held"
	// CodeFilingNotEnded: support asked to erase the personal data of a
	// filing still in flight; only approved, cancelled or expired filings
	// can be erased.
	CodeFilingNotEnded = "filing_not_ended"
	// CodePersonalDataErased (410): the filing's personal data was erased
	// (on request or after the retention); its facts remain.
	CodePersonalDataErased = "personal_data_erased"
	// CodeDownloadURLInvalid (403): a document's download URL that this
	// system did not sign, or that was altered; ask for the materials again.
	CodeDownloadURLInvalid = "download_url_invalid"
	// CodeDownloadURLExpired (403): a document's download URL past its
	// expiry; ask for the materials again for a new one.
	CodeDownloadURLExpired = "download_url_expired"
	// CodeWebhookEndpointNotFound (404): no webhook endpoint with this ID
	// in the caller's account.
	CodeWebhookEndpointNotFound = "webhook_endpoint_not_found"
	// CodeWebhookEndpointLimit (409): the account has as many webhook
	// endpoints as it may; delete one first.
	CodeWebhookEndpointLimit = "webhook_endpoint_limit"
	// CodeEventNotFound (404): no event with this ID in the account's feed.
	CodeEventNotFound = "event_not_found"
	CodeFilingExists  = "filing_exists"
	// CodeIdempotencyInProgress: a request with the same key is still
	// being processed; retry later with the same key.
	CodeIdempotencyInProgress = "idempotency_in_progress"
	// CodeWorkflowTaskFailing: a support retry refused because the
	// filing's workflow code itself fails; deploy a fix or roll back first.
	CodeWorkflowTaskFailing = "workflow_task_failing"
	// CodeNothingToRetry: a support retry found no failing activity.
	CodeNothingToRetry = "nothing_to_retry"
	// CodeStageNotReached: a support reset refused because the filing has
	// never been in the stage asked for.
	CodeStageNotReached = "stage_not_reached"
	// CodeAlreadyAtStageStart: a support reset refused because the filing
	// has done nothing since it last entered the stage.
	CodeAlreadyAtStageStart = "already_at_stage_start"

	// 413, 415.
	CodeBodyTooLarge         = "body_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"

	// 422: the request is well-formed but refused.
	CodeInvalidAction      = "invalid_action"
	CodeApplicationInvalid = "application_invalid"
	CodeMaterialRejected   = "material_rejected"
	// CodeIdempotencyKeyReused: the key was used before with another
	// request body; use a new key for a new request.
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	// CodeCodecFailed: the codec server could not encode or decode a
	// payload (a key it does not hold, a corrupt payload).
	CodeCodecFailed = "codec_failed"

	// 429.
	CodeRateLimited = "rate_limited"

	// 5xx.
	CodeInternal    = "internal"
	CodeUnavailable = "dependency_unavailable"
)
