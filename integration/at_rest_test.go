package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/testenv"
)

// Proof by scanning: filings with personal data of their own walk through
// the process on a system of the test's own; then every place that keeps
// bytes — the database as its backup holds it (pg_dump, or the SQLite
// files), every object of the S3 bucket directory and its metadata, the raw
// Temporal histories and the system's logs at debug level — is searched
// for the applicants' names, ID numbers, phones, e-mails and addresses. None
// is found, before erasure and after; after erasure the API answers 410.
func TestNoStoreRevealsAnApplicant(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"postgres", "sqlite"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			scanAtRest(t, db)
		})
	}
}

// applicant is the personal data of one filing, unique to the run so a
// match cannot come from another test's filing.
type applicant struct {
	Name, IDNumber, Mobile, Email, Address string
	EmergencyPhone                         string
	// Recipient and RecipientMobile receive the backdrop, at Street.
	Recipient, RecipientMobile, Street string
}

// newApplicant makes up a person no other test uses.
func newApplicant(r *rand.Rand) applicant {
	given := []string{"晓岚", "思远", "若曦", "瀚文", "静姝", "景行", "婉清", "承泽"}
	return applicant{
		Name:            "欧阳" + given[r.IntN(len(given))],
		IDNumber:        sample.ResidentID("330106", fmt.Sprintf("19%02d0%d1%d", 60+r.IntN(39), 1+r.IntN(9), r.IntN(9)), fmt.Sprintf("%03d", r.IntN(1000))),
		Mobile:          fmt.Sprintf("139%08d", r.IntN(100_000_000)),
		Email:           fmt.Sprintf("scan.%06d@yunqi-tech.com", r.IntN(1_000_000)),
		Address:         fmt.Sprintf("文一西路%d号保密楼%d室", 100+r.IntN(800), 100+r.IntN(900)),
		EmergencyPhone:  fmt.Sprintf("136%08d", r.IntN(100_000_000)),
		Recipient:       "司马" + given[r.IntN(len(given))],
		RecipientMobile: fmt.Sprintf("137%08d", r.IntN(100_000_000)),
		Street:          fmt.Sprintf("古墩路%d号收件%d室", 100+r.IntN(800), 100+r.IntN(900)),
	}
}

// identifiers are what must never be readable at rest, each as stored
// UTF-8 and as a JSON \u escape would write it.
func (a applicant) identifiers() []string {
	var out []string
	for _, s := range []string{a.Name, a.IDNumber, a.Mobile, a.Email, a.Address, a.EmergencyPhone, a.Recipient, a.RecipientMobile, a.Street} {
		out = append(out, s)
		if esc := jsonEscaped(s); esc != s {
			out = append(out, esc)
		}
	}
	return out
}

// jsonEscaped writes s with every non-ASCII rune as \uXXXX.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// scan finds which identifiers appear in what.
func scan(what []byte, identifiers []string) []string {
	var found []string
	for _, id := range identifiers {
		if bytes.Contains(what, []byte(id)) {
			found = append(found, id)
		}
	}
	return found
}

// lockedBuffer collects the system's log lines from every goroutine.
type lockedBuffer = testenv.LogBuffer

