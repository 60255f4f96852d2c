package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/registrar"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/verificationform"
	"github.com/beianflow/beianflow/rules"
)

// CheckApplicationRequest references what the automated checks read.
type CheckApplicationRequest struct {
	FilingID   filing.ID             `json:"filing_id"`
	Province   string                `json:"province"`
	Domain     string                `json:"domain"`
	RevisionID string                `json:"revision_id"`
	Digest     string                `json:"digest"`
	Materials  []filing.MaterialKind `json:"materials"` // kinds attached
	// Form is the attached verification form, checked against the
	// application it must have been printed for.
	Form *filing.MaterialRef `json:"form,omitempty"`
}

// CheckApplication runs the automated part of the initial review: the
// stored application against the province rules in force today, the domain
// the filing was started for, and the materials the application needs. It
// answers the problems found as rejection reasons; their messages are the
// rules' templates in English, without personal data.
func (a *Activities) CheckApplication(ctx context.Context, r CheckApplicationRequest) (CheckApplicationResult, error) {
	reasons, err := a.checkApplication(ctx, r)
	return CheckApplicationResult{Reasons: reasons, RuleSetVersion: a.ruleSet().Version()}, err
}

// CheckApplicationResult is what the automated checks found, and under
// which rules: a rule update deployed while a filing runs applies to its
// next checks, and the filing records which version that was.
type CheckApplicationResult struct {
	// Reasons are the findings; none means the application passed.
	Reasons []filing.Reason `json:"reasons,omitempty"`
	// RuleSetVersion is rules.RuleSet.Version of the rules applied.
	RuleSetVersion string `json:"rule_set_version"`
}

func (a *Activities) checkApplication(ctx context.Context, r CheckApplicationRequest) ([]filing.Reason, error) {
	var app filing.Application
	err := a.Applications.Load(ctx, r.FilingID, r.RevisionID, store.KindApplication, r.Digest, &app)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDigestMismatch) {
		return []filing.Reason{{Field: "application", Code: "application.missing", Message: "the saved application could not be read; save it again"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check application of filing %s: %w", r.FilingID, err)
	}
	var out []filing.Reason
	for _, v := range rules.Validate(app, a.now(), a.ruleSet()) {
		msg := v.Message.EN
		if v.Code == rules.CodeInvalidValue {
			// The only message that quotes free input, which may be
			// personal data; the history gets the code's plain wording.
			msg = "not one of the allowed values"
		}
		r := filing.Reason{Field: v.Field, Code: string(v.Code), Message: msg}
		if v.Code != rules.CodeInvalidValue {
			r.Text = &filing.Message{ZH: v.Message.ZH, EN: v.Message.EN}
		}
		out = append(out, r)
	}
	if app.Subject.Province != r.Province {
		out = append(out, filing.Reason{Field: "subject.province", Code: "filing.province_changed",
			Message: "the subject's province differs from the filing's; start a new filing"})
	}
	if !slices.ContainsFunc(app.Websites, func(w filing.Website) bool { return sameDomain(w.Domain, r.Domain) }) {
		out = append(out, filing.Reason{Field: "websites", Code: "filing.domain_missing",
			Message: "the application no longer contains the domain the filing was started for"})
	}
	out = append(out, a.missingMaterials(app, r)...)
	registered, err := a.domainFindings(ctx, app)
	if err != nil {
		return nil, err
	}
	out = append(out, registered...)
	outdated, err := a.formOutdated(ctx, r, app)
	if err != nil {
		return nil, err
	}
	if outdated {
		out = append(out, filing.Reason{Field: "materials.verification_form", Code: "material.form_outdated",
			Message: "the verification form was printed for an earlier version of the application; download it again, sign it and attach the new scan"})
	}
	return out, nil
}

// domainFindings asks the registry of each website's domain what the
// bureau checks (rules.CheckRegistrations). A registry that cannot be
// reached is an error, retried, never a finding.
func (a *Activities) domainFindings(ctx context.Context, app filing.Application) ([]filing.Reason, error) {
	if a.Registry == nil {
		return nil, nil
	}
	regs, err := registrar.ForRules(ctx, a.Registry, app)
	if err != nil {
		return nil, fmt.Errorf("look up the domains: %w", err)
	}
	var out []filing.Reason
	for _, v := range rules.CheckRegistrations(app, regs, a.now(), a.ruleSet()) {
		out = append(out, filing.Reason{Field: v.Field, Code: string(v.Code), Message: v.Message.EN,
			Text: &filing.Message{ZH: v.Message.ZH, EN: v.Message.EN}})
	}
	return out, nil
}

// formOutdated says whether the attached verification form was printed
// for other content than the application submitted: the bureau compares
// the signed form with the filing, so a form from before an edit of the
// subject, a website or a responsible person would be its rejection.
func (a *Activities) formOutdated(ctx context.Context, r CheckApplicationRequest, app filing.Application) (bool, error) {
	if r.Form == nil {
		return false, nil
	}
	_, form, err := a.scannedForm(ctx, r.Form.ObjectKey, r.Form.Size)
	if errors.Is(err, verificationform.ErrNoSerial) || errors.Is(err, store.ErrNotFound) {
		return false, nil // verified when it was attached; nothing more to compare
	}
	if err != nil {
		return false, fmt.Errorf("check the verification form of filing %s: %w", r.FilingID, err)
	}
	return form.ContentDigest != verificationform.FromApplication(r.FilingID, "", "", app, nil).Digest(), nil
}

func sameDomain(a, b string) bool {
	da, err := rules.ParseDomain(a)
	return err == nil && da.ASCII == b
}

// missingMaterials lists the documents the rules demand of the application
// (rules.RequiredMaterials) that have not been attached.
func (a *Activities) missingMaterials(app filing.Application, r CheckApplicationRequest) []filing.Reason {
	var out []filing.Reason
	for _, m := range rules.RequiredMaterials(app, a.now(), a.ruleSet()) {
		if !slices.Contains(r.Materials, m.Kind) {
			out = append(out, filing.Reason{Field: "materials." + string(m.Kind), Code: "material.missing", Message: m.Message.EN,
				Text: &filing.Message{ZH: m.Message.ZH, EN: m.Message.EN}})
		}
	}
	return out
}
