package openapi

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	bold     = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inline renders the inline markdown the contract uses (code spans and
// bold) on escaped text.
func inline(s string) template.HTML {
	e := html.EscapeString(s)
	e = codeSpan.ReplaceAllString(e, "<code>$1</code>")
	e = bold.ReplaceAllString(e, "<strong>$1</strong>")
	return template.HTML(e) //nolint:gosec // escaped above; only our own tags are added
}

// markdown renders the block markdown the contract uses: paragraphs,
// "## " headings, "- " lists and pipe tables.
func markdown(s string) template.HTML {
	var b strings.Builder
	for _, block := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		switch {
		case len(lines) == 0 || lines[0] == "":
		case strings.HasPrefix(lines[0], "## "):
			b.WriteString("<h3>" + string(inline(strings.TrimPrefix(lines[0], "## "))) + "</h3>\n")
			if len(lines) > 1 {
				b.WriteString(string(markdown(strings.Join(lines[1:], "\n"))))
			}
		case strings.HasPrefix(lines[0], "|"):
			b.WriteString("<table>\n")
			for i, l := range lines {
				if i == 1 && strings.Trim(l, "|- :") == "" {
					continue
				}
				cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
				tag := "td"
				if i == 0 {
					tag = "th"
				}
				b.WriteString("<tr>")
				for _, cell := range cells {
					b.WriteString("<" + tag + ">" + string(inline(strings.TrimSpace(cell))) + "</" + tag + ">")
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case strings.HasPrefix(lines[0], "- "):
			b.WriteString("<ul>\n")
			var item []string
			flush := func() {
				if len(item) > 0 {
					b.WriteString("<li>" + string(inline(strings.Join(item, " "))) + "</li>\n")
				}
				item = nil
			}
			for _, l := range lines {
				if rest, ok := strings.CutPrefix(l, "- "); ok {
					flush()
					item = append(item, rest)
				} else {
					item = append(item, strings.TrimSpace(l))
				}
			}
			flush()
			b.WriteString("</ul>\n")
		default:
			b.WriteString("<p>" + string(inline(strings.Join(lines, " "))) + "</p>\n")
		}
	}
	return template.HTML(b.String()) //nolint:gosec // built from inline(), which escapes
}
