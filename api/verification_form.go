package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/verificationform"
	"github.com/beianflow/beianflow/rules"
)

// verificationForm answers GET /v1/filings/{id}/verification-form: the
// pre-filled 网站备案信息真实性核验单 of the filing's saved application, as
// a PDF to print, sign, scan and attach. The same content keeps its
// serial; a changed application prints a new one. The form holds personal
// data, so every download is recorded.
func (s *server) verificationForm(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	ctx := c.Request().Context()
	st, err := s.client.State(ctx, id)
	if err != nil {
		if errors.Is(err, filings.ErrNotFound) {
			return notFound(id)
		}
		if errors.Is(err, filings.ErrClosed) {
			return filingEnded()
		}
		return temporalError(err)
	}
	rev, err := s.apps.Latest(ctx, id, store.KindApplication)
	if errors.Is(err, store.ErrNotFound) {
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageConflict,
			Message: "save the application first: the verification form is filled from it"}
	}
	if err != nil {
		return fmt.Errorf("verification form of filing %s: %w", id, err)
	}
	var app filing.Application
	if err := s.apps.Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &app); errors.Is(err, envelope.ErrErased) {
		return personalDataErased()
	} else if err != nil {
		return fmt.Errorf("verification form of filing %s: %w", id, err)
	}
	form := verificationform.FromApplication(id, s.API.ProviderName, st.FilingType, app, websiteNumbers(st))
	serial, err := verificationform.NewSerial()
	if err != nil {
		return err
	}
	issued, err := s.forms.Issue(ctx, id, form.Digest(), serial, s.Now())
	if err != nil {
		return err
	}
	form.Serial, form.IssuedAt = issued.Serial, issued.CreatedAt
	pdf, err := verificationform.Render(form)
	if err != nil {
		return err
	}
	if err := s.recordReads(c, id, "verification_form "+issued.Serial); err != nil {
		return err
	}
	name := "核验单-" + issued.Serial + ".pdf"
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="%s.pdf"; filename*=UTF-8''%s`, issued.Serial, url.PathEscape(name)))
	c.Response().Header().Set("X-Verification-Form-Serial", issued.Serial)
	return c.Blob(http.StatusOK, filing.MediaTypePDF, pdf)
}

// websiteNumbers are the filing's 备案服务号 by ASCII domain: every
// website's once the initial review gave them, before that the number of
// the website the filing was started for.
func websiteNumbers(st filing.State) map[string]string {
	out := map[string]string{}
	for _, n := range st.ServiceNumbers {
		out[n.Domain] = n.Number
	}
	if len(out) == 0 && st.ServiceNumber != "" {
		domain := st.Domain
		if d, err := rules.ParseDomain(st.Domain); err == nil {
			domain = d.ASCII
		}
		out[domain] = st.ServiceNumber
	}
	return out
}
