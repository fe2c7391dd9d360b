package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/blob/blobtest"
	"github.com/foliorender/folio/blob/s3"
	"github.com/foliorender/folio/internal/s3test"
)

var (
	gw      *s3test.Gateway // the gateway of most tests, nil if none could start
	gwBin   string
	skipWhy string
)

// TestMain starts versitygw on a free loopback port, serving a temporary
// directory, with a test bucket. Without versitygw the tests skip, or fail
// when FOLIO_REQUIRE_TOOLS=1 (as CI sets).
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	gwBin, err = s3test.Find()
	var dir string
	if err == nil {
		dir, err = os.MkdirTemp("", "folio-s3-")
	}
	if err == nil {
		defer os.RemoveAll(dir)
		root := filepath.Join(dir, "root")
		if err = os.Mkdir(root, 0o700); err == nil {
			gw, err = s3test.Start(gwBin, root)
		}
	}
	if err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			fmt.Fprintln(os.Stderr, "blob/s3: cannot start versitygw (scripts/deps.sh installs it):", err)
			return 1
		}
		skipWhy = err.Error()
	} else {
		defer gw.Stop()
	}
	return m.Run()
}

func need(t testing.TB) {
	t.Helper()
	if gw == nil {
		t.Skipf("no S3 server: %s", skipWhy)
	}
}

var seq atomic.Int64

// newStore returns a store under a prefix of its own.
func newStore(t testing.TB, cfg func(*s3.Config)) *s3.Store {
	t.Helper()
	need(t)
	c := gw.Config(fmt.Sprintf("%s/%d", strings.ReplaceAll(t.Name(), "/", "-"), seq.Add(1)))
	if cfg != nil {
		cfg(&c)
	}
	s, err := s3.New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	need(t)
	t.Logf("versitygw %s (%s) at %s", s3test.Version(gwBin), gwBin, gw.Endpoint)
	blobtest.Run(t, func(t *testing.T) blob.Store { return newStore(t, nil) })
}

