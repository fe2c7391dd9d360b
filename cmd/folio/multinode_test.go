package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"

	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/internal/s3test"
)

// TestMain gives the tests a private PostgreSQL (see internal/pgtest) and,
// for those that ask, versitygw (see gateway).
func TestMain(m *testing.M) {
	code := pgtest.Main(m, "cmd/folio")
	gateways.Stop()
	os.Exit(code)
}

var (
	gateways s3test.Lazy // versitygw, for the tests that ask (gateway)
	binOnce  sync.Once
	binPath  string
	binErr   error
)

// gateway returns the versitygw of the tests, started at the first call,
// and a prefix of the test bucket of the caller's own.
func gateway(t *testing.T) (*s3test.Gateway, string) { return gateways.Get(t) }

// folioBinary builds the folio binary once for the tests that run it.
func folioBinary(t *testing.T) string {
	binOnce.Do(func() {
		var dir string
		if dir, binErr = os.MkdirTemp("", "folio-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(dir, "folio")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// A cluster is folio servers sharing one database and one bucket prefix.
type cluster struct {
	t      *testing.T
	bin    string
	dsn    string
	gw     *s3test.Gateway
	prefix string
	lease  time.Duration
	nodes  []*clusterNode
	dir    string
	args   []string // more arguments of every server
}

type clusterNode struct {
	name string
	addr string
	srv  *testServer
	logs []string // the logs of its earlier runs (restarts)
	dead bool
}

func newCluster(t *testing.T, n int, lease time.Duration, args ...string) *cluster {
	if testing.Short() {
		t.Skip("slow: runs several real servers")
	}
	g, prefix := gateway(t)
	c := &cluster{t: t, bin: folioBinary(t), dsn: pgtest.Fresh(t), gw: g, prefix: prefix, lease: lease, dir: t.TempDir(), args: args}
	for i := range n {
		nd := &clusterNode{name: fmt.Sprintf("n%d", i+1), addr: freeAddr(t)}
		c.nodes = append(c.nodes, nd)
	}
	if dir := os.Getenv("FOLIO_TEST_LOGS"); dir != "" {
		// Keep each server's log, to read after the test.
		t.Cleanup(func() {
			for _, nd := range c.nodes {
				os.WriteFile(filepath.Join(dir, t.Name()+"-"+nd.name+".log"), []byte(nd.log()), 0o644)
			}
		})
	}
	// Start them together: they migrate at once, under the locks.
	var wg sync.WaitGroup
	for _, nd := range c.nodes {
		wg.Go(func() { c.start(nd) })
	}
	wg.Wait()
	return c
}

func (c *cluster) start(nd *clusterNode) {
	nd.srv = startServe(c.t, c.bin, nd.addr, append([]string{"--database", c.dsn, "--blobs", "s3://" + s3test.Bucket + "/" + c.prefix,
		"--node", nd.name, "--lease", c.lease.String(), "--workers", "2", "--data", filepath.Join(c.dir, nd.name)}, c.args...), c.gw.Env())
	nd.dead = false
}

// log returns everything the node logged, over its restarts.
func (nd *clusterNode) log() string { return strings.Join(nd.logs, "") + nd.srv.log.String() }

func (c *cluster) live() []*clusterNode {
	var out []*clusterNode
	for _, nd := range c.nodes {
		if !nd.dead {
			out = append(out, nd)
		}
	}
	return out
}

func (c *cluster) db(t *testing.T) *pgx.Conn {
	conn, err := pgx.Connect(context.Background(), c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// post posts the document at path asking for formats to nd, and returns
// the job's ID.
func (c *cluster) post(t *testing.T, nd *clusterNode, path string, formats []string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	req, _ := http.NewRequest("POST", nd.srv.base+"/jobs?formats="+strings.Join(formats, ","), f)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 202 {
		return 0, fmt.Errorf("POST to %s: %d %s", nd.name, res.StatusCode, b)
	}
	m := regexp.MustCompile(`"id":(\d+)`).FindSubmatch(b)
	id, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return id, nil
}

// download returns the SHA-256 of job id's content in format through nd,
// and its status.
func download(t *testing.T, nd *clusterNode, id int64, format string) (string, int) {
	res := nd.srv.get(t, fmt.Sprintf("/jobs/%d/content?format=%s", id, format))
	defer res.Body.Close()
	h := sha256.New()
	io.Copy(h, res.Body)
	return hex.EncodeToString(h.Sum(nil)), res.StatusCode
}

// waitAll waits until every job in ids is final in the database, and
// returns the statuses.
func (c *cluster) waitAll(t *testing.T, conn *pgx.Conn, ids []int64, d time.Duration) map[int64]string {
	deadline := time.Now().Add(d)
	for {
		got := map[int64]string{}
		rows, err := conn.Query(context.Background(), "SELECT id, status FROM folio_job WHERE id = ANY($1)", ids)
		if err != nil {
			t.Fatal(err)
		}
		final := 0
		for rows.Next() {
			var id int64
			var st string
			rows.Scan(&id, &st)
			got[id] = st
			if st != "request_received" && st != "ready_to_process" && st != "processing" {
				final++
			}
		}
		rows.Close()
		if final == len(ids) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d jobs are final: %v", d, final, len(ids), got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var renderedRE = regexp.MustCompile(`msg="format rendered" job=(\d+) attempt=\d+ node=(\S+) format=(\S+) bytes=\d+ sha256=([0-9a-f]+)`)

// renders returns, by job and format, the node and SHA-256 of every
// render ahead logged by the nodes.
func (c *cluster) renders() map[string][][2]string {
	out := map[string][][2]string{}
	for _, nd := range c.nodes {
		for _, m := range renderedRE.FindAllStringSubmatch(nd.log(), -1) {
			k := m[1] + "/" + m[3]
			out[k] = append(out[k], [2]string{m[2], m[4]})
		}
	}
	return out
}

// checkBucket checks that the prefix holds only the documents and
// artifacts the jobs name, and no incomplete multipart upload (S3 writes
// no temporary objects: an object appears when its PUT or upload
// completes).
func (c *cluster) checkBucket(t *testing.T, conn *pgx.Conn) {
	ctx := context.Background()
	want := map[string]bool{}
	rows, err := conn.Query(ctx, `SELECT convert_from(document, 'UTF8')::jsonb->>'Key' FROM folio_job WHERE document IS NOT NULL
		UNION ALL SELECT a.value->>'Key' FROM folio_job, jsonb_each(convert_from(artifacts, 'UTF8')::jsonb) a`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		want[c.prefix+"/"+k] = true
	}
	rows.Close()
	mc, err := c.gw.Client()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for o := range mc.ListObjects(ctx, s3test.Bucket, minio.ListObjectsOptions{Prefix: c.prefix + "/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if !want[o.Key] {
			t.Errorf("object %s is named by no job", o.Key)
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("%d objects under the prefix; the jobs name %d", seen, len(want))
	}
	// A canary: the listing must show an upload begun now, so that
	// showing no other means none is left.
	core := minio.Core{Client: mc}
	canary := c.prefix + "/canary"
	id, err := core.NewMultipartUpload(ctx, s3test.Bucket, canary, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer core.AbortMultipartUpload(ctx, s3test.Bucket, canary, id)
	found := false
	for u := range mc.ListIncompleteUploads(ctx, s3test.Bucket, c.prefix+"/", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		if u.Key == canary && u.UploadID == id {
			found = true
			continue
		}
		t.Errorf("an incomplete upload is left: %s (%s)", u.Key, u.UploadID)
	}
	if !found {
		t.Errorf("the listing of incomplete uploads does not show one begun at %s: it cannot show those left", canary)
	}
}

// multiFormats are the format sets of the jobs, in turn.
var multiFormats = [][]string{{"csv", "json", "md"}, {"xlsx", "html"}, {"pdf", "csv"}, {"json", "xlsx", "pdf"}, {"md", "html", "csv"}}

// TestMultiNode runs three servers on one PostgreSQL database and one S3
// bucket: 30 jobs posted round-robin, one server killed (SIGKILL) while it
// provably renders. Every job completes within the lease and the time to
// render; every artifact, downloaded through another server than the one
// that rendered it, equals a fresh local render; no format is rendered to
// completion twice; a format no job rendered ahead, asked of two servers
// at once, is rendered once; nothing is left in the bucket that no job
// names. FOLIO_MULTINODE_LEASE sets the lease (default 2s).
func TestMultiNode(t *testing.T) {
	lease := 2 * time.Second
	if v := os.Getenv("FOLIO_MULTINODE_LEASE"); v != "" {
		lease, _ = time.ParseDuration(v)
	}
	began := time.Now()
	c := newCluster(t, 3, lease)
	conn := c.db(t)
	ctx := context.Background()
	t.Logf("3 servers up in %s", time.Since(began).Round(time.Millisecond))

	// The documents and their fresh renders.
	type jobDoc struct {
		path    string
		formats []string
	}
	docs := map[int64]jobDoc{}
	want := map[string]string{} // path/format → SHA-256
	var ids []int64
	paths := make([]string, 30)
	for i := range paths {
		paths[i] = filepath.Join(c.dir, fmt.Sprintf("doc%d.json", i))
		writeBigDocument(t, paths[i], 600+53*i)
	}

	// Kill n3 while it renders a format, once a third of the jobs are
	// posted: seen in the database before the kill and after it,
	// processing on n3 with a render's try counted (BeginRender counts it,
	// AddArtifact gives it back).
	victim := c.nodes[2]
	const rendering = `status = 'processing' AND owner = $1 AND convert_from(tries, 'UTF8') <> '{}'`
	var nposted atomic.Int32
	var isDead atomic.Bool
	type kill struct {
		id    int64
		at    time.Time
		pct   float64
		tries []byte
		err   error
	}
	kills := make(chan kill, 1)
	watch := c.db(t)
	go func() {
		deadline := time.Now().Add(40 * time.Second)
		for {
			var id int64
			if nposted.Load() >= 10 {
				err := watch.QueryRow(ctx, `SELECT id FROM folio_job WHERE `+rendering+` ORDER BY id LIMIT 1`, []byte(victim.name)).Scan(&id)
				if err != nil && err != pgx.ErrNoRows {
					kills <- kill{err: err}
					return
				}
			}
			if id != 0 {
				victim.srv.cmd.Process.Kill()
				<-victim.srv.done
				k := kill{at: time.Now()}
				isDead.Store(true)
				// The dead server's jobs stay as it left them until its
				// lease runs out: the one seen may have finished between
				// the look and the kill, but any still rendering on n3
				// now was cut by the kill.
				err := watch.QueryRow(ctx, `SELECT id, percent, tries FROM folio_job WHERE `+rendering+` ORDER BY id LIMIT 1`,
					[]byte(victim.name)).Scan(&k.id, &k.pct, &k.tries)
				switch {
				case err == pgx.ErrNoRows:
					k.err = fmt.Errorf("after the kill no job is rendering on n3 (job %d was before it); the kill missed its render", id)
				case err != nil:
					k.err = err
				}
				kills <- k
				return
			}
			if time.Now().After(deadline) {
				kills <- kill{err: fmt.Errorf("n3 rendered nothing for 40 s")}
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	posted := time.Now()
	for i := range 30 {
		formats := multiFormats[i%len(multiFormats)]
		var id int64
		var err error
		for k := i; ; k++ { // a server that is down: the proxy sends the job to the next
			nd := c.nodes[k%3]
			if nd == victim && isDead.Load() {
				continue
			}
			if id, err = c.post(t, nd, paths[i], formats); err == nil || k >= i+3 {
				break
			}
			t.Logf("post to %s: %v", nd.name, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		nposted.Add(1)
		ids = append(ids, id)
		docs[id] = jobDoc{paths[i], formats}
	}
	t.Logf("30 jobs posted in %s", time.Since(posted).Round(time.Millisecond))
	k := <-kills
	if k.err != nil {
		t.Fatal(k.err)
	}
	victim.dead = true
	killed, killedAt := k.id, k.at
	var owner []byte
	// The jobs n3 was rendering or receiving (the first of them, at
	// least, unless a lease expired already).
	var victimJobs []int64
	rows, _ := conn.Query(ctx, "SELECT id FROM folio_job WHERE status IN ('processing', 'request_received') AND owner = $1", []byte(victim.name))
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		victimJobs = append(victimJobs, id)
	}
	rows.Close()
	t.Logf("killed n3 %s after the first post, while it rendered jobs %v (job %d at %.0f%%, tries %s)",
		killedAt.Sub(posted).Round(time.Millisecond), victimJobs, killed, k.pct*100, k.tries)

	// The killed server's jobs move once its lease expires (at most a
	// lease and a sweep interval, lease/3, after the kill), and complete.
	var moved time.Duration
	for {
		if err := conn.QueryRow(ctx, "SELECT owner FROM folio_job WHERE id = $1", killed).Scan(&owner); err != nil {
			t.Fatal(err)
		}
		if string(owner) != victim.name {
			moved = time.Since(killedAt)
			break
		}
		if time.Since(killedAt) > lease+lease/3+5*time.Second {
			t.Fatalf("job %d still owned by the killed server %s after the kill", killed, time.Since(killedAt))
		}
		time.Sleep(10 * time.Millisecond)
	}
	statuses := c.waitAll(t, conn, victimJobs, 30*time.Second)
	failover := time.Since(killedAt)
	t.Logf("n3's jobs moved %s and were final %s after the kill (lease %s)", moved.Round(time.Millisecond), failover.Round(time.Millisecond), lease)
	for id, st := range statuses {
		_, accepted := docs[id]
		if accepted && st != "complete" || !accepted && st != "fail_to_receive" {
			t.Errorf("job %d of the killed server (accepted: %v): %s", id, accepted, st)
		}
	}
	statuses = c.waitAll(t, conn, ids, 60*time.Second)
	t.Logf("all 30 jobs final %s after posting", time.Since(posted).Round(time.Millisecond))
	for _, id := range ids {
		if statuses[id] != "complete" {
			t.Errorf("job %d: %s", id, statuses[id])
		}
	}

	// Each format rendered to completion once; downloaded from another
	// server, it is the fresh render's bytes. (A render the killed server
	// recorded just before the kill may have lost its log line.)
	renders := c.renders()
	victimStarted := func(id int64) bool {
		return strings.Contains(victim.log(), fmt.Sprintf("msg=rendering job=%d ", id))
	}
	for _, id := range ids {
		d := docs[id]
		for _, f := range d.formats {
			k := d.path + "/" + f
			if want[k] == "" {
				want[k] = freshRender(t, d.path, f)
			}
			rs := renders[fmt.Sprintf("%d/%s", id, f)]
			by := victim.name // no line: the kill cut the killed server's last lines
			switch {
			case len(rs) == 0 && victimStarted(id):
			case len(rs) != 1:
				t.Errorf("job %d %s rendered %d times: %v", id, f, len(rs), rs)
				continue
			case rs[0][1] != want[k]:
				t.Errorf("job %d %s: rendered SHA-256 %s on %s, a fresh render %s", id, f, rs[0][1], rs[0][0], want[k])
			default:
				by = rs[0][0]
			}
			var via *clusterNode
			for _, nd := range c.live() {
				if nd.name != by {
					via = nd
					break
				}
			}
			got, code := download(t, via, id, f)
			if code != 200 || got != want[k] {
				t.Errorf("job %d %s rendered on %s, downloaded from %s: %d, SHA-256 %s, want %s", id, f, by, via.name, code, got, want[k])
			}
		}
	}
	for _, id := range ids {
		n := 0
		for _, nd := range c.nodes {
			n += strings.Count(nd.log(), fmt.Sprintf("msg=rendered job=%d ", id))
		}
		if n != 1 && !(n == 0 && victimStarted(id)) {
			t.Errorf("job %d was rendered to completion %d times", id, n)
		}
	}

	// A format not rendered ahead, asked of both live servers at once:
	// one render, the same bytes everywhere.
	extra := filepath.Join(c.dir, "extra.json")
	writeBigDocument(t, extra, 3000)
	eid, err := c.post(t, c.nodes[0], extra, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPDF := freshRender(t, extra, "pdf")
	var wg sync.WaitGroup
	for i := range 6 {
		nd := c.live()[i%2]
		wg.Go(func() {
			if got, code := download(t, nd, eid, "pdf"); code != 200 || got != wantPDF {
				t.Errorf("on-demand pdf from %s: %d, SHA-256 %s, want %s", nd.name, code, got, wantPDF)
			}
		})
	}
	wg.Wait()
	n := 0
	for _, nd := range c.nodes {
		n += strings.Count(nd.log(), fmt.Sprintf(`msg="rendered on download" job=%d format=pdf`, eid))
	}
	if n != 1 {
		t.Errorf("the on-demand pdf was rendered %d times by two servers asked at once; want 1", n)
	}

	for _, nd := range c.live() {
		nd.srv.stop(t)
	}
	var left int
	conn.QueryRow(ctx, "SELECT count(*) FROM folio_job WHERE status IN ('processing', 'ready_to_process', 'request_received')").Scan(&left)
	if left != 0 {
		t.Errorf("%d jobs unfinished at the end", left)
	}
	var leases int
	conn.QueryRow(ctx, "SELECT count(*) FROM folio_node").Scan(&leases)
	if leases != 0 {
		t.Errorf("%d node leases left after the live servers stopped and the dead one's was swept", leases)
	}
	c.checkBucket(t, conn)
	perNode := map[string]int{}
	for _, rs := range renders {
		for _, r := range rs {
			perNode[r[0]]++
		}
	}
	t.Logf("formats rendered ahead by node: %v", perNode)
	t.Logf("FIGURES lease=%s moved=%s complete=%s total=%s", lease, moved.Round(time.Millisecond), failover.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// TestRollingRestart restarts each of three servers in turn (SIGTERM
// while it renders, then a start under the same name) while jobs are
// posted to the others. The shutdown timeout is shorter than a render,
// so renders are cut and queued again. Every job accepted completes, each
// format is rendered to completion once, and none is left processing.
func TestRollingRestart(t *testing.T) {
	began := time.Now()
	c := newCluster(t, 3, 2*time.Second, "--shutdown-timeout", "100ms")
	conn := c.db(t)
	ctx := context.Background()
	path := filepath.Join(c.dir, "doc.json")
	writeBigDocument(t, path, 8000)
	var mu sync.Mutex
	var ids []int64
	var fmts [][]string
	var down atomic.Int32 // 1 + the index of the node being restarted, 0 if none
	stop := make(chan struct{})
	var posting sync.WaitGroup
	posting.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			k := i % 3
			if int(down.Load()) == k+1 {
				k = (k + 1) % 3 // the proxy sends it elsewhere
			}
			id, err := c.post(t, c.nodes[k], path, multiFormats[i%len(multiFormats)])
			if err != nil {
				t.Logf("post %d: %v", i, err)
				continue
			}
			mu.Lock()
			ids = append(ids, id)
			fmts = append(fmts, multiFormats[i%len(multiFormats)])
			mu.Unlock()
		}
	})
	time.Sleep(time.Second)
	posted := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(ids)
	}
	for k, nd := range c.nodes {
		before := posted()
		down.Store(int32(k + 1))
		time.Sleep(200 * time.Millisecond) // the proxy notices
		var rendering int64
		for deadline := time.Now().Add(10 * time.Second); rendering == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			conn.QueryRow(ctx, "SELECT id FROM folio_job WHERE status = 'processing' AND owner = $1 LIMIT 1", []byte(nd.name)).Scan(&rendering)
		}
		start := time.Now()
		if err := nd.srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-nd.srv.done:
			if err != nil {
				t.Errorf("%s exit after SIGTERM: %v", nd.name, err)
			}
		case <-time.After(40 * time.Second):
			t.Fatalf("%s did not stop within 40 s of SIGTERM", nd.name)
		}
		stopped := time.Since(start)
		nd.logs = append(nd.logs, nd.srv.log.String())
		c.start(nd)
		down.Store(0)
		t.Logf("%s stopped in %s while it rendered job %d, back after %s", nd.name, stopped.Round(time.Millisecond), rendering, time.Since(start).Round(time.Millisecond))
		time.Sleep(time.Second)
		// Jobs must flow while each server restarts; on a loaded machine
		// a post can take longer than the pause, so wait for one.
		for deadline := time.Now().Add(30 * time.Second); posted() == before && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if posted() == before {
			t.Errorf("no job posted while %s restarted", nd.name)
		}
	}
	close(stop)
	posting.Wait()
	mu.Lock()
	defer mu.Unlock()
	statuses := c.waitAll(t, conn, ids, 60*time.Second)
	want := map[string]string{}
	for _, f := range []string{"csv", "json", "md", "xlsx", "html", "pdf"} {
		want[f] = freshRender(t, path, f)
	}
	for i, id := range ids {
		if statuses[id] != "complete" {
			t.Errorf("job %d: %s", id, statuses[id])
			continue
		}
		for _, f := range fmts[i] {
			if got, code := download(t, c.nodes[(i+1)%3], id, f); code != 200 || got != want[f] {
				t.Errorf("job %d %s: %d, SHA-256 %s, want %s", id, f, code, got, want[f])
			}
		}
	}
	renders := c.renders()
	for k, rs := range renders {
		if len(rs) != 1 {
			t.Errorf("%s rendered %d times: %v", k, len(rs), rs)
		}
	}
	var resumed, cut int
	for _, nd := range c.nodes {
		resumed += strings.Count(nd.log(), `msg="resuming job"`)
		cut += strings.Count(nd.log(), `msg="render interrupted"`)
	}
	for _, nd := range c.nodes {
		nd.srv.stop(t)
	}
	var left int
	conn.QueryRow(ctx, "SELECT count(*) FROM folio_job WHERE status IN ('processing', 'ready_to_process', 'request_received')").Scan(&left)
	if left != 0 {
		t.Errorf("%d jobs unfinished at the end", left)
	}
	c.checkBucket(t, conn)
	t.Logf("FIGURES jobs=%d cut_by_shutdown=%d resumed=%d total=%s", len(ids), cut, resumed, time.Since(began).Round(time.Millisecond))
}
