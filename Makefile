# beianflow — two commands: `make run` (whole system) and `make test` (all tests).
# Tools are built from the Go module proxy into ./bin at pinned versions. The
# versioned file is the make target, so a version bump rebuilds and an
# existing build is reused; bin/temporal and bin/versitygw link to it.

SHELL := /bin/bash
BIN   := $(CURDIR)/bin

TEMPORAL_CLI_VERSION  := v1.5.1
VERSITYGW_VERSION     := v1.8.0
WORKFLOWCHECK_VERSION := v0.6.0
GOLANGCI_LINT_VERSION := v2.15.0
# The Temporal server of `make run-cluster`: the version the pinned CLI's
# dev server embeds, and the Web UI server that CLI embeds.
TEMPORAL_SERVER_VERSION := v1.29.1
TEMPORAL_UI_VERSION     := v2.42.1

TEMPORAL  := $(BIN)/temporal-$(TEMPORAL_CLI_VERSION)
VERSITYGW := $(BIN)/versitygw-$(VERSITYGW_VERSION)
WORKFLOWCHECK := $(BIN)/workflowcheck-$(WORKFLOWCHECK_VERSION)
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
BEIANFLOW := $(BIN)/beianflow
TEMPORAL_SERVER    := $(BIN)/temporal-server-$(TEMPORAL_SERVER_VERSION)
TEMPORAL_SQL_TOOL  := $(BIN)/temporal-sql-tool-$(TEMPORAL_SERVER_VERSION)
TEMPORAL_SCHEMA    := $(BIN)/temporal-schema-$(TEMPORAL_SERVER_VERSION)
TEMPORAL_UI_SERVER := $(BIN)/temporal-ui-server-$(TEMPORAL_UI_VERSION)

# Tests and `make run` find the tools through these.
export BEIANFLOW_TEMPORAL_CLI := $(TEMPORAL)
export BEIANFLOW_VERSITYGW    := $(VERSITYGW)
export BEIANFLOW_TEMPORAL_SERVER    := $(TEMPORAL_SERVER)
export BEIANFLOW_TEMPORAL_SQL_TOOL  := $(TEMPORAL_SQL_TOOL)
export BEIANFLOW_TEMPORAL_SCHEMA    := $(TEMPORAL_SCHEMA)
export BEIANFLOW_TEMPORAL_UI_SERVER := $(TEMPORAL_UI_SERVER)

GO_TEST_FLAGS ?= -count=1 -timeout 20m

.PHONY: run run-cluster test-cluster cluster-tools demo test test-unit lint tools build vet fmt-check workflowcheck clean-data help record-histories screenshots bench-webhooks bench-lifecycle bench-listing scale scale-cluster

help:
	@echo "make run    start the whole system (Temporal + Web UI :8233, S3, worker, API :8080)"
	@echo "make run-cluster  the system as deployed: Temporal's services on PostgreSQL, two APIs, two workers, codec server, Web UI :8233"
	@echo "make demo   with make run running: one filing through every stage in about a minute (Web UI link printed)"
	@echo "make test   the whole suite: lint, then every test against real Temporal, PostgreSQL and S3"
	@echo "make test-cluster  the fault tests on the run-cluster topology (workers killed, an API stopped, Temporal history restarted)"
	@echo "make test-unit  the tests that need no server (under a minute)"
	@echo "make lint   gofmt, vet, workflowcheck and golangci-lint"
	@echo "make tools  build the pinned Temporal CLI and versitygw into ./bin"
	@echo "make screenshots  the workbench's main screens into docs/img (needs Chromium and a CJK font)"
	@echo "make bench-lifecycle  complete filings per second against bare workflows of the same shape, on the same server"
	@echo "make bench-listing  the listings and review queues over 1,000,000 filings in PostgreSQL (p99 against a primary-key lookup)"
	@echo "make scale  200, 1,000 and 2,000 filings in flight at once: RSS, goroutines, sticky cache, rows per filing, read p99"
	@echo "make scale-cluster  the same on the run-cluster topology, each process and Temporal's databases measured apart"