// TestPrefix checks that a store sees only its prefix, and that a prefix
// that is a string prefix of another does not see the other's blobs.
func TestPrefix(t *testing.T) {
	need(t)
	ctx := context.Background()
	a, err := s3.New(ctx, gw.Config("prefix/a"))
	if err != nil {
		t.Fatal(err)
	}
	ab, err := s3.New(ctx, gw.Config("/prefix/ab/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*s3.Store{a, ab} {
		w, _ := s.Create(ctx, "x")
		w.Write(blobtest.Data(1, 9<<20)) // an upload begun
		defer w.Abort()
	}
	w, _ := ab.Create(ctx, "k")
	io.WriteString(w, "ab")
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Open(ctx, "k"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("a store sees a blob of another prefix: %v", err)
	}
	for in, err := range a.List(ctx, "") {
		t.Errorf("List of an empty prefix: %+v, %v", in, err)
	}
	if n, err := a.RemoveUncommitted(ctx, time.Now().Add(time.Minute)); n != 1 || err != nil {
		t.Errorf("RemoveUncommitted = %d, %v; want 1, the store's own upload", n, err)
	}
	if n, err := ab.RemoveUncommitted(ctx, time.Now().Add(time.Minute)); n != 1 || err != nil {
		t.Errorf("RemoveUncommitted of the other prefix = %d, %v; want 1", n, err)
	}
}

func TestFromURL(t *testing.T) {
	need(t)
	ctx := context.Background()
	env := map[string]string{
		"FOLIO_S3_ENDPOINT":     gw.Endpoint,
		"FOLIO_S3_PATH_STYLE":   "true",
		"FOLIO_S3_REGION":       "us-east-1",
		"AWS_ACCESS_KEY_ID":     s3test.AccessKey,
		"AWS_SECRET_ACCESS_KEY": s3test.SecretKey,
	}
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s, err := s3.FromURL(ctx, "s3://"+s3test.Bucket+"/fromurl/x", getenv(env))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create(ctx, "documents/a.json")
	io.WriteString(w, "{}")
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// The same object through a store at the bucket's root.
	root, err := s3.FromURL(ctx, "s3://"+s3test.Bucket, getenv(env))
	if err != nil {
		t.Fatal(err)
	}
	f, err := root.Open(ctx, "fromurl/x/documents/a.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(f); string(got) != "{}" {
		t.Errorf("read %q through the bucket's root", got)
	}
	f.Close()

	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		url  string
		env  map[string]string
		want string
	}{
		{"http://" + s3test.Bucket + "/p", env, "not a URL s3://BUCKET/PREFIX"},
		{"s3:///p", env, "not a URL"},
		{"s3://" + s3test.Bucket + "/p?region=x", env, "not a URL"},
		{"s3://" + s3test.Bucket + "/a//b", env, "invalid prefix"},
		{"s3://" + s3test.Bucket + "/../b", env, "invalid prefix"},
		{"s3://" + s3test.Bucket, with("FOLIO_S3_PATH_STYLE", "yes please"), "FOLIO_S3_PATH_STYLE"},
		{"s3://" + s3test.Bucket, with("AWS_SECRET_ACCESS_KEY", ""), "no credentials"},
		{"s3://" + s3test.Bucket, with("AWS_SECRET_ACCESS_KEY", "wrong"), "bucket " + s3test.Bucket},
		{"s3://" + s3test.Bucket, with("FOLIO_S3_ENDPOINT", "127.0.0.1:1"), "not a URL such as"},
		{"s3://no-such-bucket", env, "no bucket no-such-bucket"},
	} {
		_, err := s3.FromURL(ctx, tc.url, getenv(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromURL(%q) = %v, want an error with %q", tc.url, err, tc.want)
		}
	}
}

// counter counts the response body bytes that reach the client, and the
// bytes that GETs asked for: a Range's length, or 1 TiB without a Range
// (the server sends what the socket takes, however little is read).
type counter struct {
	rt       http.RoundTripper
	n, asked atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == "GET" && r.URL.RawQuery == "" {
		var from, to int64
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &from, &to); err == nil {
			c.asked.Add(to - from + 1)
		} else {
			c.asked.Add(1 << 40)
		}
	}
	res, err := c.rt.RoundTrip(r)
	if res != nil {
		res.Body = &countingBody{res.Body, &c.n}
	}
	return res, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestRangeTransfer checks that reading part of a blob downloads about that
// part, not the whole object.
func TestRangeTransfer(t *testing.T) {
	cnt := &counter{rt: http.DefaultTransport.(*http.Transport).Clone()}
	s := newStore(t, func(c *s3.Config) { c.Transport = cnt })
	ctx := context.Background()
	p := blobtest.Data(3, blobtest.Big)
	w, _ := s.Create(ctx, "artifacts/1/big.pdf")
	w.Write(p)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	f, err := s.Open(ctx, "artifacts/1/big.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	measure := func(what string, max int64, fn func()) {
		t.Helper()
		before, asked := cnt.n.Load(), cnt.asked.Load()
		fn()
		if got := cnt.n.Load() - before; got > max {
			t.Errorf("%s downloaded %d bytes, more than %d", what, got, max)
		}
		if got := cnt.asked.Load() - asked; got > max {
			t.Errorf("%s asked for %d bytes, more than %d", what, got, max)
		}
	}
	measure("ServeContent of 1000 bytes", 1<<20, func() {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Range", "bytes=20000000-20000999")
		rec := httptest.NewRecorder()
		http.ServeContent(rec, r, "big.pdf", f.ModTime(), f)
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), p[20000000:20001000]) {
			t.Errorf("ServeContent: %d, %d bytes", rec.Code, rec.Body.Len())
		}
	})
	measure("ReadAt of 100 bytes", 100, func() {
		buf := make([]byte, 100)
		if _, err := f.ReadAt(buf, 12345678); err != nil || !bytes.Equal(buf, p[12345678:12345778]) {
			t.Errorf("ReadAt: %v", err)
		}
	})
	measure("reading it all", int64(len(p)), func() {
		f.Seek(0, io.SeekStart)
		got, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(got, p) {
			t.Errorf("ReadAll: %d bytes, %v", len(got), err)
		}
	})
}

