// Package reasons holds the catalogue reviewers reject from at the initial
// review (初审) and the photo review: per reason a stable code, the part of
// the application it points at, the zh/en text the applicant is shown and
// a hint how to fix it. A reviewer picks reasons from it and may add free
// text; the applicant's state carries the catalogue's texts, so every
// backend shows the same words. The catalogue is versioned data
// (catalogue.json); adding a reason is a data change.
package reasons

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/beianflow/beianflow/filing"
)

//go:embed catalogue.json
var catalogueJSON []byte

// Reason is one entry of the catalogue.
type Reason struct {
	Code   string       `json:"code"`
	Queue  filing.Queue `json:"queue"`
	Field  string       `json:"field"`
	ZH     string       `json:"zh"`
	EN     string       `json:"en"`
	HintZH string       `json:"hint_zh"`
	HintEN string       `json:"hint_en"`
	Source string       `json:"source"`
}

// Catalogue is a loaded, validated catalogue.
type Catalogue struct {
	Version     string   `json:"version"`
	Description string   `json:"description"`
	Reasons     []Reason `json:"reasons"`
}

// Parse reads and validates a catalogue: a version, and per reason a
// snake_case code unique within its queue, a known queue, a field, both
// texts and both hints, and a source.
func Parse(data []byte) (*Catalogue, error) {
	var c Catalogue
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("reasons: parse catalogue: %w", err)
	}
	if strings.TrimSpace(c.Version) == "" {
		return nil, errors.New("reasons: catalogue has no version")
	}
	seen := map[string]bool{}
	for i, r := range c.Reasons {
		switch {
		case !snakeCase(r.Code):
			return nil, fmt.Errorf("reasons: reason %d: code %q is not snake_case", i, r.Code)
		case r.Queue != filing.QueueInitial && r.Queue != filing.QueuePhoto:
			return nil, fmt.Errorf("reasons: %s: queue %q is neither initial nor photo", r.Code, r.Queue)
		case seen[string(r.Queue)+"/"+r.Code]:
			return nil, fmt.Errorf("reasons: %s is listed twice for queue %s", r.Code, r.Queue)
		case r.Field == "" || r.ZH == "" || r.EN == "" || r.HintZH == "" || r.HintEN == "" || r.Source == "":
			return nil, fmt.Errorf("reasons: %s: field, texts, hints and source are all needed", r.Code)
		}
		seen[string(r.Queue)+"/"+r.Code] = true
	}
	return &c, nil
}

func snakeCase(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

var defaultCatalogue = sync.OnceValues(func() (*Catalogue, error) { return Parse(catalogueJSON) })

// Default returns the embedded catalogue. Its data is checked by the
// package tests, so a failure is a build defect and panics.
func Default() *Catalogue {
	c, err := defaultCatalogue()
	if err != nil {
		panic(err)
	}
	return c
}

// Lookup finds a reason of the queue by code.
func (c *Catalogue) Lookup(queue filing.Queue, code string) (Reason, bool) {
	for _, r := range c.Reasons {
		if r.Queue == queue && r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// Public is the catalogue as the API publishes it.
func (c *Catalogue) Public() filing.ReasonCatalogue {
	out := filing.ReasonCatalogue{Version: c.Version, Reasons: make([]filing.CatalogueReason, len(c.Reasons))}
	for i, r := range c.Reasons {
		out.Reasons[i] = filing.CatalogueReason{Code: r.Code, Queue: r.Queue, Field: r.Field,
			Text: filing.Message{ZH: r.ZH, EN: r.EN}, Hint: filing.Message{ZH: r.HintZH, EN: r.HintEN}}
	}
	return out
}

// Apply checks a rejection's reasons against the queue's catalogue and
// gives each the catalogue's texts; the reviewer's message stays as the
// supplement, and a reason without a field gets the catalogue's where it
// names one place. It returns the index of the first reason that is not
// in the catalogue, or -1.
func (c *Catalogue) Apply(queue filing.Queue, rs []filing.Reason) ([]filing.Reason, int) {
	out := make([]filing.Reason, len(rs))
	for i, r := range rs {
		entry, ok := c.Lookup(queue, r.Code)
		if !ok {
			return nil, i
		}
		if r.Field == "" && !strings.Contains(entry.Field, "[]") {
			r.Field = entry.Field
		}
		r.Text = &filing.Message{ZH: entry.ZH, EN: entry.EN}
		r.Hint = &filing.Message{ZH: entry.HintZH, EN: entry.HintEN}
		r.CatalogueVersion = c.Version
		out[i] = r
	}
	return out, -1
}
