package notify

import (
	"fmt"
	"regexp"
	"strings"
)

// placeholder matches a {name} in a template.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Render returns the subject and body of m in its language. It fails for an
// unknown event or language and for a missing or empty parameter, so a
// message with a hole in it is never sent.
func Render(m Message) (subject, body string, err error) {
	tmpl, ok := templates[m.Event]
	if !ok {
		return "", "", fmt.Errorf("notify: unknown event %q", m.Event)
	}
	var t text
	switch m.Lang {
	case "", "zh":
		t = tmpl.zh
	case "en":
		t = tmpl.en
	default:
		return "", "", fmt.Errorf("notify: %s: unknown language %q", m.Event, m.Lang)
	}
	var missing []string
	fill := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			name := p[1 : len(p)-1]
			v := m.Params[name]
			if name == "filing_id" {
				v = m.FilingID
			}
			if v == "" {
				missing = append(missing, name)
			}
			return v
		})
	}
	subject, body = fill(t.subject), fill(t.body)
	if len(missing) > 0 {
		return "", "", fmt.Errorf("notify: %s: missing parameter %s", m.Event, strings.Join(missing, ", "))
	}
	return subject, body, nil
}

// prepare readies m for provider, which sends channel ch only: its
// recipient parsed (a malformed one is refused permanently, as is another
// channel) and its text rendered.
func prepare[T any](provider string, ch Channel, m Message, parse func(string) (T, error)) (to T, subject, body string, err error) {
	if m.Channel != ch {
		return to, "", "", refuse(provider, m, "UnsupportedChannel")
	}
	to, perr := parse(m.To)
	if perr != nil {
		return to, "", "", refuse(provider, m, "InvalidRecipient")
	}
	subject, body, err = render(provider, m)
	return to, subject, body, err
}
