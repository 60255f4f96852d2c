package filing

import (
	"errors"
	"strings"
)

// ID identifies a filing: a UUID that beianflow minted (version 7, so IDs
// sort by creation time). It is opaque and derived from no personal data,
// so it is safe to show in logs, metrics and the Temporal Web UI.
//
// Parse IDs that come from outside (a URL path, a webhook, a command line)
// with ParseID once, at the edge; code behind the edge takes an ID and never
// parses again.
type ID string

// ErrInvalidID is what ParseID returns for anything that is not a UUID in
// its canonical 8-4-4-4-12 hexadecimal form. No filing has such an ID, so
// callers answer it like an unknown filing.
var ErrInvalidID = errors.New("filing: not a filing ID")

// workflowIDPrefix makes a filing's workflow ID; see ID.WorkflowID.
const workflowIDPrefix = "filing-"

// ParseID parses a filing ID in the canonical UUID form (either case) and
// returns it in lower case, the form beianflow stores and compares.
func ParseID(s string) (ID, error) {
	if len(s) != 36 {
		return "", ErrInvalidID
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", ErrInvalidID
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return "", ErrInvalidID
		}
	}
	return ID(strings.ToLower(s)), nil
}

// String returns the ID as text.
func (id ID) String() string { return string(id) }

// WorkflowID is the Temporal workflow ID of the filing: "filing-" and the
// ID, so operators find a filing in the Web UI by the ID a backend quotes.
func (id ID) WorkflowID() string { return workflowIDPrefix + string(id) }

// IDFromWorkflowID returns the filing whose workflow ID is workflowID, or
// false when workflowID is not a filing's.
func IDFromWorkflowID(workflowID string) (ID, bool) {
	rest, ok := strings.CutPrefix(workflowID, workflowIDPrefix)
	if !ok {
		return "", false
	}
	id, err := ParseID(rest)
	return id, err == nil && string(id) == rest
}
