package records

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/rules"
)

// Error codes of the MIIT filing records protocol besides not_on_record.
const (
	codeInvalidQuery = "invalid_query"
	codeUnauthorized = "unauthorized"
	codeUnavailable  = "unavailable"
)

// errorBody is every error answer of the protocol, the shape the partner
// protocols use too. Messages never quote the request: it carries
// certificate numbers.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// NewSandboxServer serves the MIIT filing records protocol
// (docs/protocol.md) over lookup, typically the Sandbox, so that `make run`
// and the tests reach it through an HTTPClient as they would reach the
// provider's record service:
//
//	GET /subjects?certificate_type=…&certificate_number=…  200, 400, 401, 404 not_on_record, 503
//	GET /domains/{domain}                                  200, 401, 404 not_on_record, 503
//
// With a non-empty token every request must carry "Authorization: Bearer
// <token>" or is answered 401; an empty token serves everyone. A lookup
// that fails is answered 503, so that the client retries. The server logs
// no query and no subject lookup's error, which may quote the certificate
// number.
func NewSandboxServer(lookup rules.RecordLookup, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /subjects", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		certType, number := filing.CertificateType(q.Get("certificate_type")), q.Get("certificate_number")
		if !certType.Valid() || strings.TrimSpace(number) == "" {
			httpcall.WriteJSON(w, http.StatusBadRequest, errorBody{Code: codeInvalidQuery,
				Message: "certificate_type must be a known certificate type and certificate_number is required"})
			return
		}
		rec, err := lookup.LookupSubject(r.Context(), certType, number)
		switch {
		case err != nil:
			slog.Default().ErrorContext(r.Context(), "records sandbox server: subject lookup failed", "route", r.Pattern)
			unavailable(w)
		case !rec.Found:
			httpcall.WriteJSON(w, http.StatusNotFound, errorBody{Code: codeNotOnRecord, Message: "the subject is not on record"})
		default:
			httpcall.WriteJSON(w, http.StatusOK, subjectBody{
				FilingNumber: rec.FilingNumber, Province: rec.Province, Nature: rec.Nature, Name: rec.Name,
				LeaderName: rec.LeaderName, Shell: rec.Shell, AtThisProvider: rec.AtThisProvider,
			})
		}
	})
	mux.HandleFunc("GET /domains/{domain}", func(w http.ResponseWriter, r *http.Request) {
		rec, err := lookup.LookupDomain(r.Context(), r.PathValue("domain"))
		switch {
		case err != nil:
			slog.Default().ErrorContext(r.Context(), "records sandbox server: domain lookup failed", "route", r.Pattern, "err", err)
			unavailable(w)
		case !rec.Found:
			httpcall.WriteJSON(w, http.StatusNotFound, errorBody{Code: codeNotOnRecord, Message: "the domain is not on record"})
		default:
			httpcall.WriteJSON(w, http.StatusOK, domainBody{SubjectFilingNumber: rec.SubjectFilingNumber, AtThisProvider: rec.AtThisProvider})
		}
	})
	if token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpcall.HasBearer(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="records"`)
			httpcall.WriteJSON(w, http.StatusUnauthorized, errorBody{Code: codeUnauthorized, Message: "a valid bearer token is required"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func unavailable(w http.ResponseWriter) {
	httpcall.WriteJSON(w, http.StatusServiceUnavailable, errorBody{Code: codeUnavailable, Message: "the record service is temporarily unavailable"})
}
