package report

import (
	"runtime"
	"sync"
)

// The rows of a decoded table are decoded on a goroutine of their own while
// the caller of Table.Rows works on those before them, when GOMAXPROCS is
// more than 1: decoding and checking is most of what a CSV or HTML
// conversion costs, and the caller's rendering takes the rest, so the two
// overlap on two cores. Rows go over in batches, each with the cells and
// the text (an arena) of its rows, through a channel that holds
// pipeBatches of them; the caller hands a batch back once it has moved past
// its last row, and the decoding goroutine fills it again. Nothing is
// allocated per row, and what is held is bounded by the batches.
//
// Everything else is as it is without the pipeline: the caller sees the same
// rows, then the error that ended decoding, if any, so a violation in row N
// comes after rows 0 to N-1 and nothing after it. The goroutine runs only
// inside a call of the rows' loop: when the caller stops early (or panics),
// the loop stops the goroutine after the row it is decoding and waits for it
// before it returns, so the decoder's state is the loop's again (Document
// Elements then drains the rest of the rows on the caller's goroutine). The
// end of the rows, and the members of the table's data after them (footer,
// sourceBusinessObject), are read after the goroutine has ended, so that
// the goroutine writes nothing of the Table but its totals, which the caller
// reads only once the rows are done.
//
// Only the rows of a table are pipelined, and only when ReadOptions.Report
// is nil: Report must be called on the caller's goroutine, and a Report
// caller (schema.Validate) has no rendering to overlap with. Tables built
// with NewTable are not: their iterator may not be safe to run on another
// goroutine.
//
// The walker (rows.go) is handed a batch's storage: it resets rr.arena to
// rr.arena[:0] and appends a row's text to it, and appends the row's cells
// to rr.row.Cells[:0], so a row's values land in the batch, after those of
// the rows before it. A row whose text does not fit the rest of the arena
// is appended to an array of its own, and ends its batch.

const (
	// pipeBatches is how many full batches the channel holds; with the
	// batch being filled and the one being read, pipeBatches+2 exist.
	pipeBatches = 2
	// batchCells, batchRows and batchArena bound a batch: at most batchRows
	// rows and batchCells cells (one row at least), and the text of its rows
	// in batchArena bytes (a longer row has an array of its own).
	batchCells = 4096
	batchRows  = 512
	batchArena = 64 << 10
)

// A batch is rows decoded in a row, with the storage of their values. The
// storage grows as rows need it, up to the batch's bounds, so that a short
// table costs little; a row keeps the arrays its values are in when the
// batch moves to bigger ones.
type batch struct {
	rows  []Row
	max   int     // the most rows the batch takes for this table
	cells []Value // the next row's cells go at cells[nc:]
	nc    int
	arena []byte
	last  bool // decoding stopped after these rows: the end of the rows or d.err
}

// A pipe is the decoding goroutine of one table's rows and its channels.
type pipe struct {
	full     chan *batch // filled batches, in order; closed when the goroutine ends
	free     chan *batch // batches the caller is done with
	stop     chan struct{}
	stopped  bool
	panicked bool // the goroutine panicked with panicV
	panicV   any
	crashed  bool // close panicked with panicV
}

// pipelined reports whether rr's rows are decoded on a goroutine of their own.
func (rr *rowReader) pipelined() bool {
	return !rr.footer && rr.d.opts.Report == nil && runtime.GOMAXPROCS(0) > 1
}

// batchPool keeps batches, with the storage they grew, from one table's
// rows to the next document's: without it a document of 10,000 rows grew
// about 2.5 MB of them anew, a cost that a million rows do not notice and
// small documents do.
var batchPool sync.Pool

// batchesFor returns k of the decoder's batches, taken from batchPool or
// made as needed, set up for a table of n columns.
func (d *decoder) batchesFor(k, n int) []*batch {
	for len(d.batches) < k {
		b, _ := batchPool.Get().(*batch)
		if b == nil {
			b = &batch{}
		}
		d.batches = append(d.batches, b)
	}
	rows := min(batchRows, max(1, batchCells/max(n, 1)))
	for _, b := range d.batches[:k] {
		b.max = rows
	}
	return d.batches[:k]
}

