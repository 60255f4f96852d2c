package envelope_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/envelope"
)

// memRepo keeps wrapped keys in memory, as filing_keys does.
type memRepo struct {
	mu   sync.Mutex
	keys map[string]envelope.Stored
}

func newMemRepo() *memRepo { return &memRepo{keys: map[string]envelope.Stored{}} }

func (m *memRepo) Get(_ context.Context, id string) (envelope.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.keys[id]
	if !ok {
		return envelope.Stored{}, envelope.ErrNoKey
	}
	return s, nil
}

func (m *memRepo) Insert(_ context.Context, s envelope.Stored) (envelope.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.keys[s.FilingID]; ok {
		return old, nil
	}
	m.keys[s.FilingID] = s
	return s, nil
}

func (m *memRepo) Rewrap(_ context.Context, id, oldKEK, newKEK string, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.keys[id]; s.KEKID == oldKEK && !s.Erased {
		s.KEKID, s.Wrapped = newKEK, wrapped
		m.keys[id] = s
	}
	return nil
}

func (m *memRepo) Erase(_ context.Context, id string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.keys[id]
	if !ok {
		s = envelope.Stored{FilingID: id}
	}
	if !s.Erased {
		s.ErasedAt = time.Now()
	}
	s.Wrapped, s.Erased = nil, true
	m.keys[id] = s
	return nil
}

