package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/testenv"
)

// Many backends, or one backend retrying impatiently, may create filings
// for one subject at the same moment (different domains, different
// idempotency keys). The bureau reviews a subject at one provider at a
// time, so exactly one of them may start a filing — on PostgreSQL, and on
// the embedded SQLite of `make run` alike — and the others learn why.
func TestOfManySimultaneousCreatesForOneSubjectExactlyOneStartsAFiling(t *testing.T) {
	const racers, runs = 24, 10
	systems := []struct{ name, base string }{{"postgres", sys.baseURL}, {"sqlite", startSQLiteSystem(t)}}
	for _, s := range systems {
		t.Run(s.name, func(t *testing.T) {
			for run := range runs {
				// An account, and so a cloud instance, per run: each filing
				// that starts binds one of the instance's five 备案服务号.
				account := fmt.Sprintf("acc-race-%d", run)
				key := keyFor(t, s.base, api.RoleBackend, account)
				company := newCompany("ZJ")
				answers := make([]raceAnswer, racers)
				errs := testenv.Concurrently(racers, func(i int) (err error) {
					domain := fmt.Sprintf("race-%d-%d-%s.com", run, i, uuid.NewString()[:6])
					answers[i], err = createAs(s.base, key, createBody(account, "ZJ", domain, company))
					return err
				})
				var created []string
				for i, a := range answers {
					require.NoError(t, errs[i])
					switch a.Status {
					case http.StatusCreated:
						created = append(created, a.FilingID)
					case http.StatusConflict:
						assert.Equal(t, filing.CodeSubjectBusy, a.Code, "run %d racer %d", run, i)
					default:
						t.Errorf("run %d racer %d: HTTP %d %s", run, i, a.Status, a.Code)
					}
				}
				require.Len(t, created, 1, "run %d: exactly one filing starts", run)
				callers.Lock()
				callers.owner[created[0]] = account
				callers.Unlock()
				// The one filing runs: it claims its subject and goes on.
				waitStepAt(t, s.base, created[0], filing.StageInformation, filing.StepEditing)
				cancel := doAt(t, s.base, http.MethodPost, "/v1/filings/"+created[0]+"/cancel", "application/json", `{}`)
				require.Equal(t, http.StatusOK, cancel.Status, "%s", cancel.Raw)
			}
		})
	}
}

type raceAnswer struct {
	Status   int
	Code     string
	FilingID string
}

// createAs posts a create with key, safely from any goroutine.
func createAs(base, key, body string) (raceAnswer, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/v1/filings", bytes.NewBufferString(body))
	if err != nil {
		return raceAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return raceAnswer{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return raceAnswer{}, err
	}
	var b struct {
		Code     string `json:"code"`
		FilingID string `json:"filing_id"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return raceAnswer{}, fmt.Errorf("HTTP %d: body is not JSON: %s", res.StatusCode, raw)
	}
	return raceAnswer{Status: res.StatusCode, Code: b.Code, FilingID: b.FilingID}, nil
}

// startSQLiteSystem runs a second system, as `make run` does, on the
// embedded SQLite database beside the shared Temporal and S3 servers, and
// returns its API's base URL.
func startSQLiteSystem(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "beianflow-sqlite-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	cfg := sys.app.Config
	cfg.DatabaseURL, cfg.DataDir = "", dir
	cfg.TaskQueue = "sqlite-" + uuid.NewString()[:8]
	apiAddr, err := testenv.FreeAddr()
	require.NoError(t, err)
	sandboxAddr, err := testenv.FreeAddr()
	require.NoError(t, err)
	cfg.HTTPAddr, cfg.Sandbox.Addr = apiAddr, sandboxAddr
	cfg.Sandbox.WebhookURL = "http://" + apiAddr
	cfg.World.BureauURL, cfg.World.CourierURL = "http://"+sandboxAddr+"/bureau", "http://"+sandboxAddr+"/courier"
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	ready := make(chan net.Addr, 1)
	for _, run := range []func(context.Context) error{a.RunWorker, a.RunWorld, a.RunOutbox,
		func(ctx context.Context) error { return a.RunAPI(ctx, ready) }} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(runCtx) }()
	}
	t.Cleanup(func() { stop(); wg.Wait(); a.Close() })
	<-ready
	base := "http://" + apiAddr
	registerAPI(base, a.DB)
	return base
}