func scanAtRest(t *testing.T, dbKind string) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var dbURL, dataDir string
	a, base := startSystemWith(t, "scan-"+dbKind, log, func(c *config.Config) {
		dataDir = t.TempDir()
		c.DataDir = dataDir
		c.DatabaseURL = ""
		if dbKind == "postgres" {
			var drop func()
			var err error
			dbURL, drop, err = testenv.Postgres(ctx)
			require.NoError(t, err)
			t.Cleanup(drop)
			c.DatabaseURL = dbURL
		}
	})

	// One filing is approved, the other cancelled after its initial
	// review; both carry documents naming the applicant in clear text.
	approved, cancelled := newApplicant(r), newApplicant(r)
	ids, domains := make([]string, 2), make([]string, 2)
	t.Run("walks", func(t *testing.T) {
		for i, who := range []applicant{approved, cancelled} {
			t.Run([]string{"approved", "cancelled"}[i], func(t *testing.T) {
				t.Parallel()
				ids[i], domains[i] = walkWithPersonalData(t, base, who, i == 0)
			})
		}
	})
	if t.Failed() {
		return
	}
	var identifiers []string
	for _, who := range []applicant{approved, cancelled} {
		identifiers = append(identifiers, who.identifiers()...)
	}

	// Controls: the API, allowed to read, shows the data, so the scan
	// looks for what is really there.
	support := keyFor(t, base, api.RoleSupport, "")
	for i, who := range []applicant{approved, cancelled} {
		read := sendWithKeyAt(t, base, http.MethodGet, "/v1/filings/"+ids[i]+"/application", support, "")
		require.Equal(t, http.StatusOK, read.Status, "%s", read.Raw)
		require.ElementsMatch(t, []string{who.Name, who.IDNumber, who.Mobile, who.Email, who.Address},
			scan(read.Raw, []string{who.Name, who.IDNumber, who.Mobile, who.Email, who.Address}), "the control sees the application")
		mats := sendWithKeyAt(t, base, http.MethodGet, "/v1/filings/"+ids[i]+"/materials", support, "")
		require.Equal(t, http.StatusOK, mats.Status, "%s", mats.Raw)
		doc := download(t, mats, string(filing.MaterialLeaderID))
		require.Contains(t, string(doc), who.IDNumber, "the control sees the ID scan's text")
	}

	stores := func(when string) {
		t.Helper()
		all := dumps(t, a, dbKind, dbURL, dataDir, ids, &logs)
		for name, content := range all {
			assert.Empty(t, scan(content, identifiers), "%s: personal data readable in %s (%d bytes)", when, name, len(content))
		}
		// Controls: the dumps hold these filings. The database keeps
		// their domains (not personal) in clear, the logs name them, and
		// the bucket holds their sealed documents.
		var db, sealed []byte
		for name, content := range all {
			if name == "pg_dump" || strings.HasPrefix(name, "the SQLite files") {
				db = append(db, content...)
			}
			if strings.HasPrefix(name, "S3 object ") && strings.Contains(name, "/filings/"+ids[0]+"/materials/") {
				sealed = append(sealed, name...)
			}
		}
		require.ElementsMatch(t, domains, scan(db, domains), "the database dump holds the filings")
		require.ElementsMatch(t, ids, scan(all["the system's logs"], ids), "the logs are the system's")
		if when == "after the process" {
			require.NotEmpty(t, sealed, "the bucket holds the approved filing's documents")
		}
	}
	stores("after the process")

	// Erasure: both have ended; support erases them; the API says gone,
	// and the stored bytes still show nothing.
	for _, id := range ids {
		res := sendWithKeyAt(t, base, http.MethodPost, "/v1/support/filings/"+id+"/erase", support, `{"reason":"subject_request"}`)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
		for _, p := range []string{"/application", "/materials"} {
			got := sendWithKeyAt(t, base, http.MethodGet, "/v1/filings/"+id+p, support, "")
			assert.Equal(t, http.StatusGone, got.Status, "%s: %s", p, got.Raw)
			assert.Equal(t, filing.CodePersonalDataErased, got.Body["code"], p)
		}
	}
	stores("after erasure")
}

