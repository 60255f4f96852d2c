// Package openapi holds the API's contract, openapi.yaml, and what derives
// from it: the JSON served at /v1/openapi.json, the HTML page at /v1/docs,
// and the middleware that refuses every /v1 request the contract does not
// accept, in the handlers' own error codes and field paths. Keeping the
// contract the one source means the documentation cannot drift from what
// the API enforces.
package openapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/labstack/echo/v4"
)

// openAPIYAML is the API's contract: every endpoint, field, error code and
// example. It is the source of truth; the JSON served at /v1/openapi.json,
// the page at /v1/docs and the request validation all derive from it.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// apiSpec is the loaded contract with what is derived from it once.
type apiSpec struct {
	doc    *openapi3.T
	json   []byte
	router routers.Router
}

// loadSpec parses and validates the embedded contract once. A broken
// contract is a programming error that the package's tests catch.
var loadSpec = sync.OnceValues(func() (*apiSpec, error) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	// Origins give each property's line, which orders validation problems
	// the way the handlers check them (declaration order).
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi: openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: openapi.yaml to JSON: %w", err)
	}
	// Route on paths alone, whatever host and scheme the API is reached
	// under: the router matches servers' URLs when there are any.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("openapi: route openapi.yaml: %w", err)
	}
	return &apiSpec{doc: doc, json: js, router: router}, nil
})

// specJSON is the contract as JSON, converted once; nil if it does not
// load (the tests make sure it does).
func specJSON() []byte {
	s, err := loadSpec()
	if err != nil {
		return nil
	}
	return s.json
}

// Document is the contract, loaded and validated once. The document is
// shared: callers must not change it.
func Document() (*openapi3.T, error) {
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return s.doc, nil
}

// JSON serves the contract (GET /v1/openapi.json).
func JSON(c echo.Context) error {
	js := specJSON()
	if js == nil {
		_, err := loadSpec()
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, js)
}

// operationRoles reads an operation's x-roles.
func operationRoles(op *openapi3.Operation) []string {
	list, _ := op.Extensions["x-roles"].([]any)
	roles := make([]string, 0, len(list))
	for _, r := range list {
		if s, ok := r.(string); ok {
			roles = append(roles, s)
		}
	}
	return roles
}
