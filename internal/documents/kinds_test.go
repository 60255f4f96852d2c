package documents_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
)

func TestEveryMaterialTheWorkflowAsksForHasRules(t *testing.T) {
	for _, material := range []filing.MaterialKind{filing.MaterialVerificationForm, filing.MaterialSubjectCertificate,
		filing.MaterialLeaderID, filing.MaterialResponsibleID, filing.MaterialDomainCertificate,
		filing.MaterialPreApproval} {
		k, ok := documents.LookupKind(material)
		require.True(t, ok, string(material))
		assert.Equal(t, documents.Kind{Name: material, MaxSize: 10 << 20,
			ContentTypes: []string{"application/pdf", "image/jpeg", "image/png"}}, k)
	}
}

func TestThePhotoIsAPictureOfAtLeast600By800(t *testing.T) {
	k, ok := documents.LookupKind(filing.MaterialPhoto)
	require.True(t, ok)
	assert.Equal(t, documents.Kind{Name: "photo", ContentTypes: []string{"image/jpeg", "image/png"},
		MaxSize: 5 << 20, MinShortSide: 600, MinLongSide: 800}, k)
}

func TestKindsListedForTheAPICannotChangeTheRules(t *testing.T) {
	listed := documents.Kinds()
	require.Len(t, listed, 10)
	listed[0].ContentTypes[0] = "text/html"
	listed[0].MaxSize = 1 << 40
	assert.Equal(t, "application/pdf", documents.Kinds()[0].ContentTypes[0])
	assert.Equal(t, documents.MaxDocumentSize, documents.Kinds()[0].MaxSize)
}
