package filing

// Application is one filing order: a subject adding one or more websites,
// all hosted on the same verified cloud resource.
type Application struct {
	// Subject is the filing subject (主办单位 / 主体).
	Subject Subject `json:"subject"`
	// Websites are the websites (网站) filed in this order; one or more.
	Websites []Website `json:"websites"`
	// Product ties the filing to a cloud resource (产品验证).
	Product ProductVerification `json:"product"`
	// Remarks (备注) is free text for the reviewer, e.g. the statement that
	// an address is already as detailed as it gets.
	Remarks string `json:"remarks,omitempty"`
}

// ResponsibleOf is website i's responsible person: the subject leader when
// the website says so, otherwise the person it names.
func (a Application) ResponsibleOf(i int) Person {
	if a.Websites[i].ResponsibleSameAsLeader {
		return a.Subject.Leader
	}
	return a.Websites[i].Responsible
}
