// Package pflate writes a DEFLATE stream (RFC 1951) compressed on several
// cores, as pigz does: the input is cut into blocks of BlockSize bytes,
// each compressed on its own with the 32 KiB before it as its dictionary
// and ended with a sync flush (an empty stored block), so that the
// compressed blocks, written out in order, make one stream; the last
// block ends it.
//
// The blocks are cut at fixed offsets of the input, whatever the sizes of
// the writes and the number of workers, and each is compressed from its
// own bytes and dictionary alone: the same input gives the same bytes on
// one core or many. An input of at most one block is compressed exactly as
// one klauspost/compress flate.Writer at the same level compresses it.
package pflate

import (
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// BlockSize is how many bytes of input each block holds (the last may
// hold fewer).
const BlockSize = 1 << 20

// dictSize is DEFLATE's window: the most a match can reach back.
const dictSize = 32 << 10

// pieceSize is how much of the block being filled is handed to its
// compressor at a time, with more than one worker. The block is compressed
// as it fills, so that at Close only the last piece of the last block is
// left: otherwise the whole last block, up to BlockSize of input (about 5
// ms at level 5), was compressed after the last write, on one core, which
// a short stream (a worksheet of 10,000 rows is four blocks) felt and a
// long one did not. A flate.Writer gives the same bytes however its input
// is split into writes, so the pieces do not change the bytes.
const pieceSize = 128 << 10

// A Writer compresses what is written to it into its destination. It is
// not safe for concurrent use; its workers are goroutines of its own.
type Writer struct {
	dst     io.Writer
	level   int
	workers int

	cur    *block   // the block being filled, nil before the first write
	tail   []byte   // the last dictSize bytes of the block before cur
	queue  []*block // blocks handed to workers, oldest first
	free   []*block // finished blocks to reuse
	serial *flate.Writer
	err    error
	closed bool
	open   bool // the stream is left open: the last block ends with a sync flush
}

// A block is a piece of the input and, once compressed, its output.
type block struct {
	in    []byte // cap BlockSize
	dict  []byte
	final bool
	open  bool // final, but ended by a sync flush
	out   bytes.Buffer
	err   error
	done  chan struct{}

	// While the block fills (see pieceSize), in[:fed] has been handed to
	// fw, on goroutines that run one after the other: each waits for
	// last, which the one before it closes when it is done.
	fw   *flate.Writer
	fed  int
	last chan struct{}
}

var blocks = sync.Pool{New: func() any {
	return &block{in: make([]byte, 0, BlockSize), done: make(chan struct{}, 1)}
}}

// writers holds flate.Writers by level, to spare each block the
// allocation of one (over a megabyte of tables at the middle levels).
var writers sync.Map // int -> *sync.Pool

func getFlate(w io.Writer, level int) (*flate.Writer, error) {
	p, _ := writers.LoadOrStore(level, &sync.Pool{})
	if fw, ok := p.(*sync.Pool).Get().(*flate.Writer); ok {
		fw.Reset(w)
		return fw, nil
	}
	return flate.NewWriter(w, level)
}

func putFlate(fw *flate.Writer, level int) {
	fw.Reset(nil)
	p, _ := writers.Load(level)
	p.(*sync.Pool).Put(fw)
}

// NewWriter returns a Writer compressing into dst at level (-2 to 9, as
// flate.NewWriter takes them) on workers goroutines and the caller's;
// with workers of 1 or less it compresses on the caller's goroutine
// alone. The number of workers changes how fast it goes, never the bytes.
//
// Memory is bounded by the workers, not by the input: the block being
// filled (compressed in pieces as it fills) and at most workers+1 being
// compressed, a megabyte each and their output, and a flate.Writer for
// each (about a megabyte of tables at the middle levels).
func NewWriter(dst io.Writer, level, workers int) (*Writer, error) {
	fw, err := getFlate(nil, level)
	if err != nil {
		return nil, err
	}
	putFlate(fw, level)
	return &Writer{dst: fullWriter{dst}, level: level, workers: workers}, nil
}

// fullWriter makes a short write without an error one.
type fullWriter struct{ w io.Writer }

func (f fullWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

var errClosed = errors.New("pflate: write to a closed Writer")

// Write takes p for compression. The first error of the destination is
// returned by every later call.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errClosed
	}
	n := 0
	for len(p) > 0 {
		if w.err != nil {
			return n, w.err
		}
		if w.cur == nil {
			w.cur = w.newBlock()
		} else if len(w.cur.in) == BlockSize {
			// A full block is compressed only once more input comes, so
			// that the last block, full or not, is the final one.
			w.submit(false)
			w.cur = w.newBlock()
		}
		c := w.cur
		k := copy(c.in[len(c.in):cap(c.in)], p)
		c.in = c.in[:len(c.in)+k]
		p = p[k:]
		n += k
		if w.workers > 1 && len(c.in)-c.fed >= pieceSize && len(c.in) < BlockSize {
			w.feed(c)
		}
	}
	return n, w.err
}

