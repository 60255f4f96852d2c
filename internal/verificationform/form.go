// Package verificationform makes the 网站备案信息真实性核验单 (the website
// filing authenticity verification form) the applicant downloads, prints,
// signs and uploads as a scan, and reads the form's serial back from that
// scan, so an uploaded form can be tied to the filing it was made for.
package verificationform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// Form is what the verification form prints: the subject, every website
// with its responsible person and 备案服务号, and the serial that ties a
// signed scan to this filing.
type Form struct {
	// Serial is the form's number (核验单编号), printed as text and as a
	// QR code; empty until the form is issued.
	Serial string `json:"-"`
	// IssuedAt is when the serial was issued for this content.
	IssuedAt time.Time `json:"-"`

	FilingID   filing.ID `json:"filing_id"`
	Provider   string    `json:"provider"`
	Province   string    `json:"province"`
	FilingType string    `json:"filing_type"`
	Subject    Subject   `json:"subject"`
	Websites   []Website `json:"websites"`
}

// Subject is the filing subject as the form prints it.
type Subject struct {
	Name              string `json:"name"`
	Nature            string `json:"nature"`
	CertificateType   string `json:"certificate_type"`
	CertificateNumber string `json:"certificate_number"`
	Address           string `json:"address"`
	Leader            string `json:"leader"`
}

// Website is one website as the form prints it.
type Website struct {
	Name          string `json:"name"`
	Domain        string `json:"domain"`
	HomepageURL   string `json:"homepage_url"`
	Responsible   string `json:"responsible"`
	ServiceNumber string `json:"service_number"`
}

// FromApplication fills the form from an application. numbers are the
// websites' 备案服务号 by ASCII domain; a website without one yet (numbers
// are given at the initial review) prints as awaiting it.
func FromApplication(id filing.ID, provider string, ft filing.Type, app filing.Application, numbers map[string]string) Form {
	s, a := app.Subject, app.Subject.CertificateAddress
	f := Form{
		FilingID:   id,
		Provider:   provider,
		Province:   provinceName(s.Province),
		FilingType: ft.Label(),
		Subject: Subject{
			Name:              s.Name,
			Nature:            s.Nature.Label(),
			CertificateType:   s.CertificateType.Label(),
			CertificateNumber: s.CertificateNumber,
			Address:           provinceName(a.Province) + a.City + a.District + a.Detail,
			Leader:            s.Leader.Name,
		},
	}
	for i, w := range app.Websites {
		domain := w.Domain
		if d, err := rules.ParseDomain(w.Domain); err == nil {
			domain = d.ASCII
		}
		f.Websites = append(f.Websites, Website{
			Name:          w.Name,
			Domain:        w.Domain,
			HomepageURL:   w.HomepageURL,
			Responsible:   app.ResponsibleOf(i).Name,
			ServiceNumber: numbers[domain],
		})
	}
	return f
}

// provinceName is a province's Chinese name, or the code as given.
func provinceName(code string) string {
	if p, ok := rules.LookupProvince(code); ok {
		return p.Name
	}
	return code
}

// Digest identifies what the applicant attests on the form: the subject,
// the websites and their responsible persons. The same content keeps its
// serial however often it is downloaded, and changed content gets a new
// one. The provider and the 备案服务号 are the provider's to print and
// stay out: a form printed before the initial review assigned the numbers
// remains the form of the application.
func (f Form) Digest() string {
	attested := struct {
		FilingID filing.ID `json:"filing_id"`
		Province string    `json:"province"`
		Subject  Subject   `json:"subject"`
		Websites []Website `json:"websites"`
	}{f.FilingID, f.Province, f.Subject, make([]Website, len(f.Websites))}
	for i, w := range f.Websites {
		w.ServiceNumber = ""
		attested.Websites[i] = w
	}
	b, err := json.Marshal(attested)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
