package deploy_test

import (
	"encoding/json"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/metrics"
)

// sdkMetric is a Temporal Go SDK metric the dashboard queries, by its SDK
// name and instrument kind. The SDK registers its metrics only once it
// emits them, so the test emits these through beianflow's bridge to learn
// the names the bridge exposes, and checks the names against the SDK's own
// source.
type sdkMetric struct {
	name string
	kind string // counter, timer or gauge
}

var dashboardSDKMetrics = []sdkMetric{
	{"temporal_workflow_task_execution_failed", "counter"},
	{"temporal_activity_execution_failed", "counter"},
	{"temporal_workflow_completed", "counter"},
	{"temporal_workflow_failed", "counter"},
	{"temporal_request_failure", "counter"},
	{"temporal_activity_schedule_to_start_latency", "timer"},
	{"temporal_workflow_task_schedule_to_start_latency", "timer"},
	{"temporal_activity_execution_latency", "timer"},
	{"temporal_worker_task_slots_available", "gauge"},
	{"temporal_num_pollers", "gauge"},
}

// capture is a Registerer that remembers what it registers, so that the
// test can describe collectors that expose nothing before their first
// observation (a CounterVec without children gathers nothing).
type capture struct {
	prometheus.Registerer
	collectors []prometheus.Collector
}

func (c *capture) Register(col prometheus.Collector) error {
	c.collectors = append(c.collectors, col)
	return c.Registerer.Register(col)
}

func (c *capture) MustRegister(cols ...prometheus.Collector) {
	for _, col := range cols {
		if err := c.Register(col); err != nil {
			panic(err)
		}
	}
}

// registeredMetrics builds the metrics the way the processes do (one
// registry: runtime, process, HTTP, the Temporal SDK bridge, and the
// workers' webhook delivery metrics) and returns every family name.
func registeredMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New()
	c := &capture{Registerer: m.Registry()}
	hooks.NewMetrics(c)

	// One request through the middleware, as the HTTP servers install it.
	e := echo.New()
	e.Use(m.EchoMiddleware())
	e.GET("/v1/filings/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/filings/x", nil))

	h := m.TemporalHandler()
	for _, s := range dashboardSDKMetrics {
		switch s.kind {
		case "counter":
			h.Counter(s.name).Inc(1)
		case "timer":
			h.Timer(s.name).Record(1)
		case "gauge":
			h.Gauge(s.name).Update(1)
		default:
			t.Fatalf("%s: kind %q", s.name, s.kind)
		}
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = true
	}
	descs := make(chan *prometheus.Desc, 64)
	go func() {
		for _, col := range c.collectors {
			col.Describe(descs)
		}
		close(descs)
	}()
	for d := range descs {
		m := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read the name of %s", d)
		}
		names[m[1]] = true
	}
	return names
}

// sdkConstants are the string constants of the Temporal SDK's metric
// names (internal/common/metrics/constants.go of the module in go.mod),
// by value, with their Go names.
func sdkConstants(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk").Output()
	if err != nil {
		t.Fatalf("locate the Temporal SDK's source: go list -m go.temporal.io/sdk: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "internal", "common", "metrics", "constants.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	// Type-checking evaluates "prefix" + "name" concatenations; the file
	// imports nothing.
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("metrics", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatalf("type-check %s: %v", file, err)
	}
	consts := map[string]string{}
	for _, name := range pkg.Scope().Names() {
		if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && c.Val().Kind() == constant.String {
			consts[constant.StringVal(c.Val())] = name
		}
	}
	return consts
}

type dashboard struct {
	Title      string  `json:"title"`
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Type       string          `json:"type"`
			Name       string          `json:"name"`
			Query      json.RawMessage `json:"query"`
			Definition string          `json:"definition"`
			Datasource *datasource     `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []struct {
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// metricNames are the metric names a PromQL expression selects. The
// dashboard writes every selector with braces, name{...}; a bare name of
// one of the exporters' prefixes is reported so that none is missed.
func metricNames(t *testing.T, where, expr string) []string {
	t.Helper()
	var names []string
	for _, m := range regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\{`).FindAllStringSubmatch(expr, -1) {
		names = append(names, m[1])
	}
	for _, m := range regexp.MustCompile(`\b((?:beianflow|temporal|go|process|promhttp)_[a-zA-Z0-9_:]*)\b([{(]?)`).FindAllStringSubmatch(expr, -1) {
		if m[2] != "{" && !strings.Contains(expr, "label_values("+m[1]) {
			t.Errorf("%s: %s without {...}: write every selector with braces", where, m[1])
		}
	}
	if m := regexp.MustCompile(`label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)`).FindStringSubmatch(expr); m != nil {
		names = append(names, m[1])
	}
	return names
}

func TestGrafanaDashboardQueriesWhatBeianflowExports(t *testing.T) {
	raw := readRepoFile(t, "deploy", "grafana", "beianflow.json")
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("deploy/grafana/beianflow.json: %v", err)
	}
	if d.Title == "" || d.UID == "" {
		t.Error("the dashboard needs a title and a uid")
	}
	hasDatasourceVar := false
	var exprs []string
	for _, v := range d.Templating.List {
		if v.Type == "datasource" && v.Name == "datasource" && strings.Contains(string(v.Query), "prometheus") {
			hasDatasourceVar = true
		}
		if v.Type == "query" {
			if v.Datasource == nil || v.Datasource.UID != "${datasource}" {
				t.Errorf("variable %s: datasource %v, want ${datasource}", v.Name, v.Datasource)
			}
			exprs = append(exprs, v.Definition)
		}
	}
	if !hasDatasourceVar {
		t.Error("no Prometheus datasource variable named datasource")
	}

	registered := registeredMetrics(t)
	known := func(name string) bool {
		if registered[name] {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && registered[base] {
				return true
			}
		}
		return false
	}
	used := map[string]bool{}
	ids := map[int]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("panel %q: id %d used twice", p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: datasource %v, want ${datasource}", p.Title, p.Datasource)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q: no query", p.Title)
			}
			for _, tg := range p.Targets {
				if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q: a query on datasource %v", p.Title, tg.Datasource)
				}
				if tg.Expr == "" {
					t.Errorf("panel %q: an empty query", p.Title)
				}
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(d.Panels)
	for _, e := range exprs {
		for _, n := range metricNames(t, "query", e) {
			used[n] = true
			if !known(n) {
				t.Errorf("the dashboard queries %s, which beianflow does not register", n)
			}
		}
	}
	// Every metric of beianflow's own has a panel.
	var missing []string
	for n := range registered {
		if strings.HasPrefix(n, "beianflow_") && !used[n] && !used[n+"_bucket"] && !used[n+"_sum"] && !used[n+"_count"] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no panel shows %v", missing)
	}

	// The Temporal SDK metrics the dashboard relies on are the SDK's.
	consts := sdkConstants(t)
	for _, s := range dashboardSDKMetrics {
		ident, ok := consts[s.name]
		if !ok {
			t.Errorf("%s is no metric name of the Temporal SDK in go.mod", s.name)
			continue
		}
		if strings.HasSuffix(ident, "Counter") && s.kind != "counter" || strings.HasSuffix(ident, "Latency") && s.kind != "timer" {
			t.Errorf("%s is the SDK's %s, not a %s", s.name, ident, s.kind)
		}
	}
}