// walkWithPersonalData creates a filing of who through the API at base and
// walks it to approval, or to its cancellation after the initial review,
// returning its ID and domain.
func walkWithPersonalData(t testing.TB, base string, who applicant, approve bool) (string, string) {
	company := newCompany("ZJ")
	domain := fmt.Sprintf("scan-%s.com", strings.ToLower(company[10:16]))
	account := "acc-scan" + company[10:16]
	res := doAt(t, base, http.MethodPost, "/v1/filings", "application/json", createBody(account, "ZJ", domain, company))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor("ZJ", company, domain, "云栖扫描示例"), base: base}
	leader := &s.app.Subject.Leader
	leader.Name, leader.IDNumber, leader.Mobile, leader.Email = who.Name, who.IDNumber, who.Mobile, who.Email
	s.app.Subject.EmergencyPhone = who.EmergencyPhone
	s.app.Subject.CertificateAddress.Detail = who.Address
	s.app.Subject.MailingAddress.Detail = who.Address
	s.fill()
	// The ID card scan carries the person's data as text, as a scan's
	// text layer would: found by the scan if it were kept in clear.
	idScan := []byte(fmt.Sprintf("%%PDF-1.7\n%% 居民身份证 姓名 %s 公民身份号码 %s 住址 %s 电话 %s %s\n%%%%EOF\n",
		who.Name, who.IDNumber, who.Address, who.Mobile, who.Email))
	s.ok("/materials", uploadAt(t, base, s.id, string(filing.MaterialLeaderID), "application/pdf", idScan))
	s.throughInitialReview()
	if !approve {
		s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
		s.ok("/cancel", `{"reason":"user_request"}`)
		s.wait(filing.StageCancelled, filing.StepNone)
		return s.id, domain
	}
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	address, err := json.Marshal(map[string]any{
		"recipient": map[string]string{"name": who.Recipient, "mobile": who.RecipientMobile},
		"address":   map[string]string{"province": "ZJ", "city": "杭州市", "district": "西湖区", "detail": who.Street},
	})
	require.NoError(t, err)
	s.ok("/mailing-address", string(address))
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
	s.ok("/photo", photoAt(t, base, s.id))
	s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	s.wait(filing.StageApproved, filing.StepNone)
	return s.id, domain
}

// download fetches the material of kind from a materials listing.
func download(t testing.TB, mats response, kind string) []byte {
	t.Helper()
	for _, m := range mats.Body["materials"].([]any) {
		m := m.(map[string]any)
		if m["kind"] != kind {
			continue
		}
		res, err := http.Get(m["download_url"].(string))
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		return body
	}
	t.Fatalf("no %s among the materials", kind)
	return nil
}

// dumps are the bytes each store keeps, by where they came from.
func dumps(t testing.TB, a *app.App, dbKind, dbURL, dataDir string, ids []string, logs *lockedBuffer) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{"the system's logs": logs.Bytes()}
	if dbKind == "postgres" {
		dump, err := testenv.PGDump(ctx, dbURL)
		require.NoError(t, err)
		require.Contains(t, string(dump), "application_revisions", "the dump holds the tables")
		out["pg_dump"] = dump
	} else {
		// The database file and its write-ahead log, as a file backup
		// takes them.
		files, err := filepath.Glob(filepath.Join(dataDir, "*"))
		require.NoError(t, err)
		for _, f := range files {
			if info, err := os.Stat(f); err == nil && info.Mode().IsRegular() {
				b, err := os.ReadFile(f)
				require.NoError(t, err)
				out["the SQLite files: "+filepath.Base(f)] = b
			}
		}
		require.Contains(t, out, "the SQLite files: "+filepath.Base(a.Config.SQLitePath()))
	}
	// Every object in the bucket directory, with its metadata.
	objects := 0
	require.NoError(t, filepath.WalkDir(sys.s3.Dir(), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			// Removed while the walk went by: the bucket is shared with
			// the tests running beside this one, whose uploads are
			// deleted once attached. This test's filings stand still.
			return nil
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if os.IsNotExist(err) {
			return nil // deleted by another test meanwhile
		}
		if err != nil {
			return err
		}
		objects++
		rel, _ := filepath.Rel(sys.s3.Dir(), path)
		out["S3 object "+rel] = append(b, xattrs(path)...)
		return nil
	}))
	require.NotZero(t, objects)
	for _, id := range ids {
		h := historyOf(t, id)
		raw, err := proto.Marshal(h)
		require.NoError(t, err)
		out["the raw Temporal history of "+id] = raw
	}
	return out
}

// xattrs are a file's extended attributes' names and values.
func xattrs(path string) []byte {
	size, err := syscall.Listxattr(path, nil)
	if err != nil || size == 0 {
		return nil
	}
	names := make([]byte, size)
	if _, err := syscall.Listxattr(path, names); err != nil {
		return nil
	}
	out := bytes.Clone(names)
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		n, err := syscall.Getxattr(path, name, nil)
		if err != nil || n == 0 {
			continue
		}
		v := make([]byte, n)
		if _, err := syscall.Getxattr(path, name, v); err == nil {
			out = append(out, v...)
		}
	}
	return out
}
