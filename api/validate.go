package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/registrar"
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
	violations := append(rules.Validate(app, now, rs), s.registrations(c, app, now, rs)...)
	if violations == nil {
		violations = []rules.Violation{}
	}
	materials := rules.RequiredMaterials(app, now, rs)
	if materials == nil {
		materials = []filing.MaterialRequirement{}
	}
	return c.JSON(http.StatusOK, filing.Validation{
		Valid:          len(violations) == 0,
		Violations:     violations,
		Materials:      materials,
		RuleSetVersion: rs.Version(),
		CheckedAt:      now.UTC(),
	})
}

// registryBudget bounds the dry run's registry lookups: the user is
// typing, and the automated checks ask again at submission.
const registryBudget = 5 * time.Second

// registrations checks the application's domains at their registries
// (rules.CheckRegistrations), as far as they answer within the budget.
func (s *server) registrations(c echo.Context, app filing.Application, now time.Time, rs *rules.RuleSet) []rules.Violation {
	if s.Registry == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), registryBudget)
	defer cancel()
	regs, err := registrar.ForRules(ctx, s.Registry, app)
	if err != nil {
		// The error names domains; the log says only that one was skipped.
		s.Log.WarnContext(ctx, "dry run: a domain registry did not answer; its domain is checked at submission")
	}
	return rules.CheckRegistrations(app, regs, now, rs)
}