// feed hands what b holds past b.fed to its compressor, on a goroutine
// that first waits for the piece before it. The first piece sets the
// compressor up with the block's dictionary, the end of the block before
// it, which is full by then.
func (w *Writer) feed(b *block) {
	if w.err != nil {
		return
	}
	if b.fw == nil {
		fw, err := getFlate(nil, w.level)
		if err != nil {
			w.err = err
			return
		}
		b.fw = fw
		b.dict = append(b.dict[:0], w.tail...)
	}
	first := b.fed == 0
	piece := b.in[b.fed:len(b.in)]
	b.fed = len(b.in)
	prev, next := b.last, make(chan struct{})
	b.last = next
	go func() {
		defer close(next)
		if prev != nil {
			<-prev
		}
		if first {
			reset(b.fw, &b.out, b.dict)
		}
		if b.err == nil {
			_, b.err = b.fw.Write(piece)
		}
	}()
}

// Close compresses what is left, ends the stream, waits for the workers
// and returns the first error. It does not close the destination.
func (w *Writer) Close() error { return w.close(false) }

// CloseOpen is Close, but leaves the DEFLATE stream open: its last block
// ends with a sync flush, as the others do, so that the output can be
// followed by more DEFLATE blocks (compressed on their own, with no
// dictionary) that end the stream.
func (w *Writer) CloseOpen() error { return w.close(true) }

func (w *Writer) close(open bool) error {
	if w.closed {
		return w.err
	}
	w.closed, w.open = true, open
	if w.cur == nil {
		w.cur = w.newBlock()
	}
	w.submit(true)
	w.cur = nil
	for len(w.queue) > 0 {
		w.writeOldest()
	}
	if w.serial != nil {
		putFlate(w.serial, w.level)
		w.serial = nil
	}
	for _, b := range w.free {
		blocks.Put(b)
	}
	w.free = nil
	return w.err
}

func (w *Writer) newBlock() *block {
	if n := len(w.free); n > 0 {
		b := w.free[n-1]
		w.free = w.free[:n-1]
		return b
	}
	return blocks.Get().(*block)
}

func (w *Writer) release(b *block) {
	b.in = b.in[:0]
	b.dict = b.dict[:0]
	b.out.Reset()
	b.final, b.open = false, false
	b.err = nil
	b.fed, b.last = 0, nil
	w.free = append(w.free, b)
}

// submit compresses w.cur, on the caller's goroutine when there is one
// worker or when it is the only block, else on a worker's; a block whose
// pieces are being compressed already (see feed) is finished after them.
func (w *Writer) submit(final bool) {
	b := w.cur
	b.final = final
	b.open = final && w.open
	if b.fw == nil {
		b.dict = append(b.dict[:0], w.tail...)
	}
	if !final {
		// Non-final blocks are full, so hold a whole window.
		w.tail = append(w.tail[:0], b.in[len(b.in)-dictSize:]...)
	}
	if w.err != nil {
		w.drop(b)
		return
	}
	if b.fw != nil {
		// Partly compressed already: the rest follows on the pieces'
		// goroutines, whatever the queue.
		for len(w.queue) > w.workers {
			w.writeOldest()
		}
		w.queue = append(w.queue, b)
		prev, rest := b.last, b.in[b.fed:]
		go func(level int) {
			<-prev
			err := b.err
			if err == nil {
				err = finish(b.fw, b, rest)
			}
			putFlate(b.fw, level)
			b.fw = nil
			b.err = err
			b.done <- struct{}{}
		}(w.level)
		return
	}
	if w.workers <= 1 || final && len(w.queue) == 0 {
		if w.serial == nil {
			fw, err := getFlate(nil, w.level)
			if err != nil {
				w.err = err
				w.release(b)
				return
			}
			w.serial = fw
		}
		w.err = compress(w.serial, w.dst, b)
		w.release(b)
		return
	}
	for len(w.queue) > w.workers {
		w.writeOldest()
	}
	w.queue = append(w.queue, b)
	go func(level int) {
		fw, err := getFlate(nil, level)
		if err == nil {
			err = compress(fw, &b.out, b)
			putFlate(fw, level)
		}
		b.err = err
		b.done <- struct{}{}
	}(w.level)
}

// drop releases b once the goroutines compressing its pieces, if any, are
// done with it.
func (w *Writer) drop(b *block) {
	if b.fw != nil {
		<-b.last
		putFlate(b.fw, w.level)
		b.fw = nil
	}
	w.release(b)
}

// writeOldest waits for the oldest block in the queue and writes its
// output to the destination.
func (w *Writer) writeOldest() {
	b := w.queue[0]
	w.queue = w.queue[1:]
	<-b.done
	if w.err == nil && b.err != nil {
		w.err = b.err
	}
	if w.err == nil {
		_, w.err = w.dst.Write(b.out.Bytes())
	}
	w.release(b)
}

// compress writes block b compressed by fw to dst: with b's dictionary,
// ended by a sync flush or, for the final block of a stream not left
// open, by the end of stream.
func compress(fw *flate.Writer, dst io.Writer, b *block) error {
	reset(fw, dst, b.dict)
	return finish(fw, b, b.in)
}

// reset makes fw a new Writer to dst with dictionary dict.
func reset(fw *flate.Writer, dst io.Writer, dict []byte) {
	if len(dict) > 0 {
		fw.ResetDict(dst, dict)
	} else {
		// ResetDict(nil) would still prime the encoder with an empty
		// dictionary; Reset after it makes fw exactly a new Writer.
		fw.ResetDict(nil, nil)
		fw.Reset(dst)
	}
}

// finish writes rest, the end of block b's input, to fw and ends the block.
func finish(fw *flate.Writer, b *block, rest []byte) error {
	if _, err := fw.Write(rest); err != nil {
		return err
	}
	if b.final && !b.open {
		return fw.Close()
	}
	return fw.Flush()
}
