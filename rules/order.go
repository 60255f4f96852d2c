package rules

import "strconv"

// checkOrder applies the rules about the order as a whole: website and
// domain counts and duplicate domains.
func (v *validator) checkOrder(domains []parsedDomain) {
	n := len(v.app.Websites)
	if n == 0 {
		v.add("websites", CodeRequired)
		return
	}
	if v.pr.maxWebsites > 0 && n > v.pr.maxWebsites {
		v.add("websites", CodeOrderTooManyWebsites, v.pr.maxWebsites)
	}
	first := make(map[string]int, n)
	for i, d := range domains {
		if !d.ok {
			continue
		}
		if j, dup := first[d.ASCII]; dup {
			v.add("websites["+strconv.Itoa(i)+"].domain", CodeDomainDuplicate, j+1)
			continue
		}
		first[d.ASCII] = i
	}
	if v.pr.maxDomains > 0 && len(first) > v.pr.maxDomains {
		v.add("websites", CodeOrderTooManyDomains, v.pr.maxDomains)
	}
}
