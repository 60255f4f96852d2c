package rules

import (
	"slices"
	"strconv"

	"github.com/beianflow/beianflow/filing"
)

// checkWebsites checks each website and returns the parsed domains by
// website index for the order-wide rules; entries of unusable domains have
// ok == false.
func (v *validator) checkWebsites() []parsedDomain {
	domains := make([]parsedDomain, len(v.app.Websites))
	for i := range v.app.Websites {
		w := &v.app.Websites[i]
		prefix := "websites[" + strconv.Itoa(i) + "]"
		d, ok := v.checkDomain(prefix, w.Domain)
		domains[i] = parsedDomain{d, ok}
		v.checkWebsiteName(prefix, w, d, ok)
		v.checkHomepage(prefix, w.HomepageURL, d, ok)
		v.checkContentTypes(prefix, w)
		v.checkLanguages(prefix, w.Languages)
		v.checkPreApprovals(prefix, w)
		v.checkResponsible(prefix, w)
	}
	return domains
}

type parsedDomain struct {
	Domain
	ok bool
}

func (v *validator) checkContentTypes(prefix string, w *filing.Website) {
	if len(w.ContentTypes) == 0 {
		v.add(prefix+".content_types", CodeRequired)
	}
	for j, c := range w.ContentTypes {
		v.enum(prefix, "content_types["+strconv.Itoa(j)+"]", string(c), c.Valid())
	}
}

func (v *validator) checkLanguages(prefix string, langs []filing.Language) {
	if len(langs) == 0 {
		v.add(prefix+".languages", CodeRequired)
		return
	}
	for j, l := range langs {
		v.enum(prefix, "languages["+strconv.Itoa(j)+"]", string(l), l.Valid())
	}
	if v.pr.simplifiedChinese && !slices.Contains(langs, filing.LangChineseSimplified) {
		v.add(prefix+".languages", CodeLanguageSimplifiedChineseMissing)
	}
}
