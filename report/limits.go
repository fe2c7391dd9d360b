package report

// The limits of decoding. Each is checked as the input is read, before the
// decoder holds more than it allows; input past a limit is a [*Violation]
// that names it. Tables and paragraphs built in Go are not held to them.
const (
	// MaxDepth is the deepest nesting of JSON arrays and objects that [Read]
	// accepts. A report needs 8 levels; the rest is room for extension
	// members.
	MaxDepth = 64

	// MaxColumns is the most columns a decoded table may have: Excel's
	// limit, so that every table fits a worksheet. The decoder holds a
	// table's columns until its rows, so this bounds what they cost.
	MaxColumns = 16384

	// MaxRuns is the most text runs a decoded paragraph may have. Each run
	// is held, and is also checked against the JSON Schema when package
	// schema reads the document (about 2 KB of garbage a run), so the
	// bound is of the same order as MaxColumns.
	MaxRuns = 16384

	// MaxHeader is the most bytes of an element besides its rows that the
	// decoder holds, and that package schema holds to the JSON Schema: its
	// type, caption, columns, text and so on, counted as compact JSON (what
	// whitespace and unknown members, which are skipped, take is not
	// counted). It also bounds the document's title. 4 MiB holds 16,384
	// columns with 200-character captions, or a paragraph of about a
	// thousand pages.
	MaxHeader = 4 << 20

	// MaxHeldRows is the most bytes of rows (their JSON text) that the
	// decoder holds for a table whose rows come before its type or columns,
	// as in JSON with sorted members, where data comes before type: such
	// rows are held until the header is known. 32 MiB holds about 200,000
	// rows of ten columns; a longer table must name its type and columns
	// before its rows, so that they stream.
	MaxHeldRows = 32 << 20
)
