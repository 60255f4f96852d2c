package integration

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/testenv"
)

// TestAnS3OutagePausesTheFilingAndItCompletesOnceS3IsBack stops the
// document store in the middle of a filing. It does not run in parallel:
// the S3 server is shared by the package's tests.
func TestAnS3OutagePausesTheFilingAndItCompletesOnceS3IsBack(t *testing.T) {
	ctx := context.Background()
	s := startScenario(t, "ZJ", "yunqi-s3down.com", "云栖科技官网")
	material := document(t, s.id, "responsible_id") // uploaded before the outage

	sys.s3.Stop()
	restarted := false
	defer func() {
		if !restarted {
			require.NoError(t, sys.s3.Start(ctx))
		}
	}()

	ready := get(t, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, ready.Status, "%s", ready.Raw)
	assert.Equal(t, "unavailable", ready.Body["checks"].(map[string]any)["s3"])

	// Attaching needs the store to verify the upload: the verification
	// activity retries, and the request waits rather than failing.
	done := make(chan response, 1)
	go func() { done <- postJSON(t, s.path("/materials"), material) }()
	select {
	case res := <-done:
		t.Fatalf("attaching finished while S3 was down: %d %s", res.Status, res.Raw)
	case <-time.After(3 * time.Second):
	}
	require.NoError(t, sys.s3.Start(ctx))
	restarted = true
	select {
	case res := <-done:
		assert.Equal(t, http.StatusOK, res.Status, "the verification succeeded once S3 was back: %s", res.Raw)
	case <-time.After(45 * time.Second):
		t.Fatal("attaching never finished after S3 came back")
	}
	assert.Equal(t, http.StatusOK, get(t, "/readyz").Status)

	s.throughInitialReview()
	s.throughPhotoApproval()
	s.wait(filing.StageApproved, filing.StepNone)
}

// TestAPostgreSQLOutagePausesTheFilingAndTheAPIAnswers503 runs a second,
// complete beianflow (API, worker, sandbox world, outbox) on a PostgreSQL
// cluster of its own, and stops that cluster in the middle of a filing.
func TestAPostgreSQLOutagePausesTheFilingAndTheAPIAnswers503(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Not t.TempDir(): its parents are private to root, and the cluster
	// runs as the postgres user.
	dir, err := os.MkdirTemp("", "beianflow-pg-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg, err := testenv.StartPGCluster(ctx, filepath.Join(dir, "pg"))
	require.NoError(t, err, "a private PostgreSQL cluster")
	t.Cleanup(func() { _ = pg.Stop() })

	base := startSystem(t, "pg-outage", func(c *config.Config) { c.DatabaseURL = pg.URL })

	s := startScenarioAt(t, base, "ZJ", "yunqi-pgdown.com", "云栖科技官网")
	s.throughInitialReview()
	s.throughBackdrop() // the photo awaits review

	require.NoError(t, pg.Stop())
	restarted := false
	defer func() {
		if !restarted {
			_ = pg.Start(ctx)
		}
	}()
	// The reviewer approves; the workflow takes the decision (Temporal is
	// up) but cannot record the next stage until the database is back.
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	ready503 := doAt(t, base, http.MethodGet, "/readyz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, ready503.Status)
	assert.Equal(t, "unavailable", ready503.Body["checks"].(map[string]any)["database"])
	trail := doAt(t, base, http.MethodGet, s.path("/timeline"), "", "")
	assert.Equal(t, http.StatusServiceUnavailable, trail.Status, "a dependency outage is 503, never 500: %s", trail.Raw)
	assert.Equal(t, "dependency_unavailable", trail.Body["code"])
	time.Sleep(3 * time.Second)
	st := doAt(t, base, http.MethodGet, s.path(""), "", "")
	assert.NotEqual(t, "approved", st.Body["stage"], "the filing waits for the database")

	require.NoError(t, pg.Start(ctx))
	restarted = true
	s.wait(filing.StageApproved, filing.StepNone)
	assert.Equal(t, http.StatusOK, doAt(t, base, http.MethodGet, "/readyz", "", "").Status)
}
