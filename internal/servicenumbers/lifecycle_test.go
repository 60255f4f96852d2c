package servicenumbers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/servicenumbers"
)

func TestConsumedNumberCannotBeReused(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn, err := w.reg.Generate(ctx, "acc-1", "i-quota1-market")
		require.NoError(t, err)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-1", "example.com")
		require.NoError(t, err)
		require.NoError(t, w.reg.Consume(ctx, sn.Number, "filing-1"))
		require.NoError(t, w.reg.Consume(ctx, sn.Number, "filing-1"), "consuming again is harmless")

		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-2", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-1", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)

		// Cancelling an approved filing does not give its code back.
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		assert.Equal(t, servicenumbers.StatusConsumed, stored(t, w, sn.Number).Status)

		// A consumed number still counts against the instance's quota.
		_, err = w.reg.Generate(ctx, "acc-1", "i-quota1-market")
		assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)
	})
}

func TestCancelledFilingReleasesItsNumber(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := heldNumber(t, w, "filing-1")

		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		got := stored(t, w, sn.Number)
		assert.Equal(t, servicenumbers.StatusBound, got.Status)
		assert.Empty(t, got.FilingID)
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"), "releasing again is harmless")

		_, err := w.reg.Verify(ctx, sn.Number)
		require.NoError(t, err, "the number is usable again")
		_, err = w.reg.Bind(ctx, sn.Number, "filing-2", "example.com")
		require.NoError(t, err)

		// A late retry of the first filing's release leaves the new holder alone.
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		got = stored(t, w, sn.Number)
		assert.Equal(t, servicenumbers.StatusInUse, got.Status)
		assert.Equal(t, "filing-2", got.FilingID)
	})
}

func TestBindIsIdempotentForTheSameFiling(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		first, err := w.reg.Bind(ctx, sn.Number, "filing-1", "example.com")
		require.NoError(t, err)
		again, err := w.reg.Bind(ctx, sn.Number, "filing-1", "example.com")
		require.NoError(t, err)
		assert.Equal(t, servicenumbers.StatusInUse, again.Status)
		assert.Equal(t, "filing-1", again.FilingID)
		assert.Equal(t, first.UpdatedAt, again.UpdatedAt, "a repeated bind changes nothing")

		_, err = w.reg.Bind(ctx, sn.Number, "filing-2", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrInUse)
		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrInUse)
	})
}

func TestNumberOfAnInstanceStoppedSinceIsRefused(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		inst := addInstance(t, w, "i-web01-later", 5)
		sn, err := w.reg.Generate(ctx, "acc-1", inst.ID)
		require.NoError(t, err)

		inst.Running = false
		require.NoError(t, w.sb.Add(inst))
		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrNotRunning)
	})
}

func TestOnlyTheFilingHoldingANumberConsumesIt(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		assert.ErrorIs(t, w.reg.Consume(ctx, sn.Number, "filing-1"), servicenumbers.ErrWrongFiling, "not bound to any filing")
		_, err := w.reg.Bind(ctx, sn.Number, "filing-1", "example.com")
		require.NoError(t, err)
		err = w.reg.Consume(ctx, sn.Number, "filing-2")
		assert.ErrorIs(t, err, servicenumbers.ErrWrongFiling)
		assert.Equal(t, servicenumbers.StatusInUse, stored(t, w, sn.Number).Status)
	})
}

func TestUnknownNumberIsNotFound(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		_, err := w.reg.Verify(ctx, "BSNNOSUCHNUMBER1")
		assert.ErrorIs(t, err, servicenumbers.ErrNotFound)
		_, err = w.reg.Bind(ctx, "BSNNOSUCHNUMBER1", "filing-1", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrNotFound)
		assert.EqualError(t, err, "servicenumbers: bind BSNNOSUCHNUMBER1: service number not found")
		assert.ErrorIs(t, w.reg.Consume(ctx, "BSNNOSUCHNUMBER1", "filing-1"), servicenumbers.ErrNotFound)
		assert.ErrorIs(t, w.reg.Release(ctx, "BSNNOSUCHNUMBER1", "filing-1"), servicenumbers.ErrNotFound)
	})
}

func TestNumberIsAcceptedAsAnApplicantTypesIt(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		typed := " " + strings.ToLower(sn.Number) + " "
		got, err := w.reg.Verify(ctx, typed)
		require.NoError(t, err)
		assert.Equal(t, sn.Number, got.Number)
		got, err = w.reg.Bind(ctx, typed, "filing-1", "example.com")
		require.NoError(t, err)
		assert.Equal(t, sn.Number, got.Number)
	})
}

func TestLifecycleCallsNeedAFiling(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		_, err := w.reg.Bind(ctx, sn.Number, "", "example.com")
		assert.Error(t, err)
		assert.Error(t, w.reg.Consume(ctx, sn.Number, ""))
		assert.Error(t, w.reg.Release(ctx, sn.Number, ""))
		_, err = w.reg.Generate(ctx, "", "i-web01-noacct")
		assert.Error(t, err)
		assert.Equal(t, servicenumbers.StatusBound, stored(t, w, sn.Number).Status)
	})
}
