// Package blobtest is the test suite every blob.Store must pass.
//
//	func TestStore(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Store { return openEmptyStore(t) })
//	}
//
// The suite writes blobs of up to 25 MB, larger than a multipart upload's
// part, so that stores which upload in parts are tested across parts.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
)

// Big is the size of the suite's largest blob: over three parts of 8 MiB.
const Big = 3*8<<20 + 4567

// Run runs the suite. newStore returns an empty store for one subtest; it
// is called once per subtest and should release the store with t.Cleanup.
// Stores from different calls must not share uncommitted writes, since the
// suite counts what RemoveUncommitted removes.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, blob.Store)
	}{
		{"Commit", testCommit},
		{"Empty", testEmpty},
		{"Abort", testAbort},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"InvalidKeys", testInvalidKeys},
		{"Range", testRange},
		{"ServeContent", testServeContent},
		{"List", testList},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Multipart", testMultipart},
		{"Cancel", testCancel},
		{"RemoveUncommitted", testRemoveUncommitted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

// Data returns n bytes of pseudo-random data, the same for the same seed.
func Data(seed uint64, n int) []byte {
	var key [32]byte
	key[0] = byte(seed)
	key[1] = byte(seed >> 8)
	p := make([]byte, n)
	rand.NewChaCha8(key).Read(p)
	return p
}

func sum(p []byte) string {
	s := sha256.Sum256(p)
	return hex.EncodeToString(s[:])
}

// write writes p to w in pieces of chunk bytes.
func write(t *testing.T, w blob.Writer, p []byte, chunk int) {
	t.Helper()
	for len(p) > 0 {
		n := min(chunk, len(p))
		m, err := w.Write(p[:n])
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if m != n {
			t.Fatalf("Write wrote %d of %d bytes", m, n)
		}
		p = p[n:]
	}
}

// put commits p under key.
func put(t *testing.T, s blob.Store, key string, p []byte) jobs.Blob {
	t.Helper()
	w, err := s.Create(context.Background(), key)
	if err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
	defer w.Abort()
	write(t, w, p, 64<<10)
	b, err := w.Commit()
	if err != nil {
		t.Fatalf("Commit(%q): %v", key, err)
	}
	return b
}

// check fails t unless key holds exactly want.
func check(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	f, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer f.Close()
	if f.Size() != int64(len(want)) {
		t.Errorf("Open(%q).Size() = %d, want %d", key, f.Size(), len(want))
	}
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%q holds %d bytes (sha256 %.12s), want %d (%.12s)", key, len(got), sum(got), len(want), sum(want))
	}
}

// absent fails t unless Open reports key missing and List does not show it.
func absent(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if f, err := s.Open(context.Background(), key); !errors.Is(err, blob.ErrNotFound) {
		if err == nil {
			f.Close()
		}
		t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
	}
	for _, in := range list(t, s, "") {
		if in.Key == key {
			t.Errorf("List shows %q: %+v", key, in)
		}
	}
}

func list(t *testing.T, s blob.Store, prefix string) []blob.Info {
	t.Helper()
	var infos []blob.Info
	for in, err := range s.List(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		infos = append(infos, in)
	}
	slices.SortFunc(infos, func(a, b blob.Info) int { return strings.Compare(a.Key, b.Key) })
	return infos
}

func keys(infos []blob.Info) []string {
	var ks []string
	for _, in := range infos {
		ks = append(ks, in.Key)
	}
	return ks
}

// removeUncommitted returns what RemoveUncommitted removes of the writes
// begun up to a minute from now.
func removeUncommitted(t *testing.T, s blob.Store) int {
	t.Helper()
	n, err := s.RemoveUncommitted(context.Background(), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatalf("RemoveUncommitted: %v", err)
	}
	return n
}

// inWindow reports whether tm lies between from and to, give or take the
// second that HTTP dates round to.
func inWindow(tm, from, to time.Time) bool {
	return !tm.Before(from.Add(-2*time.Second)) && !tm.After(to.Add(2*time.Second))
}

