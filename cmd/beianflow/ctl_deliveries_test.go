package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ctlEndpoint = "we_01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d"
	ctlEvent    = "evt_6b1f1c56-8d6b-5a41-9d0e-3f1f6b0f6a2e"
	ctlEvent2   = "evt_0c3d9a41-2b7e-5f10-8e6a-7d4c2b1a0f9e"
)

// The partner's receiver was down for four days: the approval was given up
// after its retry window, the stage change before it was redelivered once
// already and then acknowledged.
const ctlDeliveries = `{"deliveries":[
	{"endpoint_id":"` + ctlEndpoint + `","event_id":"` + ctlEvent + `","event_type":"filing.approved","filing_id":"` + ctlFiling + `",
	 "sequence":12,"status":"failed","attempts":9,"last_error":"status 503","created_at":"2026-11-04T02:00:00Z"},
	{"endpoint_id":"` + ctlEndpoint + `","event_id":"` + ctlEvent2 + `","event_type":"filing.stage_changed","filing_id":"` + ctlFiling + `",
	 "sequence":11,"status":"delivered","attempts":10,"last_error":"timeout","delivered_at":"2026-11-08T09:00:02Z",
	 "created_at":"2026-11-04T01:00:00Z","redelivered_by":"support:k_sup1","redelivered_at":"2026-11-08T09:00:00Z",
	 "redelivery_reason":"receiver_restored"}]}`

// rowOf is a table row with its padding squeezed to single spaces, so a
// test reads the columns rather than their widths.
func rowOf(t *testing.T, out, first string) string {
	t.Helper()
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, first) {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	t.Fatalf("no line starts with %q in:\n%s", first, out)
	return ""
}

func TestCtlDeliveriesListsWhatAnEndpointWasNotGivenAsATable(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /v1/support/webhook-deliveries", 200, ctlDeliveries)

	// The filing ID as a person may paste it, in capitals: sent as the API
	// spells filing IDs.
	out, err := ctlRun(t, f.env("bfk_k_s"), "deliveries", "--endpoint", ctlEndpoint, "--filing", strings.ToUpper(ctlFiling),
		"--status", "failed", "--limit", "2")
	require.NoError(t, err)
	last := f.last()
	assert.Equal(t, http.MethodGet, last.method)
	assert.Equal(t, "/v1/support/webhook-deliveries", last.path)
	assert.Equal(t, "endpoint_id="+ctlEndpoint+"&filing_id="+ctlFiling+"&limit=2&status=failed", last.query)
	assert.Equal(t, "Bearer bfk_k_s", last.auth)
	assert.Empty(t, last.body)

	assert.Contains(t, out, "2 deliveries, newest first\n")
	assert.Contains(t, out, "at most 2 are listed: raise --limit", "a full page may hide older deliveries")
	assert.Equal(t, "ENDPOINT EVENT TYPE FILING SEQ STATUS ATTEMPTS LAST ERROR NEXT ATTEMPT / DELIVERED AT REDELIVERED BY",
		rowOf(t, out, "ENDPOINT"))
	assert.Equal(t, ctlEndpoint+" "+ctlEvent+" filing.approved "+ctlFiling+" 12 failed 9 status 503 - -",
		rowOf(t, out, ctlEndpoint+"  "+ctlEvent))
	assert.Equal(t, ctlEndpoint+" "+ctlEvent2+" filing.stage_changed "+ctlFiling+" 11 delivered 10 timeout "+
		"delivered 2026-11-08T09:00:02Z support:k_sup1 (receiver_restored)", rowOf(t, out, ctlEndpoint+"  "+ctlEvent2))
	assert.Contains(t, out, "beianflow ctl redeliver ENDPOINT_ID EVENT_ID --reason receiver_restored", "a failed one says how to send it again")

	// Without filters nothing is sent but what was asked for.
	_, err = ctlRun(t, f.env("bfk_k_s"), "deliveries")
	require.NoError(t, err)
	assert.Empty(t, f.last().query)
}

func TestCtlDeliveriesPrintsTheAPIsAnswerAsJSON(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /v1/support/webhook-deliveries", 200, ctlDeliveries)
	out, err := ctlRun(t, f.env("k"), "deliveries", "--filing", ctlFiling, "--json")
	require.NoError(t, err)
	assert.Equal(t, "filing_id="+ctlFiling, f.last().query)
	var ds []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &ds), out)
	require.Len(t, ds, 2)
	assert.Equal(t, ctlEvent, ds[0]["event_id"])
	assert.Equal(t, "failed", ds[0]["status"])
	assert.Equal(t, "support:k_sup1", ds[1]["redelivered_by"])
	assert.Equal(t, "receiver_restored", ds[1]["redelivery_reason"])
}

func TestCtlDeliveriesSaysSoWhenNoneMatch(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /v1/support/webhook-deliveries", 200, `{"deliveries":[]}`)
	out, err := ctlRun(t, f.env("k"), "deliveries", "--status", "pending")
	require.NoError(t, err)
	assert.Equal(t, "no deliveries match\n", out)
}