tools: $(TEMPORAL) $(VERSITYGW)

# go install writes to GOBIN under the command's own name; build in a
# scratch GOBIN and move the result to its versioned name.
$(TEMPORAL):
	@echo "building Temporal CLI $(TEMPORAL_CLI_VERSION) from the Go module proxy (first time only, several minutes)"
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
	mv $(BIN)/.gobin/temporal $@ && ln -sfn $(notdir $@) $(BIN)/temporal

# The Temporal server, its SQL schema tool, its PostgreSQL schemas and the
# Web UI server, for `make run-cluster`: the same versions the CLI's dev
# server embeds, built from the Go module proxy (several minutes the
# first time). The schemas are copied out of the server's module.
cluster-tools: $(TEMPORAL_SERVER) $(TEMPORAL_SQL_TOOL) $(TEMPORAL_SCHEMA) $(TEMPORAL_UI_SERVER)

$(TEMPORAL_SERVER):
	@echo "building the Temporal server $(TEMPORAL_SERVER_VERSION) from the Go module proxy (first time only, several minutes)"
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION)
	mv $(BIN)/.gobin/server $@ && ln -sfn $(notdir $@) $(BIN)/temporal-server

$(TEMPORAL_SQL_TOOL):
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION)
	mv $(BIN)/.gobin/sql $@ && ln -sfn $(notdir $@) $(BIN)/temporal-sql-tool

# Outside any module (cd /), so that go.mod is not touched.
$(TEMPORAL_SCHEMA):
	@rm -rf $@.tmp
	dir=$$(cd / && go mod download -json go.temporal.io/server@$(TEMPORAL_SERVER_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p') && \
		test -d "$$dir/schema/postgresql/v12" && cp -r "$$dir/schema/postgresql/v12" $@.tmp
	# Only the SQL: the directory's Go file would join this module's ./...
	chmod -R u+w $@.tmp && find $@.tmp -name '*.go' -delete && mv $@.tmp $@ && ln -sfn $(notdir $@) $(BIN)/temporal-schema

$(TEMPORAL_UI_SERVER):
	@echo "building the Temporal Web UI server $(TEMPORAL_UI_VERSION) from the Go module proxy (first time only)"
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install github.com/temporalio/ui-server/v2/cmd/server@$(TEMPORAL_UI_VERSION)
	mv $(BIN)/.gobin/server $@ && ln -sfn $(notdir $@) $(BIN)/temporal-ui-server

# Temporal's static analyzer: flags workflow code that reaches time.Now,
# goroutines, map iteration, randomness and the like.
$(WORKFLOWCHECK):
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)
	mv $(BIN)/.gobin/workflowcheck $@

$(VERSITYGW):
	@echo "building versitygw $(VERSITYGW_VERSION) from the Go module proxy (first time only, several minutes)"
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)
	mv $(BIN)/.gobin/versitygw $@ && ln -sfn $(notdir $@) $(BIN)/versitygw

# The version `beianflow version` reports: the release tag HEAD is at or
# after, if any (make build VERSION=v1.4.0 to set one); empty leaves the
# version Go stamps (see cmd/beianflow/version.go).
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null)

# The commit, for `beianflow version` where Go does not stamp it itself
# (GOFLAGS=-buildvcs=false).
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
MODIFIED ?= $(shell git diff --quiet HEAD -- 2>/dev/null || echo true)

build:
	go build -ldflags "-X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.modified=$(MODIFIED)" -o $(BEIANFLOW) ./cmd/beianflow

run: tools build
	$(BEIANFLOW) dev

