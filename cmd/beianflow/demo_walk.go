package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
)

// The walk: the demo creates a filing and plays its applicant (the
// provider's backend) and its reviewers until the filing ends.

func (d *demo) create(ctx context.Context) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("demo: random company: %w", err)
	}
	seq := fmt.Sprintf("%06d", n.Int64())
	d.company = sample.CreditCode("91", demoRegion, sample.OrgCode("MA"+seq))
	d.domain = "beianflow-demo-" + seq + ".com"
	d.instance = "i-" + demoAccount + "-demo" + seq
	scale := d.opts.TimeScale
	req := filing.CreateRequest{
		Subject: filing.SubjectIdentity{Province: demoProvince, Nature: filing.NatureEnterprise,
			CertificateType: filing.CertBusinessLicense, CertificateNumber: d.company},
		Domain:  d.domain,
		Product: filing.Product{InstanceID: d.instance},
		Sandbox: &filing.SandboxSettings{TimeScale: &scale},
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, d.opts.APIURL+"/v1/filings", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+d.keys["BEIANFLOW_BACKEND_KEY"])
	hreq.Header.Set(apiclient.HeaderIdempotencyKey, "demo-"+rand.Text())
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(hreq)
	if err != nil {
		return fmt.Errorf("demo: create the filing: %w: %s", err, startMakeRun)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != http.StatusCreated {
		var e struct{ Code, Message, Field string }
		_ = json.Unmarshal(answer, &e)
		switch {
		case res.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("demo: the API refused the backend key of %s (401): does `make run` use this data directory? Set BEIANFLOW_DATA_DIR, or %s", d.opts.KeyFile, startMakeRun)
		case e.Code == "unknown_field" && e.Field == "sandbox":
			return fmt.Errorf("demo: the API at %s does not know a filing's own time scale: its `make run` predates `make demo`; stop it and start `make run` again", d.opts.APIURL)
		case e.Field == "sandbox":
			return fmt.Errorf("demo: the API at %s refuses a filing's own time scale (%s): the demo needs the development system of `make run` "+
				"(beianflow dev with the sandbox world, BEIANFLOW_SANDBOX_SETTINGS not false), not a production one", d.opts.APIURL, e.Message)
		}
		return fmt.Errorf("demo: create the filing: %s %s %s: %s", res.Status, e.Code, e.Field, e.Message)
	}
	var f filing.View
	if err := json.Unmarshal(answer, &f); err != nil {
		return fmt.Errorf("demo: create the filing: unreadable answer: %w", err)
	}
	d.filingID = f.FilingID
	d.printHeader(&f)
	return nil
}

// walk reads the filing until it ends, printing what changed and acting
// where the filing waits on the applicant, the reviewers or (should it be
// late) the outside world.
func (d *demo) walk(ctx context.Context) error {
	failures := 0
	for {
		f, err := d.backend.GetFiling(ctx, d.filingID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			if failures >= 20 {
				return fmt.Errorf("demo: reading filing %s keeps failing: %w", d.filingID, err)
			}
		} else {
			failures = 0
			stages, err := d.stages(ctx, f)
			if err != nil {
				return err
			}
			d.report.show(stages, f)
			if f.Stage.Terminal() {
				return d.finish(f)
			}
			if err := d.act(ctx, f); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d.opts.Poll):
		}
	}
}

// stageEntry is one stage the filing entered.
type stageEntry struct {
	Stage filing.Stage
	At    time.Time
}

