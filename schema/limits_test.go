package schema_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/gendoc"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/schema"
)

// TestSchemaLimits checks that the schema states the decoder's limits on
// columns and runs, and that both give the same verdict at and past them.
func TestSchemaLimits(t *testing.T) {
	var s struct {
		Defs map[string]struct {
			Properties struct {
				Data struct {
					Properties map[string]struct {
						MaxItems int `json:"maxItems"`
					}
				}
			}
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON(), &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Defs["table"].Properties.Data.Properties["columns"].MaxItems; got != report.MaxColumns {
		t.Errorf("the schema allows %d columns, the decoder %d", got, report.MaxColumns)
	}
	if got := s.Defs["paragraph"].Properties.Data.Properties["text"].MaxItems; got != report.MaxRuns {
		t.Errorf("the schema allows %d text runs, the decoder %d", got, report.MaxRuns)
	}
	var pt struct {
		Defs struct {
			PageText struct {
				MaxLength int `json:"maxLength"`
			} `json:"pageText"`
			Page struct {
				Properties struct {
					Logo struct {
						Properties struct {
							Width struct {
								Maximum float64 `json:"maximum"`
							} `json:"width"`
						} `json:"properties"`
					} `json:"logo"`
				} `json:"properties"`
			} `json:"page"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON(), &pt); err != nil {
		t.Fatal(err)
	}
	if got := pt.Defs.PageText.MaxLength; got != report.MaxPageText {
		t.Errorf("the schema allows headers of %d characters, the decoder %d", got, report.MaxPageText)
	}
	if got := pt.Defs.Page.Properties.Logo.Properties.Width.Maximum; got != report.MaxLogoWidth {
		t.Errorf("the schema allows logos %v mm wide, the decoder %v", got, report.MaxLogoWidth)
	}
	repeat := func(s string, n int) string { return strings.TrimSuffix(strings.Repeat(s+",", n), ",") }
	for _, n := range []int{report.MaxColumns, report.MaxColumns + 1} {
		agree(t, []byte(`{"elements":[{"type":"table","data":{"columns":[`+repeat(`{"caption":"c"}`, n)+`],"rows":[]}}]}`))
	}
	for _, n := range []int{report.MaxRuns, report.MaxRuns + 1} {
		agree(t, []byte(`{"elements":[{"type":"paragraph","data":{"text":[`+repeat(`{"value":"v"}`, n)+`]}}]}`))
	}
}

// heldRow is a row of 100 bytes.
const heldRow = `{"cells":[{"value":"` + "0123456789012345678901234567890123456789012345678901234567890123456789012345" + `"}]}`

// TestValidateLimitsMemory validates documents far past a limit, produced
// as they are read, and checks that Validate reports the one violation
// while allocating little more than the limit allows the decoder to hold:
// neither the decoder nor the schema layer holds the input past a limit.
func TestValidateLimitsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 350 MB")
	}
	tests := []struct {
		name  string
		parts []gendoc.Part
		ptr   string
		limit uint64 // bytes allocated at most
	}{
		{"15,000,000 columns", []gendoc.Part{
			gendoc.Text(`{"elements":[{"type":"table","data":{"columns":[`),
			gendoc.Repeat(`{"caption":""}`, 15_000_000),
			gendoc.Text(`],"rows":[]}}]}`),
		}, "/elements/0/data/columns/16384", 4 << 20},
		{"3,000,000 text runs, type last", []gendoc.Part{
			gendoc.Text(`{"elements":[{"data":{"text":[`),
			gendoc.Repeat(`{"value":""}`, 3_000_000),
			gendoc.Text(`]},"type":"paragraph"}]}`),
		}, "/elements/0/data/text/16384", 4 << 20},
		{"100 MB of rows before the type", []gendoc.Part{
			gendoc.Text(`{"elements":[{"data":{"columns":[{"caption":"A"}],"rows":[`),
			gendoc.Repeat(heldRow, 1_000_000),
			gendoc.Text(`]},"type":"table"}]}`),
		}, fmt.Sprintf("/elements/0/data/rows/%d", report.MaxHeldRows/(len(heldRow)+1)), report.MaxHeldRows + 4<<20},
	}
	// Compile the schema first, so that its cost is not counted.
	if err := schema.Validate(strings.NewReader(`{"elements":[]}`)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			total, heap := gendoc.Alloc(func() { err = schema.Validate(gendoc.Reader(tt.parts...)) })
			var ve *schema.ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Pointer != tt.ptr {
				t.Fatalf("Validate = %v, want one violation at %s", err, tt.ptr)
			}
			t.Logf("%d MB of input: %.2f MB allocated, heap in use %+.2f MB", gendoc.Size(tt.parts...)>>20, float64(total)/(1<<20), float64(heap)/(1<<20))
			if total > tt.limit {
				t.Errorf("Validate allocated %d bytes, want at most %d", total, tt.limit)
			}
		})
	}
}

// TestValidateWidestTable measures what holding the widest table allowed to
// the schema costs: the decoder's columns, their generic form and the
// schema validator's garbage, about 4 KB a column of three members, which
// MaxColumns bounds.
func TestValidateWidestTable(t *testing.T) {
	parts := []gendoc.Part{
		gendoc.Text(`{"elements":[{"type":"table","data":{"columns":[`),
		gendoc.Repeat(`{"caption":"Column","type":"number","align":"right"}`, report.MaxColumns),
		gendoc.Text(`],"rows":[{"cells":[`),
		gendoc.Repeat(`{"value":1}`, report.MaxColumns),
		gendoc.Text(`]}]}}]}`),
	}
	if err := schema.Validate(strings.NewReader(`{"elements":[]}`)); err != nil {
		t.Fatal(err) // and the schema is compiled
	}
	var err error
	total, _ := gendoc.Alloc(func() { err = schema.Validate(gendoc.Reader(parts...)) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d columns: %.2f MB allocated", report.MaxColumns, float64(total)/(1<<20))
	if limit := uint64(6 << 10 * report.MaxColumns); total > limit {
		t.Errorf("validating %d columns allocated %d bytes, want at most %d", report.MaxColumns, total, limit)
	}
}
