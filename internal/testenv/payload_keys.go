package testenv

// PayloadKeys encrypt the Temporal payloads of every test system. They are
// test keys, published here on purpose: the recorded histories under
// workflows/testdata were written with them, and the replay test must
// decrypt those.
const PayloadKeys = "test-1:dptPr6ZGVhPWis1zcCK/wTGiW7238GOGACURq57aPuQ="