// stages lists the stages the filing entered, oldest first: from the
// live timeline, or, once the filing has ended (its answer comes from the
// read model, without a timeline), from the audit trail.
func (d *demo) stages(ctx context.Context, f *filing.View) ([]stageEntry, error) {
	var out []stageEntry
	for _, c := range f.Timeline {
		out = append(out, stageEntry{Stage: c.Stage, At: c.At})
	}
	if len(out) > 0 {
		return out, nil
	}
	// The audit trail is written as events happen and may trail the state.
	for try := 0; ; try++ {
		tl, err := d.support.Timeline(ctx, d.filingID)
		if err != nil {
			return nil, fmt.Errorf("demo: audit trail of filing %s: %w", d.filingID, err)
		}
		out = out[:0]
		for _, e := range tl.Events {
			if e.Action == "stage_changed" && e.ToStage != "" {
				out = append(out, stageEntry{Stage: e.ToStage, At: e.At})
			}
		}
		if (len(out) > 0 && out[len(out)-1].Stage == f.Stage) || try >= 20 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if len(out) == 0 {
		out = append(out, stageEntry{Stage: f.Stage, At: f.CreatedAt})
	}
	return out, nil
}

// wait is where a filing waits: the demo acts on what each wait asks for.
type wait struct {
	stage filing.Stage
	step  filing.Step
}

// act does what the filing waits for, once per wait.
func (d *demo) act(ctx context.Context, f *filing.View) error {
	if r := f.LastRejection; r != nil {
		return fmt.Errorf("demo: the filing was sent back by %s (%v); the demo walks the happy path only — see %s", r.By, r.Reasons, d.uiLink())
	}
	switch (wait{f.Stage, f.Step}) {
	case wait{filing.StageInformation, filing.StepEditing}:
		return d.once("information", func() error { return d.fillIn(ctx) })
	case wait{filing.StageInitialReview, filing.StepAwaitingReviewer}:
		return d.approve(ctx, "initial review", "reviewer approves the initial review (初审)", (*apiclient.Client).DecideInitialReview)
	case wait{filing.StagePhotoVerification, filing.StepAwaitingMailingAddress}:
		return d.once("mailing address", func() error {
			for _, n := range f.ServiceNumbers {
				d.say("website " + n.Domain + " has its own 备案服务号 " + n.Number)
			}
			d.say("backend gives the mailing address for the backdrop (幕布)")
			_, err := d.backend.SetMailingAddress(ctx, d.filingID, filing.MailingAddress{
				Recipient: filing.Person{Name: "张伟", Mobile: "13800138000"},
				Address:   filing.Address{Province: demoProvince, City: "杭州市", District: "西湖区", Detail: "文三路90号"},
			})
			return err
		})
	case wait{filing.StagePhotoVerification, filing.StepInTransit}:
		if f.Shipment == nil || f.Shipment.TrackingNumber == "" {
			return nil
		}
		tn := f.Shipment.TrackingNumber
		return d.standIn("courier "+tn, "the sandbox courier has not delivered backdrop "+tn, "courier-events", d.deliveryDelay, nil, func() error {
			_, err := d.support.DeliverCourierEvent(ctx, d.filingID, filing.ShipmentDeliveredRequest{TrackingNumber: tn, DeliveredAt: time.Now().UTC()})
			return err
		})
	case wait{filing.StagePhotoVerification, filing.StepAwaitingPhoto}:
		person := dueForVerification(f)
		if person == nil {
			return nil
		}
		return d.once("photo "+person.Person, func() error {
			d.say("backend uploads the photo of the responsible person of " + strings.Join(person.Websites, ", ") +
				" (600×800 PNG) to S3 and hands it in")
			up, err := d.backend.UploadMaterial(ctx, d.filingID, filing.MaterialPhoto, "image/png", demoPhoto)
			if err != nil {
				return err
			}
			a := apiclient.AttachRequest(filing.MaterialPhoto, up, demoPhoto)
			_, err = d.backend.AttachPhoto(ctx, d.filingID, filing.UploadPhotoRequest{Person: person.Person, ObjectKey: a.ObjectKey, Size: a.Size, SHA256: a.SHA256})
			return err
		})
	case wait{filing.StagePhotoVerification, filing.StepPhotoReview}:
		person := dueForVerification(f)
		if person == nil {
			return nil
		}
		return d.approve(ctx, "photo review "+person.Person, "reviewer approves the photo of the responsible person of "+strings.Join(person.Websites, ", "),
			(*apiclient.Client).DecidePhotoReview)
	case wait{filing.StageSMSVerification, filing.StepAwaitingSMS}:
		if f.Bureau == nil || f.Bureau.ReceiptID == "" {
			return nil
		}
		rid := f.Bureau.ReceiptID
		return d.standIn("sms "+rid, "the sandbox bureau has not reported the SMS verification", "bureau-events/sms", d.smsDelay, f.Deadline, func() error {
			_, err := d.support.DeliverSMSOutcome(ctx, d.filingID, filing.SMSVerificationRequest{ReceiptID: rid, Outcome: filing.SMSVerified})
			return err
		})
	case wait{filing.StageBureauReview, filing.StepAwaitingDecision}:
		if f.Bureau == nil || f.Bureau.ReceiptID == "" {
			return nil
		}
		rid := f.Bureau.ReceiptID
		return d.standIn("decision "+rid, "the sandbox bureau has not decided", "bureau-events/decision", d.reviewDelay, nil, func() error {
			_, err := d.support.DeliverBureauDecision(ctx, d.filingID, filing.BureauDecisionRequest{
				ReceiptID: rid, Approved: true, FilingNumber: demoFilingNumber(f.Province, d.filingID, time.Now())})
			return err
		})
	case wait{filing.StageProductVerification, filing.StepAwaitingProduct}:
		return fmt.Errorf("demo: the product %s failed verification (%s); see %s", d.instance, f.WaitingFor, d.uiLink())
	}
	return nil
}

// approve has the reviewer approve a review, once; decide is the review's
// endpoint, note what the demo prints.
func (d *demo) approve(ctx context.Context, review, note string,
	decide func(*apiclient.Client, context.Context, filing.ID, filing.DecisionRequest, ...apiclient.CallOption) (*filing.View, error),
) error {
	return d.once(review, func() error {
		d.say(note)
		_, err := decide(d.reviewer, ctx, d.filingID, filing.DecisionRequest{Approve: true, Reviewer: "demo-reviewer"})
		return err
	})
}

// once runs an action the first time its wait is seen. An action that
// lost a race with the filing moving on is no failure.
func (d *demo) once(name string, action func() error) error {
	if d.done[name] {
		return nil
	}
	d.done[name] = true
	if err := action(); err != nil && !movedOn(err) {
		if unavailable(err) {
			// As a backend would: the action is tried again at the next
			// read; had it been done after all, the filing has moved on
			// and the read shows it.
			d.done[name] = false
			d.say(name + ": the system is unavailable for now (" + err.Error() + "); trying again")
			return nil
		}
		return fmt.Errorf("demo: %s: %w", name, err)
	}
	return nil
}

// unavailable reports a failure that says nothing about the action: a
// dependency of the API was down (503 dependency_unavailable) or the API
// could not be reached, after the client's own retries.
func unavailable(err error) bool {
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) {
		return apiErr.Code == filing.CodeUnavailable || apiErr.Status == http.StatusBadGateway ||
			apiErr.Status == http.StatusServiceUnavailable || apiErr.Status == http.StatusGatewayTimeout
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}

// movedOn reports an action refused because the filing had already moved
// on: the sandbox world or a slow read got there first.
func movedOn(err error) bool {
	return apiclient.IsCode(err, "stage_conflict") || apiclient.IsCode(err, "filing_closed")
}

// fillIn is the applicant's part of the information stage: the complete
// application, the four scanned materials (uploaded straight to S3 through
// presigned URLs), and submission for initial review.
func (d *demo) fillIn(ctx context.Context) error {
	app := sample.ValidApplication()
	app.Subject.CertificateNumber = d.company
	// Two websites with a responsible person each: the site the filing was
	// started for (the subject leader's) and a blog (李娜's). Each gets its
	// own 备案服务号, and MIIT texts its SMS code to each person.
	site, blog := app.Websites[0], app.Websites[0]
	site.Domain, site.HomepageURL = d.domain, "https://www."+d.domain+"/"
	blog.Name, blog.Domain, blog.HomepageURL = "云栖技术博客", "blog-"+d.domain, "https://www.blog-"+d.domain+"/"
	blog.ResponsibleSameAsLeader, blog.Responsible = false, app.Websites[1].Responsible
	app.Websites = []filing.Website{site, blog}
	app.Product = filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: d.instance, Region: "cn-hangzhou"}}
	d.say("backend saves the application (PUT …/application): two websites, " + site.Domain + " and " + blog.Domain + ", each with its responsible person")
	if _, err := d.backend.SaveApplication(ctx, d.filingID, app); err != nil {
		return fmt.Errorf("save the application: %w", err)
	}
	// The 核验单 is filled from the saved application: the applicant
	// downloads it, prints, signs and scans it; the demo hands in the PDF
	// itself, whose text carries the serial a scan must show.
	form, err := d.backend.VerificationForm(ctx, d.filingID)
	if err != nil {
		return fmt.Errorf("download the verification form: %w", err)
	}
	d.say(fmt.Sprintf("backend downloads the pre-filled 核验单 (GET %s/v1/filings/%s/verification-form, %d-byte PDF) to print, sign and scan",
		d.opts.APIURL, d.filingID, len(form)))
	signed, err := d.upload(ctx, filing.MaterialVerificationForm, form)
	if err != nil {
		return err
	}
	// The dry run says which documents the province wants for this
	// application, and why; the backend asks for exactly those.
	checked, err := d.backend.ValidateApplication(ctx, app)
	if err != nil {
		return fmt.Errorf("dry run: %w", err)
	}
	var kinds []filing.MaterialKind
	var names []string
	for _, m := range checked.Materials {
		if m.Kind != filing.MaterialVerificationForm {
			kinds = append(kinds, m.Kind)
			names = append(names, string(m.Kind))
		}
	}
	d.say("the dry run (POST /v1/filings/validate) lists the documents the submission needs: " + strings.Join(names, ", "))
	d.say("backend uploads the signed 核验单 and " + strings.Join(names, ", ") + " to S3 (presigned PUTs) and attaches them in one action")
	materials := []filing.AttachMaterialRequest{signed}
	for _, kind := range kinds {
		content := []byte(fmt.Sprintf("%%PDF-1.7\n%% beianflow demo: scanned %s of filing %s\n", kind, d.filingID))
		m, err := d.upload(ctx, kind, content)
		if err != nil {
			return err
		}
		materials = append(materials, m)
	}
	if _, err := d.backend.AttachMaterials(ctx, d.filingID, materials); err != nil {
		return fmt.Errorf("attach the materials: %w", err)
	}
	d.say("backend submits for initial review")
	if _, err := d.backend.Submit(ctx, d.filingID); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	return nil
}

