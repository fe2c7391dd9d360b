// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import (
	"slices"
	"strconv"
)

// SetObjectStreams makes f write the pages' dictionaries, with their link
// annotations, as objects of compressed object streams, and the
// cross-reference table as a compressed cross-reference stream (PDF 1.5,
// ISO 32000-1 §7.5.7 and §7.5.8): in a table with a link in many cells
// the annotations are most of the file, and they compress as well as the
// pages' content. It applies only if, when the first page is complete,
// compression is on and the document is not encrypted, and then makes
// the header's PDF version 1.5 at least. Call it before the first page is
// added.
//
// With object streams, a page cannot hold attachment annotations; and with
// Stream, an internal link is written when its page is complete, its
// destination placed by the default page size if its page has not begun.
func (f *Fpdf) SetObjectStreams(on bool) {
	if f.page > 0 {
		f.SetErrorf("SetObjectStreams must be called before the first page is added")
		return
	}
	f.objStreams = on
}

// An objStm is an object stream: its number, how many objects it has, the
// length of its header and its data, header and objects, not compressed.
type objStm struct {
	num, n, head int
	data         []byte
}

// A stmRun is a page's dictionary in an object stream: object first, at
// index of object stream stm (0 until the stream is complete).
type stmRun struct {
	first, stm, index int
}

// stmPages is how many pages' dictionaries an object stream holds: a
// stream of a few pages compresses a third faster than one a page, each
// compression having its cost (the Huffman codes) whatever the size, and
// 7 % smaller. As the count is fixed, the number of each page's object is
// known before the page is made, for links to later pages (pageRef).
const stmPages = 8

// startObjStm decides, before the header is written, whether the
// document's pages go into object streams. (The header then says PDF 1.5
// at least, but f.pdfVersion, which decides other things, such as the
// pages' transparency groups, stays as the document's features make it.)
func (f *Fpdf) startObjStm() {
	f.useObjStm = f.objStreams && f.compress && !f.protect.encrypted
}

// reserve gives the next k object numbers and returns the first.
func (f *Fpdf) reserve(k int) int {
	first := f.n + 1
	f.n += k
	for len(f.offsets) <= f.n {
		f.offsets = append(f.offsets, 0)
	}
	return first
}

// pageRef returns the object number of page p, for a destination: as
// putpage numbers pages, objects 3 and 4 for the first one's dictionary
// and content, and so on, and with object streams one more after every
// stmPages pages (stmPage).
func (f *Fpdf) pageRef(p int) int {
	if !f.useObjStm {
		return 1 + 2*p
	}
	return 3 + 2*(p-1) + (p-1)/stmPages
}

// stmPage numbers the objects of page n, which is complete (its
// dictionary, in an object stream, and its content stream), and adds its
// dictionary to the object stream being filled. If the stream is then
// complete, stmPage returns it.
func (f *Fpdf) stmPage(n int, version pdfVersion) *objStm {
	if len(f.pageAttachments[n]) > 0 {
		f.SetErrorf("attachment annotations are not supported with object streams")
		return nil
	}
	first := f.reserve(2)
	if first != f.pageRef(n) {
		f.SetErrorf("page %d is object %d, not %d: with object streams no object may be added between pages", n, first, f.pageRef(n))
		return nil
	}
	for len(f.pageObjs) <= n {
		f.pageObjs = append(f.pageObjs, 0)
	}
	f.pageObjs[n] = first
	f.stmRuns = append(f.stmRuns, stmRun{first: first, index: len(f.stmOffs)})

	// The page dictionary, as putpage writes it, its link annotations
	// in it (ISO 32000-1 Table 30 asks for references to annotation
	// objects, but every reader takes the dictionaries, which fpdf has
	// always written there; as objects they would cost a third more
	// time and 20 % more bytes, in the object streams and the
	// cross-reference stream).
	body := f.stmBody
	f.stmOffs = append(f.stmOffs, len(body))
	body = append(body, "<</Type/Page/Parent 1 0 R"...)
	if sz, ok := f.pageSizes[n]; ok {
		body = append(body, "/MediaBox[0 0 "...)
		body = AppendNum(body, sz.Wd)
		body = append(body, ' ')
		body = AppendNum(body, sz.Ht)
		body = append(body, ']')
	}
	boxes := make([]string, 0, len(f.pageBoxes[n]))
	for t := range f.pageBoxes[n] {
		boxes = append(boxes, t)
	}
	slices.Sort(boxes)
	for _, t := range boxes {
		pb := f.pageBoxes[n][t]
		body = append(body, '/')
		body = append(body, t...)
		body = append(body, '[')
		for i, v := range [4]float64{pb.X, pb.Y, pb.Wd, pb.Ht} {
			if i > 0 {
				body = append(body, ' ')
			}
			body = AppendNum(body, v)
		}
		body = append(body, ']')
	}
	body = append(body, "/Resources 2 0 R"...)
	if raw := f.pageAnnots[n]; len(raw)+len(f.pageLinks[n]) > 0 {
		// URI links are written; the others, in pageLinks, go where
		// they were made among them.
		body = append(body, "/Annots["...)
		hPt := f.defPageSize.Ht * f.k
		if f.defOrientation != "P" {
			hPt = f.defPageSize.Wd * f.k
		}
		at := 0
		for _, pl := range f.pageLinks[n] {
			body = append(body, raw[at:pl.at]...)
			at = pl.at
			body = f.appendPageLink(body, pl, hPt)
		}
		body = append(body, raw[at:]...)
		body = append(body, ']')
	}
	if version > pdfVers1_3 {
		body = append(body, "/Group<</Type/Group/S/Transparency/CS/DeviceRGB>>"...)
	}
	body = append(body, "/Contents "...)
	body = strconv.AppendInt(body, int64(first+1), 10)
	body = append(body, " 0 R>>"...)
	f.stmBody = body
	if len(f.stmRuns)-f.stmOpen >= stmPages {
		return f.closeStm()
	}
	return nil
}