func (m *memRepo) NotWrappedWith(_ context.Context, kek, after string, limit int) ([]envelope.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []envelope.Stored
	for id, s := range m.keys {
		if id > after && s.KEKID != kek && !s.Erased {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FilingID < out[j].FilingID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// countingKEK counts unwraps.
type countingKEK struct {
	envelope.Wrapper
	unwraps atomic.Int32
}

func (c *countingKEK) Unwrap(ctx context.Context, id, kek string, w []byte) ([]byte, error) {
	c.unwraps.Add(1)
	return c.Wrapper.Unwrap(ctx, id, kek, w)
}

func ring(t testing.TB, ids ...string) *codec.Keyring {
	t.Helper()
	spec := ""
	for _, id := range ids {
		line, err := codec.NewKeyLine(id)
		require.NoError(t, err)
		spec += line + "\n"
	}
	r, err := codec.ParseKeys(spec)
	require.NoError(t, err)
	return r
}

const (
	filingA filing.ID = "0190c5d2-aaaa-7000-8000-000000000001"
	filingB filing.ID = "0190c5d2-bbbb-7000-8000-000000000002"
)

var application = []byte(`{"subject":{"leader":{"name":"张伟","id_number":"330106198503121231","mobile":"13800138000"}}}`)

func TestARecordOpensOnlyForItsFilingAndPurpose(t *testing.T) {
	ctx := context.Background()
	keys := envelope.NewKeys(newMemRepo(), envelope.NewLocalKEK(ring(t, "k1")))
	sealed, err := keys.Seal(ctx, filingA, "application revision r1", application)
	require.NoError(t, err)
	assert.NotContains(t, string(sealed), "张伟")
	assert.NotContains(t, string(sealed), "330106198503121231")

	got, err := keys.Open(ctx, filingA, "application revision r1", sealed)
	require.NoError(t, err)
	assert.Equal(t, application, got)

	_, err = keys.Open(ctx, filingA, "application revision r2", sealed)
	assert.Error(t, err, "another revision's place")
	_, err = keys.Seal(ctx, filingB, "x", []byte("b has a key now"))
	require.NoError(t, err)
	_, err = keys.Open(ctx, filingB, "application revision r1", sealed)
	assert.Error(t, err, "another filing's key")
	sealed[len(sealed)-1] ^= 1
	_, err = keys.Open(ctx, filingA, "application revision r1", sealed)
	assert.Error(t, err, "altered")
}

func TestADocumentStreamsThroughInChunksOfAnySize(t *testing.T) {
	ctx := context.Background()
	keys := envelope.NewKeys(newMemRepo(), envelope.NewLocalKEK(ring(t, "k1")))
	for _, n := range []int{0, 1, envelope.ChunkSize - 1, envelope.ChunkSize, envelope.ChunkSize + 1, 3 * envelope.ChunkSize, 200_000} {
		plain := make([]byte, n)
		_, _ = rand.Read(plain)
		enc, err := keys.Encrypt(ctx, filingA, "document d", bytes.NewReader(plain))
		require.NoError(t, err)
		sealed, err := io.ReadAll(enc)
		require.NoError(t, err)
		assert.EqualValues(t, envelope.EncryptedSize(int64(n)), len(sealed), "size of %d bytes sealed", n)
		dec, err := keys.Decrypt(ctx, filingA, "document d", bytes.NewReader(sealed))
		require.NoError(t, err)
		got, err := io.ReadAll(dec)
		require.NoError(t, err, "%d bytes", n)
		assert.True(t, bytes.Equal(plain, got), "%d bytes come back", n)
	}
}

func TestAnAlteredOrCutDocumentDoesNotDecrypt(t *testing.T) {
	ctx := context.Background()
	keys := envelope.NewKeys(newMemRepo(), envelope.NewLocalKEK(ring(t, "k1")))
	plain := make([]byte, 3*envelope.ChunkSize+100)
	_, _ = rand.Read(plain)
	enc, err := keys.Encrypt(ctx, filingA, "document d", bytes.NewReader(plain))
	require.NoError(t, err)
	sealed, err := io.ReadAll(enc)
	require.NoError(t, err)
	header, chunk := 11, envelope.ChunkSize+16

	cases := map[string][]byte{
		"cut at a chunk boundary": sealed[:header+2*chunk],
		"cut inside a chunk":      sealed[:header+chunk+10],
		"a byte flipped":          flip(sealed, header+chunk+5),
		"chunks swapped": append(append(append(append([]byte{}, sealed[:header]...), sealed[header+chunk:header+2*chunk]...),
			sealed[header:header+chunk]...), sealed[header+2*chunk:]...),
		"bytes appended": append(append([]byte{}, sealed...), 0),
		"another place":  nil,
	}
	for name, bad := range cases {
		purpose := "document d"
		if bad == nil {
			bad, purpose = sealed, "document e"
		}
		dec, err := keys.Decrypt(ctx, filingA, purpose, bytes.NewReader(bad))
		if err == nil {
			_, err = io.ReadAll(dec)
		}
		assert.Error(t, err, name)
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 0x80
	return out
}

func TestReadingAFilingUnwrapsItsKeyOnceNotPerRecord(t *testing.T) {
	ctx := context.Background()
	kek := &countingKEK{Wrapper: envelope.NewLocalKEK(ring(t, "k1"))}
	repo := newMemRepo()
	sealed, err := envelope.NewKeys(repo, kek).Seal(ctx, filingA, "r", application)
	require.NoError(t, err)
	reader := envelope.NewKeys(repo, kek) // another process
	for range 20 {
		_, err := reader.Open(ctx, filingA, "r", sealed)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, kek.unwraps.Load())
}

func TestAFilingsFirstRecordsSealedAtOnceShareOneKey(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	kek := envelope.NewLocalKEK(ring(t, "k1"))
	const n = 16
	sealed := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Each its own process: no cache shared.
			s, err := envelope.NewKeys(repo, kek).Seal(ctx, filingA, "r", application)
			assert.NoError(t, err)
			sealed[i] = s
		})
	}
	wg.Wait()
	reader := envelope.NewKeys(repo, kek)
	for i := range n {
		_, err := reader.Open(ctx, filingA, "r", sealed[i])
		assert.NoError(t, err, "record %d opens with the filing's one key", i)
	}
}

func TestAnErasedFilingsDataIsGoneForEveryone(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	kek := envelope.NewLocalKEK(ring(t, "k1"))
	keys := envelope.NewKeys(repo, kek)
	sealed, err := keys.Seal(ctx, filingA, "r", application)
	require.NoError(t, err)
	enc, err := keys.Encrypt(ctx, filingA, "d", bytes.NewReader(application))
	require.NoError(t, err)
	doc, err := io.ReadAll(enc)
	require.NoError(t, err)

	require.NoError(t, keys.Erase(ctx, filingA))
	require.NoError(t, keys.Erase(ctx, filingA), "erasing twice is harmless")
	require.NoError(t, keys.Erase(ctx, filingB), "a filing without a key has nothing to erase")
	for _, k := range []*envelope.Keys{keys, envelope.NewKeys(repo, kek)} {
		_, err = k.Open(ctx, filingA, "r", sealed)
		assert.ErrorIs(t, err, envelope.ErrErased)
		_, err = k.Decrypt(ctx, filingA, "d", bytes.NewReader(doc))
		assert.ErrorIs(t, err, envelope.ErrErased)
		_, err = k.Seal(ctx, filingA, "r2", application)
		assert.ErrorIs(t, err, envelope.ErrErased, "no new data under an erased filing")
	}
}

func TestRotatingTheKeyEncryptionKeyRewrapsAndReencryptsNothing(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	line1, err := codec.NewKeyLine("k1")
	require.NoError(t, err)
	line2, err := codec.NewKeyLine("k2")
	require.NoError(t, err)
	parse := func(spec string) *codec.Keyring {
		r, err := codec.ParseKeys(spec)
		require.NoError(t, err)
		return r
	}
	old := envelope.NewLocalKEK(parse(line1))
	sealedA, err := envelope.NewKeys(repo, old).Seal(ctx, filingA, "r", application)
	require.NoError(t, err)
	_, err = envelope.NewKeys(repo, old).Seal(ctx, filingB, "r", application)
	require.NoError(t, err)

	// k2 becomes current, k1 stays to unwrap; everything is re-wrapped.
	rotated := envelope.NewLocalKEK(parse(line1 + "\n" + line2))
	n, err := envelope.NewKeys(repo, rotated).Rewrap(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	again, err := envelope.NewKeys(repo, rotated).Rewrap(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, again, "nothing left under k1")

	// k1 retired: the record sealed before the rotation still opens.
	got, err := envelope.NewKeys(repo, envelope.NewLocalKEK(parse(line2))).Open(ctx, filingA, "r", sealedA)
	require.NoError(t, err)
	assert.Equal(t, application, got)
	s, _ := repo.Get(ctx, string(filingA))
	assert.Equal(t, "local:k2", s.KEKID)
}

func TestAWrappedKeyDoesNotUnwrapForAnotherFiling(t *testing.T) {
	ctx := context.Background()
	kek := envelope.NewLocalKEK(ring(t, "k1"))
	id, wrapped, err := kek.Wrap(ctx, string(filingA), make([]byte, 32))
	require.NoError(t, err)
	_, err = kek.Unwrap(ctx, string(filingB), id, wrapped)
	assert.Error(t, err)
	_, err = kek.Unwrap(ctx, string(filingA), "local:k9", wrapped)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, envelope.ErrErased))
}
