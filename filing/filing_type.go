package filing

// Type is the kind of filing order (备案类型). Providers derive it from
// the subject and domain data; the user does not pick it.
type Type string

// Filing types relevant to adding a website.
const (
	// TypeFirstFiling is 首次备案: neither subject nor domain is on record.
	TypeFirstFiling Type = "first_filing"
	// TypeNewWebsiteElsewhere is 新增网站（原备案不在本云）: the subject was
	// filed through another provider; the new domain is not on record.
	TypeNewWebsiteElsewhere Type = "new_website_elsewhere"
	// TypeNewWebsiteHere is 新增网站（原备案在本云）: as above, but the
	// subject's record was obtained through this provider.
	TypeNewWebsiteHere Type = "new_website_here"
	// TypeAddAccess is 新增接入: subject and website are on record; this
	// provider is added as another access provider.
	TypeAddAccess Type = "add_access"
)

var filingTypeLabels = map[Type]string{
	TypeFirstFiling:         "首次备案",
	TypeNewWebsiteElsewhere: "新增网站（原备案不在本云）",
	TypeNewWebsiteHere:      "新增网站（原备案在本云）",
	TypeAddAccess:           "新增接入",
}

// Valid reports whether t is one of the declared filing types.
func (t Type) Valid() bool {
	_, ok := filingTypeLabels[t]
	return ok
}

// Label returns the Chinese term, or "" if t is not valid.
func (t Type) Label() string { return filingTypeLabels[t] }
