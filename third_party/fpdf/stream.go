// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import (
	"fmt"
	"io"
)

// Stream makes f write each page to w soon after the page is complete
// (compressed, if compression is on, on another goroutine while the next
// page is drawn; written when the next page is complete, or at Output),
// instead of holding every page until Output. Output must
// then be called with the same w: it writes the rest of the document (fonts,
// images, templates, the catalog and the cross-reference table). Call Stream
// before the first page is added. An error writing to w becomes f's error.
//
// A page is final once written: SetPage cannot return to it; the page-count
// alias (AliasNbPages) and RegisterAlias do not apply to it (a template, whose
// bytes are taken at Output, can show the page count instead); an internal
// link on it must have its destination set (SetLink) before it is complete;
// and it cannot hold attachment annotations. The header is written with the
// first page and has the PDF version then in effect; a feature that needs a
// later version afterwards (an image with transparency, say) gets it through
// the catalog's /Version entry.
func (f *Fpdf) Stream(w io.Writer) {
	if f.page > 0 {
		f.SetErrorf("Stream must be called before the first page is added")
		return
	}
	f.stream = w
}

// offset returns the position in the output of the next byte written to
// f.buffer.
func (f *Fpdf) offset() int { return f.streamed + f.buffer.Len() }

// streamDepth is how many complete pages wait to be written, each
// compressed on a goroutine of its own meanwhile: with one, drawing waited
// for the page before whenever waking a processor for its compression took
// about as long as drawing a page.
const streamDepth = 4

// streamPage hands the page just completed to be written, and writes the
// header before the first one. The page's content is compressed on another
// goroutine while the next pages are drawn, and the page is written to
// f.stream once streamDepth pages after it are complete, or at Output
// (writePending); so the pages are written in order, each as putpages
// writes it, whatever the number of processors.
func (f *Fpdf) streamPage() {
	if f.stream == nil || f.err != nil || f.page <= f.pagesDone {
		return
	}
	if len(f.pageAttachments[f.page]) > 0 {
		f.SetErrorf("attachment annotations are not supported with Stream")
		return
	}
	for len(f.pending) >= streamDepth && f.err == nil {
		f.writeOldest()
	}
	if f.err != nil {
		return
	}
	if f.pagesDone == 0 {
		f.startObjStm()
		f.putheader()
		f.writeBuffer()
	}
	p := &pendingPage{n: f.page, version: f.pdfVersion}
	if f.useObjStm {
		// Numbered now, and its objects added to an object stream,
		// which, if that completes it, is compressed with the page.
		p.stm = f.stmPage(f.page, p.version)
		if f.err != nil {
			return
		}
	}
	f.pagesDone = f.page
	f.pending = append(f.pending, p)
	if f.compress {
		p.done = make(chan struct{})
		data := f.pages[f.page].Bytes() // not changed again: the page is final
		go func() {
			defer close(p.done)
			defer func() {
				if r := recover(); r != nil {
					p.err = fmt.Errorf("compressing page %d: %v", p.n, r)
				}
			}()
			p.mem = xmem.compress(data)
			if p.stm != nil {
				p.stmMem = xmem.compress(p.stm.data)
			}
		}()
	}
}

// A pendingPage is a page handed to be written: its number, the PDF
// version when it was complete, and its content compressed (mem, when done
// is closed).
type pendingPage struct {
	n       int
	version pdfVersion
	done    chan struct{}
	mem     *membuffer
	err     error
	// With object streams, the one the page completes, if any, and its
	// data compressed (stmMem).
	stm    *objStm
	stmMem *membuffer
}

// writePending writes the pages handed over and not written yet.
func (f *Fpdf) writePending() {
	for len(f.pending) > 0 {
		f.writeOldest()
	}
}

// writeOldest writes the first page of f.pending, once compressed, and
// forgets its content.
func (f *Fpdf) writeOldest() {
	p := f.pending[0]
	if p.done != nil {
		<-p.done
	}
	f.pending[0] = nil
	f.pending = f.pending[1:]
	if p.err != nil {
		if f.err == nil {
			f.err = p.err
		}
		return
	}
	if f.err != nil {
		return
	}
	f.putpage(p.n, p)
	if p.mem != nil {
		p.mem.release()
	}
	if p.stmMem != nil {
		p.stmMem.release()
	}
	buf := f.pages[p.n]
	buf.Reset()
	f.sparePage = buf
	f.pages[p.n] = nil
	f.pageLinks[p.n] = nil
	f.spareAnnots = f.pageAnnots[p.n][:0]
	f.pageAnnots[p.n] = nil
	f.writeBuffer()
}

// writeBuffer writes f.buffer to f.stream.
func (f *Fpdf) writeBuffer() {
	n, err := f.buffer.WriteTo(f.stream)
	f.streamed += int(n)
	if err != nil && f.err == nil {
		f.err = err
	}
}
