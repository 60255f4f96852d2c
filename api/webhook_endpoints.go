package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/httpx"
)

// registerWebhookEndpoints mounts the accounts' webhook endpoints (backend
// keys) and support's view of their deliveries.
func (s *server) registerWebhookEndpoints(v1 *router) {
	v1.add(http.MethodPost, "/webhook-endpoints", s.createEndpoint, RoleBackend)
	v1.add(http.MethodGet, "/webhook-endpoints", s.listEndpoints, RoleBackend)
	v1.add(http.MethodGet, "/webhook-endpoints/:endpoint", s.getEndpoint, RoleBackend)
	v1.add(http.MethodPatch, "/webhook-endpoints/:endpoint", s.updateEndpoint, RoleBackend)
	v1.add(http.MethodDelete, "/webhook-endpoints/:endpoint", s.deleteEndpoint, RoleBackend)
	v1.add(http.MethodPost, "/webhook-endpoints/:endpoint/rotate-secret", s.rotateEndpointSecret, RoleBackend)
	v1.add(http.MethodGet, "/support/webhook-deliveries", s.listDeliveries, RoleSupport)
	v1.add(http.MethodPost, "/support/webhook-deliveries/redeliver", s.redeliver, RoleSupport)
}

// account is the provider account of the backend key calling.
func account(c echo.Context) (string, error) {
	p := auth.PrincipalOf(c)
	if p.AccountID == "" {
		return "", &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
			Message: "this API key is not bound to a provider account"}
	}
	return p.AccountID, nil
}

// endpointError answers the hooks package's refusals.
func endpointError(err error) error {
	switch {
	case errors.Is(err, hooks.ErrNotFound):
		return &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeWebhookEndpointNotFound,
			Message: "no webhook endpoint with this ID"}
	case errors.Is(err, hooks.ErrBadURL):
		return httpx.BadRequest(filing.CodeInvalidValue, "url", "%s", urlProblem(err))
	case errors.Is(err, hooks.ErrUnknownType):
		return httpx.BadRequest(filing.CodeInvalidValue, "event_types", "event_types holds a type there is not; see the Event schema")
	case errors.Is(err, hooks.ErrTooMany):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeWebhookEndpointLimit,
			Message: "an account may have at most " + strconv.Itoa(hooks.MaxEndpoints) + " webhook endpoints; delete one first"}
	case errors.Is(err, hooks.ErrBadValidFor):
		return httpx.BadRequest(filing.CodeInvalidValue, "previous_valid_for", "previous_valid_for must be a duration from 0s to 168h, e.g. 24h")
	}
	return err
}

// urlProblem says why a URL is refused without repeating it: the reasons
// name the rule broken (scheme, private address, length), not the URL.
func urlProblem(err error) string {
	_, why, _ := strings.Cut(err.Error(), hooks.ErrBadURL.Error()+": ")
	return "url must be an https URL of a public address, at most 2048 characters, without user or fragment: " + why
}

// createEndpoint answers POST /v1/webhook-endpoints: the endpoint with its
// signing secret, shown this once.
func (s *server) createEndpoint(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	var req filing.WebhookEndpointRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.URL == "" {
		return httpx.BadRequest(filing.CodeRequired, "url", "url is required")
	}
	out, err := s.Hooks.Create(c.Request().Context(), acc, req)
	if err != nil {
		return endpointError(err)
	}
	return c.JSON(http.StatusCreated, out)
}

// listEndpoints answers GET /v1/webhook-endpoints.
func (s *server) listEndpoints(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	eps, err := s.Hooks.List(c.Request().Context(), acc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, filing.WebhookEndpointList{Endpoints: eps})
}

// getEndpoint answers GET /v1/webhook-endpoints/{endpoint}.
func (s *server) getEndpoint(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	ep, err := s.Hooks.Get(c.Request().Context(), acc, c.Param("endpoint"))
	if err != nil {
		return endpointError(err)
	}
	return c.JSON(http.StatusOK, ep)
}

