// Package schema holds the JSON Schema (draft 2020-12) of the report
// document and validates documents against it as they stream past.
//
// Validation runs in two layers. The decoder in package report checks every
// rule in Go as it reads, so a table of any length is checked in constant
// memory; each element's header (everything but its rows) and the document's
// own members are then also held to the schema itself with
// santhosh-tekuri/jsonschema, so nothing the schema forbids passes. Tests
// and a fuzz target require the Go checks and the schema to agree. The
// header is handed to the schema as a generic value built from what the
// decoder read, within its limits (see report.MaxHeader), so the schema
// layer holds nothing the decoder did not.
package schema

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/foliorender/folio/report"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed report.schema.json
var schemaJSON []byte

// URL is the schema's $id.
const URL = "https://github.com/foliorender/folio/schema/report.schema.json"

// JSON returns the schema document, as `folio schema` prints it.
func JSON() []byte { return append([]byte(nil), schemaJSON...) }

// MaxViolations is how many violations a ValidationError lists; it counts
// the rest in More.
const MaxViolations = 100

// A ValidationError lists the ways a document is invalid.
type ValidationError struct {
	Violations []report.Violation // the first MaxViolations found, in input order
	More       int                // how many more there were
}

// Error returns the first violation, with how many more there are: the
// list itself is in Violations.
func (e *ValidationError) Error() string {
	if len(e.Violations) == 0 {
		return "schema: invalid document"
	}
	n := len(e.Violations) + e.More
	if n == 1 {
		return "invalid document: " + e.Violations[0].Error()
	}
	return fmt.Sprintf("invalid document: %s (and %d more)", e.Violations[0].Error(), n-1)
}

var (
	once     sync.Once
	compiled struct {
		doc, element *jsonschema.Schema
		row          *jsonschema.Schema
		err          error
	}
)

func load() {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(URL, strings.NewReader(string(schemaJSON))); err != nil {
		compiled.err = err
		return
	}
	for _, s := range []struct {
		dst  **jsonschema.Schema
		frag string
	}{{&compiled.doc, ""}, {&compiled.element, "#/$defs/element"}, {&compiled.row, "#/$defs/row"}} {
		if *s.dst, compiled.err = c.Compile(URL + s.frag); compiled.err != nil {
			return
		}
	}
}

func schemas() (doc, element, row *jsonschema.Schema) {
	once.Do(load)
	if compiled.err != nil {
		panic("schema: the embedded schema does not compile: " + compiled.err.Error())
	}
	return compiled.doc, compiled.element, compiled.row
}

// Check holds a document's members (pointer "") or one element (pointer
// "/elements/N") in generic JSON form to the schema. It is the
// report.ReadOptions.Check hook: see [Read].
func Check(pointer string, v any) []report.Violation {
	doc, element, _ := schemas()
	s := element
	if pointer == "" {
		s = doc
	}
	return violations(pointer, s.Validate(v))
}

// CheckRow holds one row in generic JSON form to the schema's row
// definition. The decoder checks rows in Go instead; this is the reference
// it is tested against.
func CheckRow(pointer string, v any) []report.Violation {
	_, _, row := schemas()
	return violations(pointer, row.Validate(v))
}

// CheckDocument holds a whole document in generic JSON form (as decoded by
// encoding/json with UseNumber) to the schema alone, without the rules
// beyond it. It needs the document in memory; [Validate] does not.
func CheckDocument(v any) []report.Violation {
	doc, _, _ := schemas()
	return violations("", doc.Validate(v))
}

// violations flattens a jsonschema error into violations at its leaves.
func violations(prefix string, err error) []report.Violation {
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []report.Violation{{Pointer: prefix, Message: err.Error()}}
	}
	var out []report.Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, report.Violation{Pointer: prefix + e.InstanceLocation, Message: "does not match the schema: " + e.Message})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

// Read returns a document decoded from r like report.Read, whose elements
// are also held to the schema: the first violation ends it.
func Read(r io.Reader) *report.Document {
	return report.ReadWith(r, report.ReadOptions{Check: Check})
}

// Validate reads a whole document from r and reports every violation, or
// nil if the document is valid. Memory does not grow with the length of its
// tables: the decoder's limits (report.MaxColumns, MaxRuns, MaxHeader and
// MaxHeldRows) bound what it holds, and the schema is given an element only
// once it is read within them. Invalid input gives a *ValidationError; an
// error reading r is returned as it is.
func Validate(r io.Reader) error {
	ve := &ValidationError{}
	add := func(v report.Violation) {
		if len(ve.Violations) < MaxViolations {
			ve.Violations = append(ve.Violations, v)
		} else {
			ve.More++
		}
	}
	doc := report.ReadWith(r, report.ReadOptions{Report: add, Check: Check})
	for _, err := range doc.Elements() {
		if err != nil {
			var v *report.Violation
			if !errors.As(err, &v) {
				return err
			}
			add(*v)
			break
		}
	}
	if len(ve.Violations) > 0 {
		return ve
	}
	return nil
}
