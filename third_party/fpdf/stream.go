// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import "io"

// Stream makes f write each page to w as soon as the page is complete (when
// the next page is added, or when the document is closed), compressed if
// compression is on, instead of holding every page until Output. Output must
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

// streamPage writes the page just completed, and the header before the first
// one, to f.stream, and forgets the page's content.
func (f *Fpdf) streamPage() {
	if f.stream == nil || f.err != nil || f.page <= f.pagesDone {
		return
	}
	if len(f.pageAttachments[f.page]) > 0 {
		f.SetErrorf("attachment annotations are not supported with Stream")
		return
	}
	if f.pagesDone == 0 {
		f.putheader()
		f.headerVersion = f.pdfVersion
	}
	f.putpage(f.page)
	f.pages[f.page] = nil
	f.pageLinks[f.page] = nil
	f.spareAnnots = f.pageAnnots[f.page][:0]
	f.pageAnnots[f.page] = nil
	f.pagesDone = f.page
	n, err := f.buffer.WriteTo(f.stream)
	f.streamed += int(n)
	if err != nil {
		f.err = err
	}
}
