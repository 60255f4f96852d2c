package documents

import (
	"slices"
	"strings"

	"github.com/beianflow/beianflow/filing"
)

// Limits of the kinds, exported so the API documents the same numbers the
// checks use.
const (
	MaxDocumentSize   int64 = 10 << 20 // 10 MiB, for every scanned document
	MaxPhotoSize      int64 = 5 << 20  // 5 MiB, for the verification photo
	MinPhotoShortSide       = 600      // pixels: a photo is at least 600×800, portrait or landscape
	MinPhotoLongSide        = 800      // pixels
)

// Kind is the rule set for one material kind; its JSON form is what the API
// publishes.
type Kind struct {
	Name         filing.MaterialKind `json:"name"`                     // e.g. filing.MaterialPhoto
	ContentTypes []string            `json:"content_types"`            // accepted content types, e.g. filing.MediaTypeJPEG
	MaxSize      int64               `json:"max_size"`                 // bytes
	MinShortSide int                 `json:"min_short_side,omitempty"` // pixels on the shorter side; zero: no resolution rule
	MinLongSide  int                 `json:"min_long_side,omitempty"`  // pixels on the longer side; zero: no resolution rule
}

// Allows reports whether the kind accepts contentType.
func (k Kind) Allows(contentType string) bool {
	return slices.Contains(k.ContentTypes, contentType)
}

// kinds is the table every presign and verification consults; documents
// scanned from paper may be PDFs, a photo must be a picture.
var kinds = []Kind{
	document(filing.MaterialVerificationForm),
	document(filing.MaterialSubjectCertificate),
	document(filing.MaterialLeaderID),
	document(filing.MaterialResponsibleID),
	document(filing.MaterialDomainCertificate),
	document(filing.MaterialPreApproval),
	document(filing.MaterialAuthorizationLetter),
	document(filing.MaterialCommitmentLetter),
	document(filing.MaterialResidencePermit),
	{Name: filing.MaterialPhoto, ContentTypes: []string{filing.MediaTypeJPEG, filing.MediaTypePNG}, MaxSize: MaxPhotoSize,
		MinShortSide: MinPhotoShortSide, MinLongSide: MinPhotoLongSide},
}

func document(name filing.MaterialKind) Kind {
	return Kind{Name: name, ContentTypes: []string{filing.MediaTypePDF, filing.MediaTypeJPEG, filing.MediaTypePNG},
		MaxSize: MaxDocumentSize}
}

// Kinds lists every material kind with its rules, in a stable order. The
// result is a copy: changing it changes nothing here.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		k.ContentTypes = slices.Clone(k.ContentTypes)
		out[i] = k
	}
	return out
}

// LookupKind returns the rules of the kind named name.
func LookupKind(name filing.MaterialKind) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			k.ContentTypes = slices.Clone(k.ContentTypes)
			return k, true
		}
	}
	return Kind{}, false
}

// typeLabels names content types in messages meant for applicants.
var typeLabels = map[string]string{filing.MediaTypePDF: "PDF", filing.MediaTypeJPEG: "JPEG", filing.MediaTypePNG: "PNG"}

// formats is "JPEG, PNG" for messages.
func (k Kind) formats() string {
	labels := make([]string, len(k.ContentTypes))
	for i, ct := range k.ContentTypes {
		labels[i] = typeLabels[ct]
	}
	return strings.Join(labels, ", ")
}
