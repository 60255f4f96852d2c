package testenv

// PayloadKeys encrypt the Temporal payloads of every test system. They are
// test keys, published here on purpose: the recorded histories under
// workflows/testdata were written with them, and the replay test must
// decrypt those.
const PayloadKeys = "test-1:dptPr6ZGVhPWis1zcCK/wTGiW7238GOGACURq57aPuQ="

// DataKeys wrap the filings' data keys in every test system, like
// PayloadKeys a fixed test key, never used outside tests.
const DataKeys = "test-data-1:q0m1U9+6d8xZ0p3iK4cWJ2hY5vR7tN1aB3eF6gH8jL0="