// closeStm numbers the object stream being filled, if it has objects, and
// returns it.
func (f *Fpdf) closeStm() *objStm {
	if len(f.stmOffs) == 0 {
		return nil
	}
	s := &objStm{num: f.reserve(1), n: len(f.stmOffs)}
	runs := f.stmRuns[f.stmOpen:]
	for i := range runs {
		runs[i].stm = s.num
	}
	f.stmOpen = len(f.stmRuns)
	b := f.spareStm[:0]
	f.spareStm = nil
	for i, r := range runs {
		b = strconv.AppendInt(b, int64(r.first), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(f.stmOffs[i]), 10)
		b = append(b, ' ')
	}
	s.head = len(b)
	s.data = append(b, f.stmBody...)
	f.stmOffs, f.stmBody = f.stmOffs[:0], f.stmBody[:0]
	return s
}

// putContent writes the content stream of a page, object num, compressed.
func (f *Fpdf) putContent(num int, content []byte) {
	f.offsets[num] = f.offset()
	f.outf("%d 0 obj", num)
	f.outf("<</Filter /FlateDecode /Length %d>>", len(content))
	f.putstream(content)
	f.out("endobj")
}

// putObjStm writes s, its data compressed in z, and keeps its buffer for
// the next.
func (f *Fpdf) putObjStm(s *objStm, z []byte) {
	f.offsets[s.num] = f.offset()
	f.outf("%d 0 obj", s.num)
	f.outf("<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>", s.n, s.head, len(z))
	f.putstream(z)
	f.out("endobj")
	f.spareStm = s.data[:0]
}

// putpageStm writes page n, not streamed: its content stream and, if that
// completes it, its object stream.
func (f *Fpdf) putpageStm(n int, version pdfVersion) {
	s := f.stmPage(n, version)
	content := xmem.compress(f.pages[n].Bytes())
	defer content.release()
	f.putContent(f.pageObjs[n]+1, content.bytes())
	f.putStmNow(s)
}

// putStmNow compresses and writes s, if not nil.
func (f *Fpdf) putStmNow(s *objStm) {
	if s == nil {
		return
	}
	z := xmem.compress(s.data)
	defer z.release()
	f.putObjStm(s, z.bytes())
}

// putxrefStream writes the cross-reference stream, which ends the
// document: an entry of 1 + w + iw bytes an object (type, offset or
// object stream, index in the stream), each row given as its difference
// from the one before (PNG Up predictor) so that the rows of an object
// stream's objects, which differ by one, compress to almost nothing.
func (f *Fpdf) putxrefStream() {
	root, info := f.n, f.n-1
	f.newobj()
	o := f.offsets[f.n]
	size := f.n + 1
	w := byteWidth(uint64(max(o, size)))
	iw := 2 // for object 0's generation, 65535, and indexes below stmPages
	cols := 1 + w + iw
	data := make([]byte, 0, size*(cols+1))
	row := make([]byte, cols)
	prev := make([]byte, cols)
	runs := f.stmRuns
	for j := range size {
		var typ byte = 1
		f2, f3 := uint64(f.offsets[j]), uint64(0)
		switch {
		case j == 0:
			typ, f2, f3 = 0, 0, 0xffff
		case len(runs) > 0 && j == runs[0].first:
			typ, f2, f3 = 2, uint64(runs[0].stm), uint64(runs[0].index)
			runs = runs[1:]
		}
		row[0] = typ
		putBE(row[1:1+w], f2)
		putBE(row[1+w:], f3)
		data = append(data, 2) // Up
		for i := range row {
			data = append(data, row[i]-prev[i])
		}
		row, prev = prev, row
	}
	mem := xmem.compress(data)
	defer mem.release()
	z := mem.bytes()
	f.outf("<</Type/XRef/Size %d/W[1 %d %d]/Root %d 0 R/Info %d 0 R/Filter/FlateDecode/DecodeParms<</Columns %d/Predictor 12>>/Length %d>>",
		size, w, iw, root, info, cols, len(z))
	f.putstream(z)
	f.out("endobj")
	f.out("startxref")
	f.outf("%d", o)
	f.out("%%EOF")
}

// byteWidth returns how many bytes v needs, at least 1.
func byteWidth(v uint64) int {
	n := 1
	for v >>= 8; v > 0; v >>= 8 {
		n++
	}
	return n
}

// putBE puts v in b, big-endian, in len(b) bytes.
func putBE(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}