// releaseBatches hands the decoder's batches back to batchPool, once the
// rows in them are done with, without the references to values they hold.
func (d *decoder) releaseBatches() {
	for _, b := range d.batches {
		clear(b.rows[:cap(b.rows)])
		clear(b.cells)
		b.rows, b.nc, b.arena, b.last = b.rows[:0], 0, b.arena[:0], false
		batchPool.Put(b)
	}
	clear(d.batches)
	d.batches = d.batches[:0]
}

// pipeline runs the loop of Table.Rows with decoding on a goroutine of its
// own. The first batch is filled on the caller's goroutine, so that a table
// that fits in one starts no goroutine. When the loop is over, however it
// ended, the batches go back to batchPool: a Row is valid only until the
// loop moves on. After a panic of the decoding goroutine they are left to
// the collector.
func (rr *rowReader) pipeline(yield func(Row, error) bool) {
	arena, cells := rr.arena[:0], rr.row.Cells[:0] // rr's own, for drain
	var p *pipe
	defer func() {
		rr.arena, rr.row.Cells = arena, cells
		if p == nil || !p.crashed {
			rr.d.releaseBatches()
		}
	}()
	n := len(rr.t.Columns)
	b := rr.d.batchesFor(1, n)[0]
	rr.fill(b, nil)
	if !b.last {
		bs := rr.d.batchesFor(pipeBatches+2, n)
		p = &pipe{full: make(chan *batch, pipeBatches), free: make(chan *batch, len(bs)), stop: make(chan struct{})}
		for _, fb := range bs[1:] {
			p.free <- fb
		}
		go p.run(rr)
		defer p.close()
	}
	for {
		for i := range b.rows {
			if !yield(b.rows[i], nil) {
				return
			}
		}
		if b.last {
			break
		}
		p.free <- b
		var ok bool
		if b, ok = <-p.full; !ok {
			break // the goroutine panicked: p.close panics again
		}
	}
	if p != nil {
		p.close()
	}
	rr.end()
	if rr.d.err != nil {
		yield(Row{}, rr.d.err)
	}
}

// run fills batches until the rows end, decoding ends or the caller stops.
func (p *pipe) run(rr *rowReader) {
	defer close(p.full)
	defer func() {
		if v := recover(); v != nil {
			p.panicked, p.panicV = true, v
		}
	}()
	for {
		var b *batch
		select {
		case b = <-p.free:
		case <-p.stop:
			return
		}
		if !rr.fill(b, p.stop) {
			return
		}
		select {
		case p.full <- b:
		case <-p.stop:
			return
		}
		if b.last {
			return
		}
	}
}

// close stops the goroutine, after the row it is decoding, and waits for it
// to end. A panic of the goroutine's is raised again here.
func (p *pipe) close() {
	if !p.stopped {
		p.stopped = true
		close(p.stop)
		for range p.full {
		}
	}
	if p.panicked {
		p.panicked, p.crashed = false, true
		panic(p.panicV)
	}
}

// fill decodes rows into b until it is full or decoding stops (b.last). It
// returns false, with b partly filled, when stop is closed.
func (rr *rowReader) fill(b *batch, stop <-chan struct{}) bool {
	n := len(rr.t.Columns)
	b.rows, b.nc, b.arena, b.last = b.rows[:0], 0, b.arena[:0], false
	for len(b.rows) < b.max {
		if b.nc+n > len(b.cells) {
			b.cells, b.nc = make([]Value, min(b.max*n, max(2*len(b.cells), 8*n))), 0
		}
		free := b.arena[len(b.arena):]
		if cap(free) < max(rr.maxRow, 1) {
			switch {
			case cap(b.arena) < batchArena:
				b.arena = make([]byte, 0, min(batchArena, max(2*cap(b.arena), 4<<10, 2*rr.maxRow)))
				free = b.arena
			case len(b.rows) > 0:
				return true
			}
		}
		select {
		case <-stop:
			return false
		default:
		}
		rr.arena, rr.row.Cells = free, b.cells[b.nc:b.nc:b.nc+n]
		row, ok := rr.step()
		if !ok {
			b.last = true
			return true
		}
		b.rows = append(b.rows, row)
		b.nc += n
		used := len(rr.arena)
		rr.maxRow = max(rr.maxRow, used)
		if cap(rr.arena) != cap(free) {
			return true // the row's text did not fit: it has an array of its own
		}
		b.arena = b.arena[:len(b.arena)+used]
	}
	return true
}