# The system as a provider deploys it, on this machine's PostgreSQL
# (BEIANFLOW_CLUSTER_POSTGRES): Temporal's frontend, history, matching and
# worker services as separate processes, S3, the migration job, two APIs
# behind a load balancer on :8080, two workers, the codec server and the
# Web UI on :8233. State under data/cluster; `make demo` runs against it
# (BEIANFLOW_DATA_DIR=data/cluster make demo).
run-cluster: tools cluster-tools build
	$(BEIANFLOW) cluster

# The fault tests on that topology, each with databases of its own.
test-cluster: tools cluster-tools
	BEIANFLOW_CLUSTER_TEST=1 go test -count=1 -timeout 20m -v -run . ./integration/cluster/

# Against a running `make run` (in another terminal): walks one filing
# through every stage via the API with its own compressed time scale,
# printing each stage and the Web UI link. Needs no tools beyond Go.
demo:
	go run ./cmd/beianflow demo

vet:
	go vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

$(GOLANGCI_LINT):
	@echo "building golangci-lint $(GOLANGCI_LINT_VERSION) from the Go module proxy (first time only, about two minutes)"
	@rm -rf $(BIN)/.gobin && mkdir -p $(BIN)/.gobin
	GOBIN=$(BIN)/.gobin go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/.gobin/golangci-lint $@

# Determinism of workflow code, checked statically (replay tests check it
# against recorded histories).
workflowcheck: $(WORKFLOWCHECK)
	$(WORKFLOWCHECK) -show-pos ./...

# The linters: formatting, vet, workflow determinism and golangci-lint
# with the team's rules (.golangci.yml).
lint: fmt-check vet workflowcheck $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

# Everything that needs no server: rules, calendar, the contract, the
# workflow on Temporal's time-skipping test environment, replays of the
# recorded histories, the API's handlers on SQLite, the client against
# test servers, the CLI's help. Tests that need PostgreSQL, Temporal or S3
# skip themselves under -short (testenv.NeedsServers).
test-unit:
	go test -short $(GO_TEST_FLAGS) ./...

test: tools lint
	go test $(GO_TEST_FLAGS) ./...

# Screenshots of the reviewers' workbench (docs/img/workbench-*.png), taken by
# its browser tests; Chinese text needs a CJK font (fonts-wqy-microhei).
screenshots: tools
	BEIANFLOW_SCREENSHOTS=$(CURDIR)/docs/img go test -count=1 -run 'Workbench' ./integration/

clean-data:
	rm -rf ./data

# Re-record the workflow histories that the replay test replays (see docs/versioning.md).
record-histories: tools
	BEIANFLOW_RECORD_HISTORIES=1 go test -count=1 -run . ./integration/

# The filing's lifecycle against Temporal's own cost (docs/history.md):
# BEIANFLOW_BENCH_FILINGS filings (default 96) from start to approval, and
# as many bare workflows of the same shape, on the same dev server,
# BEIANFLOW_BENCH_CONCURRENCY (default 32) at a time.
bench-lifecycle: tools
	go test -count=1 -run XXX -bench BenchmarkFilingLifecycleVsBare -benchtime 1x -timeout 30m ./integration/

# SCALE filings in flight at once, for each size in turn (docs/history.md).
SCALE ?= 200,1000,2000
scale: tools
	BEIANFLOW_SCALE=$(SCALE) go test -count=1 -run TestScaleFilingsInFlightAtOnce -v -timeout 90m ./integration/

# The same on the run-cluster topology: Temporal's services on PostgreSQL,
# two workers and two APIs, each process measured apart.
scale-cluster: tools cluster-tools
	BEIANFLOW_SCALE=$(SCALE) go test -count=1 -run TestScaleFilingsInFlightOnTheCluster -v -timeout 150m ./integration/

# The listings and review queues over 1,000,000 filings in PostgreSQL,
# against a primary-key lookup in the same run (p99 target: 50 ms).
bench-listing:
	BEIANFLOW_BENCH_LISTING_FILINGS=1000000 go test -count=1 -run XXX -bench BenchmarkListFilings -benchtime 300x -timeout 30m ./internal/store/
