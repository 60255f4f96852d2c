package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
)

// answerAction answers an action the filing took with its state, or, to a
// caller that asked for no more with `Prefer: return=minimal` (RFC 7240),
// with 204 and nothing: a backend that learns of changes from events needs
// no state in the answer, and the state costs the workflow a query.
func (s *server) answerAction(c echo.Context, id filing.ID) error {
	if prefersMinimal(c.Request().Header.Values("Prefer")) {
		c.Response().Header().Set("Preference-Applied", "return=minimal")
		return c.NoContent(http.StatusNoContent)
	}
	return s.answerFiling(c, id)
}

// prefersMinimal reports whether Prefer header values ask for
// return=minimal: comma-separated preferences, each a token with an
// optional value and parameters after ';' (RFC 7240, section 2).
func prefersMinimal(values []string) bool {
	for _, v := range values {
		for _, pref := range strings.Split(v, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(strings.SplitN(pref, ";", 2)[0]), "=")
			if strings.EqualFold(strings.TrimSpace(name), "return") && strings.Trim(strings.TrimSpace(value), `"`) == "minimal" {
				return true
			}
		}
	}
	return false
}
