package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/rules"
)

// validateApplication is the dry run a backend calls while the user is
// still typing: it takes a complete or partial application and returns every
// violation at once, with 200. Only a body that cannot be read as an
// application (malformed JSON, wrong JSON types, unknown fields) is a 400.
// It starts and stores nothing.
func (s *server) validateApplication(c echo.Context) error {
	var app filing.Application
	if err := httpx.DecodeJSON(c, &app); err != nil {
		return err
	}
	now := s.Now()
	rs := rules.DefaultRuleSet()
	violations := rules.Validate(app, now, rs)
	if violations == nil {
		violations = []rules.Violation{}
	}
	return c.JSON(http.StatusOK, filing.Validation{
		Valid:          len(violations) == 0,
		Violations:     violations,
		RuleSetVersion: rs.Version(),
		CheckedAt:      now.UTC(),
	})
}