// TestReplacedWhileOpen: S3 serves the new object to a File opened on the
// old one, which must fail rather than mix them.
func TestReplacedWhileOpen(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	put := func(p []byte) {
		w, _ := s.Create(ctx, "k")
		w.Write(p)
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	a := blobtest.Data(1, 3<<20)
	put(a)
	f, err := s.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(f, buf); err != nil || !bytes.Equal(buf, a[:1000]) {
		t.Fatalf("first read: %v", err)
	}
	put(blobtest.Data(2, 3<<20))
	rest, err := io.ReadAll(f)
	if err == nil || !strings.Contains(err.Error(), "replaced while open") {
		t.Errorf("reading on after a replacement: %d bytes, %v; want a replaced-while-open error", len(rest), err)
	}
	if _, err := f.ReadAt(buf, 0); err == nil {
		t.Error("ReadAt after a replacement: no error")
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	g, err := s.Open(ctx, "k")
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete: %v", err)
		g.Close()
	}
}

// TestWriterMemory writes 100 MB and checks that the writer allocated a
// bounded amount: its two parts, not the blob.
func TestWriterMemory(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	chunk := blobtest.Data(4, 64<<10)
	w, err := s.Create(ctx, "artifacts/1/huge.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 100 << 20 / len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("writing %d MB allocated %.1f MiB", b.Size>>20, float64(alloc)/(1<<20))
	if alloc > 48<<20 {
		t.Errorf("writing %d bytes allocated %d bytes; want at most 48 MiB (parts of 8 MiB)", b.Size, alloc)
	}
}

// TestFull runs a gateway on a 6 MiB tmpfs: a blob that does not fit is
// ErrFull, in one PUT or in parts, and leaves no upload behind.
func TestFull(t *testing.T) {
	need(t)
	root := t.TempDir()
	if os.Geteuid() != 0 {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatal("mounting a small tmpfs for the gateway needs root")
		}
		t.Skip("mounting a small tmpfs for the gateway needs root")
	}
	g, err := s3test.Start(gwBin, root, "unshare", "-m", "sh", "-c", `mount -t tmpfs -o size=6m tmpfs "$0" && exec "$@"`, root)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	ctx := context.Background()
	s, err := s3.New(ctx, g.Config(""))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{7 << 20, 20 << 20} {
		w, err := s.Create(ctx, "artifacts/1/big.pdf")
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Write(blobtest.Data(5, n))
		if err == nil {
			_, err = w.Commit()
		}
		w.Abort()
		if !errors.Is(err, blob.ErrFull) {
			t.Errorf("writing %d MiB to 6 MiB: %v; want ErrFull", n>>20, err)
		}
		if _, err := s.Open(ctx, "artifacts/1/big.pdf"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open after a full write: %v", err)
		}
		if n, err := s.RemoveUncommitted(ctx, time.Now().Add(time.Minute)); n != 0 || err != nil {
			t.Errorf("RemoveUncommitted after a full write = %d, %v; want 0", n, err)
		}
	}
	w, _ := s.Create(ctx, "artifacts/1/small.csv")
	w.Write(blobtest.Data(6, 1<<20))
	if _, err := w.Commit(); err != nil {
		t.Errorf("a small blob after the failures: %v", err)
	}
}

// BenchmarkWrite writes blobs of 200 MB in writes of 64 KiB, to the test
// gateway and, for comparison, to a Dir in the same temporary directory's
// file system, and reports the peak heap in use while writing and the
// process's peak RSS so far (VmHWM; run one at a time for the figure of
// one store: go test -run '^$' -bench 'Write/S3$' -benchtime 3x ./blob/s3/).
func BenchmarkWrite(b *testing.B) {
	for _, tc := range []struct {
		name  string
		store func(b *testing.B) blob.Store
	}{
		{"S3", func(b *testing.B) blob.Store { return newStore(b, nil) }},
		{"Dir", func(b *testing.B) blob.Store {
			d, err := blob.NewDir(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return d
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const size = 200 << 20
			s := tc.store(b)
			chunk := blobtest.Data(1, 64<<10)
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				t := time.NewTicker(5 * time.Millisecond)
				defer t.Stop()
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
					}
				}
			}()
			runtime.GC()
			b.SetBytes(size)
			for b.Loop() {
				w, err := s.Create(context.Background(), "artifacts/1/big.xlsx")
				if err != nil {
					b.Fatal(err)
				}
				for range size / len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			close(stop)
			<-sampled
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
			if hwm := vmHWM(); hwm > 0 {
				b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
			}
		})
	}
}

// vmHWM returns the peak resident set size of this process (not of the
// gateway, which /usr/bin/time would add), or 0 where /proc does not tell.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}