// upload uploads a PDF material to S3, to be attached.
func (d *demo) upload(ctx context.Context, kind filing.MaterialKind, content []byte) (filing.AttachMaterialRequest, error) {
	up, err := d.backend.UploadMaterial(ctx, d.filingID, kind, "application/pdf", content)
	if err != nil {
		return filing.AttachMaterialRequest{}, fmt.Errorf("upload %s: %w", kind, err)
	}
	return apiclient.AttachRequest(kind, up, content), nil
}

// finish reports the end of the walk.
func (d *demo) finish(f *filing.View) error {
	took := time.Since(d.start).Round(100 * time.Millisecond)
	if f.Stage != filing.StageApproved {
		return fmt.Errorf("demo: filing %s ended %s after %s; see %s", d.filingID, f.Stage, took, d.uiLink())
	}
	// An ended filing answers with the state it ended with, number included.
	var number string
	if f.Bureau != nil {
		number = f.Bureau.FilingNumber
	}
	fmt.Fprintf(d.opts.Out, "\napproved in %s", took)
	if number != "" {
		fmt.Fprintf(d.opts.Out, ": filing number %s", number)
	}
	fmt.Fprintf(d.opts.Out, "\nwatch its history: %s\n", d.uiLink())
	return nil
}

// demoPhoto is a blank 600×800 portrait, the smallest photo the rules accept.
var demoPhoto = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 600, 800))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

// dueForVerification is the responsible person whose verification the
// filing waits for: the first not yet verified.
func dueForVerification(f *filing.View) *filing.PersonVerification {
	for i := range f.Verifications {
		if !f.Verifications[i].Verified() {
			return &f.Verifications[i]
		}
	}
	return nil
}