// updateEndpoint answers PATCH /v1/webhook-endpoints/{endpoint}.
func (s *server) updateEndpoint(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	var p filing.WebhookEndpointPatch
	if err := httpx.DecodeJSON(c, &p); err != nil {
		return err
	}
	ep, err := s.Hooks.Update(c.Request().Context(), acc, c.Param("endpoint"), p)
	if err != nil {
		return endpointError(err)
	}
	return c.JSON(http.StatusOK, ep)
}

// deleteEndpoint answers DELETE /v1/webhook-endpoints/{endpoint}.
func (s *server) deleteEndpoint(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	if err := s.Hooks.Delete(c.Request().Context(), acc, c.Param("endpoint")); err != nil {
		return endpointError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateEndpointSecret answers POST /v1/webhook-endpoints/{endpoint}/rotate-secret.
func (s *server) rotateEndpointSecret(c echo.Context) error {
	acc, err := account(c)
	if err != nil {
		return err
	}
	req, err := emptyBody[filing.RotateSecretRequest](c)
	if err != nil {
		return err
	}
	validFor := hooks.DefaultPreviousValidFor
	if req.PreviousValidFor != "" {
		if validFor, err = time.ParseDuration(req.PreviousValidFor); err != nil {
			return endpointError(hooks.ErrBadValidFor)
		}
	}
	out, err := s.Hooks.Rotate(c.Request().Context(), acc, c.Param("endpoint"), validFor)
	if err != nil {
		return endpointError(err)
	}
	return c.JSON(http.StatusOK, out)
}

// listDeliveries answers GET /v1/support/webhook-deliveries.
func (s *server) listDeliveries(c echo.Context) error {
	v := c.QueryParams()
	if e := checkParams(v, []string{"endpoint_id", "filing_id", "status", "limit"}); e != nil {
		return e
	}
	var q hooks.DeliveryQuery
	var e *httpx.Error
	if q.EndpointID, e = single(v, "endpoint_id"); e != nil {
		return e
	}
	id, e := single(v, "filing_id")
	if e != nil {
		return e
	}
	q.FilingID = filing.ID(id)
	if q.Status, e = single(v, "status"); e != nil {
		return e
	}
	switch q.Status {
	case "", hooks.StatusPending, hooks.StatusDelivered, hooks.StatusFailed:
	default:
		return httpx.BadRequest(filing.CodeInvalidValue, "status", "status must be pending, delivered or failed")
	}
	if l, e := single(v, "limit"); e != nil {
		return e
	} else if l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return httpx.BadRequest(filing.CodeInvalidValue, "limit", "limit must be a whole number from 1 to 500")
		}
		q.Limit = n
	}
	out, err := hooks.Deliveries(c.Request().Context(), s.DB, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, filing.WebhookDeliveryList{Deliveries: out})
}

// redeliver answers POST /v1/support/webhook-deliveries/redeliver: the
// event goes to the endpoint again; who asked and why stay on the delivery.
func (s *server) redeliver(c echo.Context) error {
	var req filing.RedeliverRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	for field, v := range map[string]string{"endpoint_id": req.EndpointID, "event_id": req.EventID, "reason": req.Reason} {
		if v == "" {
			return httpx.BadRequest(filing.CodeRequired, field, "%s is required", field)
		}
	}
	if !reasonPattern.MatchString(req.Reason) {
		return httpx.BadRequest(filing.CodeInvalidValue, "reason", "say why as a snake_case code such as receiver_restored")
	}
	p := auth.PrincipalOf(c)
	actor := string(p.Role) + ":" + p.KeyID
	d, err := hooks.Redeliver(c.Request().Context(), s.DB, req.EndpointID, req.EventID, actor, req.Reason, s.Now(), s.DeliveryRetryFor)
	switch {
	case errors.Is(err, hooks.ErrNotFound):
		return endpointError(err)
	case errors.Is(err, hooks.ErrNoSuchEvent):
		return &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeEventNotFound, Message: "the endpoint's account has no event with this ID"}
	case err != nil:
		return err
	}
	s.Log.InfoContext(c.Request().Context(), "webhook redelivery by hand", "actor", actor, "endpoint_id", req.EndpointID,
		"event_id", req.EventID, "reason", req.Reason)
	return c.JSON(http.StatusOK, d)
}