func TestCtlDeliveriesRefusesABadSelectionBeforeAsking(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /v1/support/webhook-deliveries", 200, ctlDeliveries)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deliveries", "--status", "lost"}, `--status "lost" is not a delivery status; give pending, delivered, failed`},
		{[]string{"deliveries", "--status", "FAILED"}, "is not a delivery status"},
		{[]string{"deliveries", "--filing", "yunqi-tech.com"}, `--filing "yunqi-tech.com" is not a filing ID`},
		{[]string{"deliveries", "--limit", "501"}, "--limit must be from 1 to 500"},
		{[]string{"deliveries", "--limit", "-1"}, "--limit must be from 1 to 500"},
		{[]string{"deliveries", ctlEndpoint}, "unexpected argument"},
	} {
		_, err := ctlRun(t, f.env("k"), c.args...)
		require.Error(t, err, "%v", c.args)
		assert.Contains(t, err.Error(), c.want, "%v", c.args)
		assert.Zero(t, f.count(), "%v sent nothing", c.args)
	}
}

// The delivery as the API answers a redelivery: pending again, its earlier
// attempts kept, who asked and why recorded.
const ctlRedelivered = `{"endpoint_id":"` + ctlEndpoint + `","event_id":"` + ctlEvent + `","event_type":"filing.approved",
	"filing_id":"` + ctlFiling + `","sequence":12,"status":"pending","attempts":9,"last_error":"status 503",
	"next_attempt_at":"2026-11-08T09:00:00Z","created_at":"2026-11-04T02:00:00Z",
	"redelivered_by":"support:k_sup1","redelivered_at":"2026-11-08T09:00:00Z","redelivery_reason":"receiver_restored"}`

func TestCtlRedeliverSendsTheEventAgainAndSaysWhoAsked(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/webhook-deliveries/redeliver", 200, ctlRedelivered)
	out, err := ctlRun(t, f.env("bfk_k_sup1"), "redeliver", ctlEndpoint, ctlEvent, "--reason", "receiver_restored")
	require.NoError(t, err)
	last := f.last()
	assert.Equal(t, http.MethodPost, last.method)
	assert.Equal(t, "/v1/support/webhook-deliveries/redeliver", last.path)
	assert.Empty(t, last.query)
	assert.Equal(t, "Bearer bfk_k_sup1", last.auth)
	assert.JSONEq(t, `{"endpoint_id":"`+ctlEndpoint+`","event_id":"`+ctlEvent+`","reason":"receiver_restored"}`, last.body)
	assert.Equal(t, "redelivering "+ctlEvent+" (filing.approved) to endpoint "+ctlEndpoint+": pending, next attempt 2026-11-08T09:00:00Z\n"+
		"  filing "+ctlFiling+", event sequence 12\n"+
		"  attempts so far: 9, last error status 503\n"+
		"  recorded on the delivery: redelivered by support:k_sup1 at 2026-11-08T09:00:00Z, reason receiver_restored\n"+
		"follow it with: beianflow ctl deliveries --endpoint "+ctlEndpoint+" --filing "+ctlFiling+"\n", out)

	// Flags before the IDs, --json anywhere.
	out, err = ctlRun(t, f.env("bfk_k_sup1"), "redeliver", "--reason", "receiver_restored", ctlEndpoint, ctlEvent, "--json")
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	assert.Equal(t, "pending", d["status"])
	assert.Equal(t, "support:k_sup1", d["redelivered_by"])
	assert.Equal(t, 2, f.count())
}

func TestCtlRedeliverNeedsBothIDsAndAReasonCode(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/webhook-deliveries/redeliver", 200, ctlRedelivered)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"redeliver", ctlEndpoint, ctlEvent}, "give --reason CODE"},
		{[]string{"redeliver", ctlEndpoint, ctlEvent, "--reason", ""}, "give --reason CODE"},
		{[]string{"redeliver", ctlEndpoint, ctlEvent, "--reason", "receiver back after INC-2231"}, "is not a code"},
		{[]string{"redeliver", ctlEndpoint, ctlEvent, "--reason", "Receiver_restored"}, "is not a code"},
		{[]string{"redeliver", ctlEndpoint, "--reason", "receiver_restored"}, "give an endpoint ID (we_...) and an event ID (evt_...)"},
		{[]string{"redeliver", ctlEndpoint, ctlEvent, "evt_more", "--reason", "receiver_restored"}, "give an endpoint ID"},
	} {
		_, err := ctlRun(t, f.env("k"), c.args...)
		require.Error(t, err, "%v", c.args)
		assert.Contains(t, err.Error(), c.want, "%v", c.args)
		assert.Zero(t, f.count(), "%v sent nothing", c.args)
	}
}

func TestCtlRedeliverExplainsAnEndpointOrEventTheAPIDoesNotKnow(t *testing.T) {
	f := newFakeAPI(t)
	f.answers["POST /v1/support/webhook-deliveries/redeliver"] = func(_ *http.Request, body []byte) (int, string) {
		if strings.Contains(string(body), `"we_gone"`) {
			return 404, `{"code":"webhook_endpoint_not_found","message":"no webhook endpoint with this ID"}`
		}
		return 404, `{"code":"event_not_found","message":"the endpoint's account has no event with this ID"}`
	}
	for _, c := range []struct {
		endpoint, event string
		want            []string
	}{
		{"we_gone", ctlEvent, []string{`ctl redeliver: there is no webhook endpoint "we_gone"`, "HTTP 404 webhook_endpoint_not_found"}},
		{ctlEndpoint, "evt_gone", []string{
			"ctl redeliver: endpoint " + ctlEndpoint + `'s account has no event "evt_gone" in its feed`, "HTTP 404 event_not_found",
		}},
	} {
		n := f.count()
		out, err := ctlRun(t, f.env("k"), "redeliver", c.endpoint, c.event, "--reason", "receiver_restored")
		require.Error(t, err)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w)
		}
		assert.Empty(t, out)
		assert.Equal(t, n+1, f.count(), "a 404 is the API's answer, not retried")
	}
}