func testCommit(t *testing.T, s blob.Store) {
	ctx := context.Background()
	start := time.Now()
	const key = "documents/5d6b0c27-1e4f-4b7a-9c3d-0a1b2c3d4e5f.json"
	p := Data(1, 300<<10+17)
	w, err := s.Create(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	write(t, w, p, 4000)
	absent(t, s, key) // written, not committed
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if want := (jobs.Blob{Key: key, Size: int64(len(p)), SHA256: sum(p)}); b != want {
		t.Errorf("Commit = %+v, want %+v", b, want)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Commit: no error")
	}
	if _, err := w.Commit(); err == nil {
		t.Error("second Commit: no error")
	}
	check(t, s, key, p)
	f, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if mt := f.ModTime(); !inWindow(mt, start, time.Now()) {
		t.Errorf("ModTime %v, not between %v and now", mt, start)
	}
	f.Close()
	infos := list(t, s, "documents/")
	if len(infos) != 1 || infos[0].Key != key || infos[0].Size != int64(len(p)) || !inWindow(infos[0].ModTime, start, time.Now()) {
		t.Errorf("List(documents/) = %+v", infos)
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	b := put(t, s, "artifacts/1/empty.csv", nil)
	if b.Size != 0 || b.SHA256 != sum(nil) {
		t.Errorf("Commit = %+v", b)
	}
	check(t, s, b.Key, []byte{})
	f, err := s.Open(context.Background(), b.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := f.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read of an empty blob = %d, %v", n, err)
	}
	if n, err := f.ReadAt(make([]byte, 10), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt of an empty blob = %d, %v", n, err)
	}
}

func testAbort(t *testing.T, s blob.Store) {
	ctx := context.Background()
	old := Data(2, 1000)
	put(t, s, "artifacts/7/x.pdf", old)
	for _, key := range []string{"artifacts/7/x.pdf", "artifacts/7/y.pdf"} {
		w, err := s.Create(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		write(t, w, Data(3, Big), 1<<20)
		if err := w.Abort(); err != nil {
			t.Errorf("Abort: %v", err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("second Abort: %v", err)
		}
		if _, err := w.Write([]byte("x")); err == nil {
			t.Error("Write after Abort: no error")
		}
		if _, err := w.Commit(); err == nil {
			t.Error("Commit after Abort: no error")
		}
	}
	check(t, s, "artifacts/7/x.pdf", old)
	absent(t, s, "artifacts/7/y.pdf")
	if got := keys(list(t, s, "")); !slices.Equal(got, []string{"artifacts/7/x.pdf"}) {
		t.Errorf("List after Abort = %q", got)
	}
	if n := removeUncommitted(t, s); n != 0 {
		t.Errorf("RemoveUncommitted after Abort removed %d writes", n)
	}
}

func testReplace(t *testing.T, s blob.Store) {
	ctx := context.Background()
	const key = "artifacts/3/report.xlsx"
	a, b := Data(4, 2<<20+5), Data(5, 1<<20+9)
	put(t, s, key, a)
	fa, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	put(t, s, key, b)
	check(t, s, key, b)
	// A reader opened before reads the old blob whole, or fails.
	if got, err := io.ReadAll(fa); err == nil && !bytes.Equal(got, a) {
		t.Errorf("a reader opened before the replacement read %d bytes, not the old %d", len(got), len(a))
	}

	// Of two writers, the one committed last wins, whole.
	w1, err := s.Create(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Abort()
	w2, err := s.Create(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Abort()
	c1, c2 := Data(6, 100<<10), Data(7, 200<<10)
	write(t, w1, c1[:50<<10], 1000)
	write(t, w2, c2, 3000)
	write(t, w1, c1[50<<10:], 7000)
	if _, err := w2.Commit(); err != nil {
		t.Fatal(err)
	}
	check(t, s, key, c2)
	if _, err := w1.Commit(); err != nil {
		t.Fatal(err)
	}
	check(t, s, key, c1)
	if got := keys(list(t, s, "")); !slices.Equal(got, []string{key}) {
		t.Errorf("List = %q", got)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	b := put(t, s, "documents/d.json", []byte(`{"elements":[]}`))
	put(t, s, "documents/e.json", []byte(`{}`))
	if err := s.Delete(ctx, b.Key); err != nil {
		t.Fatal(err)
	}
	absent(t, s, b.Key)
	check(t, s, "documents/e.json", []byte(`{}`))
	for _, k := range []string{b.Key, "documents/never.json", "no/such/dir/x"} {
		if err := s.Delete(ctx, k); err != nil {
			t.Errorf("Delete(%q) of a missing blob: %v", k, err)
		}
	}
	if got := keys(list(t, s, "")); !slices.Equal(got, []string{"documents/e.json"}) {
		t.Errorf("List = %q", got)
	}
	// A key that is only a prefix of others is not a blob.
	if _, err := s.Open(ctx, "documents"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(documents) = %v, want ErrNotFound", err)
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	put(t, s, "a/b", []byte("x"))
	for _, k := range []string{"", "../x", "a/../b", "/abs", "a//b", "a/", ".tmp/x", ".x", "a b", "a\\b", "a/.b", "é"} {
		if w, err := s.Create(ctx, k); err == nil {
			w.Abort()
			t.Errorf("Create(%q): no error", k)
		}
		if f, err := s.Open(ctx, k); err == nil || errors.Is(err, blob.ErrNotFound) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q) = %v, want an invalid-key error", k, err)
		}
		if err := s.Delete(ctx, k); err == nil {
			t.Errorf("Delete(%q): no error", k)
		}
	}
	for _, p := range []string{"../", "/", "/a", "a//", "a/../b/", "../a"} {
		n := 0
		var last error
		for _, err := range s.List(ctx, p) {
			n++
			last = err
		}
		if n != 1 || last == nil {
			t.Errorf("List(%q) yielded %d values, the last error %v; want one error", p, n, last)
		}
	}
	check(t, s, "a/b", []byte("x"))
}

func testRange(t *testing.T, s blob.Store) {
	ctx := context.Background()
	p := Data(8, 5<<20+123)
	b := put(t, s, "artifacts/9/big.csv", p)
	f, err := s.Open(ctx, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(p)) {
		t.Fatalf("Size = %d, want %d", f.Size(), len(p))
	}
	readAt := func(off int64, whence, n int, wantOff int64) {
		t.Helper()
		got, err := f.Seek(off, whence)
		if err != nil || got != wantOff {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", off, whence, got, err, wantOff)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(f, buf); err != nil {
			t.Fatalf("reading %d bytes at %d: %v", n, wantOff, err)
		}
		if !bytes.Equal(buf, p[wantOff:wantOff+int64(n)]) {
			t.Errorf("%d bytes at %d differ", n, wantOff)
		}
	}
	readAt(1<<20+7, io.SeekStart, 1000, 1<<20+7)
	readAt(0, io.SeekStart, 10, 0)
	readAt(2<<20, io.SeekCurrent, 3<<20, 2<<20+10)
	readAt(-4096, io.SeekEnd, 4096, int64(len(p))-4096)
	if n, err := f.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
	readAt(3, io.SeekStart, 5, 3) // reading again after EOF

	// ReadAt, also through a SectionReader, and in parallel; none of it
	// moves the offset of Read.
	sr := io.NewSectionReader(f, 4<<20-11, 1<<20)
	got, err := io.ReadAll(sr)
	if err != nil || !bytes.Equal(got, p[4<<20-11:5<<20-11]) {
		t.Errorf("SectionReader: %d bytes, %v", len(got), err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			off := int64(i) << 20
			buf := make([]byte, 100<<10)
			if n, err := f.ReadAt(buf, off); n != len(buf) || err != nil || !bytes.Equal(buf, p[off:off+int64(len(buf))]) {
				t.Errorf("ReadAt(%d bytes, %d) = %d, %v", len(buf), off, n, err)
			}
		})
	}
	wg.Wait()
	buf := make([]byte, 1000)
	n, err := f.ReadAt(buf, int64(len(p))-300)
	if n != 300 || err != io.EOF || !bytes.Equal(buf[:n], p[len(p)-300:]) {
		t.Errorf("ReadAt across the end = %d, %v; want 300, EOF", n, err)
	}
	if n, err := f.ReadAt(buf, int64(len(p))); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v; want 0, EOF", n, err)
	}
	// After ReadAt has reached the end, Read goes on from its own offset.
	buf = make([]byte, 5)
	if _, err := io.ReadFull(f, buf); err != nil || !bytes.Equal(buf, p[8:13]) {
		t.Errorf("Read after ReadAt at the end: %q, %v", buf, err)
	}
	if _, err := f.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to a negative offset: no error")
	}
	rest, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(rest, p[13:]) {
		t.Errorf("reading the rest: %d bytes, %v", len(rest), err)
	}
}

func testServeContent(t *testing.T, s blob.Store) {
	p := Data(9, 3<<20+1)
	b := put(t, s, "artifacts/4/report.pdf", p)
	serve := func(rng string) *http.Response {
		t.Helper()
		f, err := s.Open(context.Background(), b.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := httptest.NewRequest("GET", "/x", nil)
		if rng != "" {
			r.Header.Set("Range", rng)
		}
		w := httptest.NewRecorder()
		http.ServeContent(w, r, "report.pdf", f.ModTime(), f)
		return w.Result()
	}
	for _, tc := range []struct {
		rng      string
		from, to int
	}{
		{"", 0, len(p)},
		{"bytes=1000-1999", 1000, 2000},
		{"bytes=-500", len(p) - 500, len(p)},
		{"bytes=3145000-", 3145000, len(p)},
	} {
		res := serve(tc.rng)
		got, _ := io.ReadAll(res.Body)
		want := http.StatusPartialContent
		if tc.rng == "" {
			want = http.StatusOK
		}
		if res.StatusCode != want || !bytes.Equal(got, p[tc.from:tc.to]) {
			t.Errorf("Range %q: %s, %d bytes; want %d, bytes %d to %d", tc.rng, res.Status, len(got), want, tc.from, tc.to)
		}
	}
	res := serve("bytes=0-9,2000000-2000009")
	mt, params, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if res.StatusCode != http.StatusPartialContent || mt != "multipart/byteranges" {
		t.Fatalf("two ranges: %s, %s", res.Status, mt)
	}
	mr := multipart.NewReader(res.Body, params["boundary"])
	for _, off := range []int{0, 2000000} {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(part)
		if !bytes.Equal(got, p[off:off+10]) {
			t.Errorf("range at %d: %x", off, got)
		}
	}
}

func testList(t *testing.T, s blob.Store) {
	ctx := context.Background()
	want := map[string]int{
		"documents/a.json":    10,
		"documents/b.json":    20,
		"artifacts/1/csv.csv": 30,
		"artifacts/12/x.pdf":  40,
		"artifacts/2/x.md":    50,
		"artifacts.json":      60,
	}
	for k, n := range want {
		put(t, s, k, Data(uint64(n), n))
	}
	w, err := s.Create(ctx, "artifacts/1/pending.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	write(t, w, Data(1, 100), 100)
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"artifacts.json", "artifacts/1/csv.csv", "artifacts/12/x.pdf", "artifacts/2/x.md", "documents/a.json", "documents/b.json"}},
		{"artifacts/1", []string{"artifacts/1/csv.csv", "artifacts/12/x.pdf"}},
		{"artifacts/1/", []string{"artifacts/1/csv.csv"}},
		{"artifacts", []string{"artifacts.json", "artifacts/1/csv.csv", "artifacts/12/x.pdf", "artifacts/2/x.md"}},
		{"documents/b", []string{"documents/b.json"}},
		{"documents/b.json", []string{"documents/b.json"}},
		{"documents/b.json/", nil},
		{"nothing/", nil},
		{"z", nil},
	} {
		infos := list(t, s, tc.prefix)
		if got := keys(infos); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
		for _, in := range infos {
			if in.Size != int64(want[in.Key]) {
				t.Errorf("List(%q): %s has size %d, want %d", tc.prefix, in.Key, in.Size, want[in.Key])
			}
		}
	}
	n := 0
	for _, err := range s.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	var last error
	for _, err := range s.List(cctx, "") {
		last = err
	}
	if last == nil {
		t.Error("List with a cancelled context: no error")
	}
}

func testConcurrentWriters(t *testing.T, s blob.Store) {
	const writers = 8
	datas := make([][]byte, writers)
	var wg sync.WaitGroup
	for i := range writers {
		datas[i] = Data(uint64(100+i), 300<<10+i)
		wg.Go(func() {
			w, err := s.Create(context.Background(), fmt.Sprintf("artifacts/%d/out.html", i))
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Abort()
			p := datas[i]
			for len(p) > 0 {
				n := min(len(p), 1000+i*977)
				if _, err := w.Write(p[:n]); err != nil {
					t.Error(err)
					return
				}
				p = p[n:]
			}
			b, err := w.Commit()
			if err != nil {
				t.Error(err)
				return
			}
			if b.SHA256 != sum(datas[i]) || b.Size != int64(len(datas[i])) {
				t.Errorf("writer %d: %+v", i, b)
			}
		})
	}
	wg.Wait()
	for i := range writers {
		check(t, s, fmt.Sprintf("artifacts/%d/out.html", i), datas[i])
	}
	if n := len(list(t, s, "artifacts/")); n != writers {
		t.Errorf("List shows %d blobs, want %d", n, writers)
	}
}

func testMultipart(t *testing.T, s blob.Store) {
	p := Data(10, Big)
	w, err := s.Create(context.Background(), "artifacts/5/big.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	write(t, w, p[:100], 100)
	write(t, w, p[100:9<<20], 3<<20+1) // pieces that straddle part boundaries
	write(t, w, p[9<<20:], 64<<10)
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if b.Size != int64(len(p)) || b.SHA256 != sum(p) {
		t.Errorf("Commit = %+v, want size %d, sha256 %s", b, len(p), sum(p))
	}
	check(t, s, b.Key, p)
	if n := removeUncommitted(t, s); n != 0 {
		t.Errorf("RemoveUncommitted after Commit removed %d writes", n)
	}
}

func testCancel(t *testing.T, s blob.Store) {
	for i, n := range []int{1000, 1000, 10 << 20, 10 << 20} {
		key := fmt.Sprintf("artifacts/6/%d.pdf", i)
		ctx, cancel := context.WithCancel(context.Background())
		w, err := s.Create(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		write(t, w, Data(11, n), 64<<10)
		cancel()
		if i%2 == 1 {
			w.Write(Data(12, 1<<20)) // may fail or not
		}
		if _, err := w.Commit(); err == nil {
			t.Errorf("%d bytes: Commit after the context was cancelled: no error", n)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after a failed Commit: %v", err)
		}
		absent(t, s, key)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if w, err := s.Create(ctx, "artifacts/6/x"); err == nil {
		if _, err := w.Commit(); err == nil {
			t.Error("Create and Commit with a cancelled context: no error")
		}
		w.Abort()
	}
	absent(t, s, "artifacts/6/x")
	if n := removeUncommitted(t, s); n != 0 {
		t.Errorf("RemoveUncommitted after cancelled writes removed %d", n)
	}
}

func testRemoveUncommitted(t *testing.T, s blob.Store) {
	ctx := context.Background()
	put(t, s, "documents/kept.json", []byte("{}"))
	began := time.Now()
	// A write interrupted as by a crash: neither committed nor aborted. It
	// is big enough for a store that uploads in parts to have begun.
	w, err := s.Create(ctx, "artifacts/8/interrupted.pdf")
	if err != nil {
		t.Fatal(err)
	}
	write(t, w, Data(13, 20<<20), 1<<20)
	if n, err := s.RemoveUncommitted(ctx, began.Add(-time.Minute)); n != 0 || err != nil {
		t.Errorf("RemoveUncommitted of writes begun before this one = %d, %v; want 0", n, err)
	}
	if n := removeUncommitted(t, s); n != 1 {
		t.Errorf("RemoveUncommitted removed %d writes, want 1", n)
	}
	if _, err := w.Commit(); err == nil {
		t.Error("Commit of a removed write: no error")
	}
	w.Abort()
	absent(t, s, "artifacts/8/interrupted.pdf")
	if n := removeUncommitted(t, s); n != 0 {
		t.Errorf("second RemoveUncommitted removed %d writes", n)
	}
	check(t, s, "documents/kept.json", []byte("{}"))

	// A write that began before the time given but is not removed goes on.
	w, err = s.Create(ctx, "artifacts/8/later.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	p := Data(14, 9<<20)
	write(t, w, p, 1<<20)
	if n, err := s.RemoveUncommitted(ctx, began.Add(-time.Minute)); n != 0 || err != nil {
		t.Errorf("RemoveUncommitted = %d, %v; want 0", n, err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	check(t, s, "artifacts/8/later.pdf", p)
}
