package server_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/server"
)

// optionsSchema is the JSON Schema of f's options that the OpenAPI
// document gives as x-folio-options of f's media type in the Content
// response, made from f.Options; nil for a format without options.
func optionsSchema(f render.Format) map[string]any {
	if len(f.Options) == 0 {
		return nil
	}
	props := map[string]any{}
	for _, o := range f.Options {
		p := map[string]any{"description": o.Help}
		switch o.Type {
		case render.Bool:
			p["type"] = "boolean"
			p["default"] = o.Default == "true"
		case render.Int:
			p["type"] = "integer"
			p["minimum"] = float64(o.Min)
			p["maximum"] = float64(o.Max)
			n, _ := strconv.Atoi(o.Default)
			p["default"] = float64(n)
		case render.Enum:
			p["type"] = "string"
			var vs []any
			for _, v := range o.Values {
				vs = append(vs, v)
			}
			p["enum"] = vs
			p["default"] = o.Default
		case render.String:
			p["type"] = "string"
			if o.Default != "" {
				p["default"] = o.Default
			}
		}
		props[o.Key] = p
	}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": props}
}

// TestOpenAPIOptions holds the options the OpenAPI document describes for
// each built-in format's content to the format's declarations, so the two
// cannot drift. FOLIO_WRITE_OPTIONS=FILE writes what the document should
// hold, by media type, to FILE.
func TestOpenAPIOptions(t *testing.T) {
	var doc struct {
		Components struct {
			Responses map[string]struct {
				Content map[string]map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(server.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	content := doc.Components.Responses["Content"].Content
	formats := render.Formats()
	if len(formats) != 6 {
		t.Fatalf("%d formats registered, want the 6 built-in ones", len(formats))
	}
	if path := os.Getenv("FOLIO_WRITE_OPTIONS"); path != "" {
		all := map[string]any{}
		for _, f := range formats {
			all[f.MediaType] = optionsSchema(f)
		}
		b, _ := json.Marshal(all)
		os.WriteFile(path, b, 0o644)
	}
	for _, f := range formats {
		want := optionsSchema(f)
		mt, ok := content[f.MediaType]
		if !ok {
			t.Errorf("the Content response has no media type %q (%s)", f.MediaType, f.Name)
			continue
		}
		got, _ := mt["x-folio-options"].(map[string]any)
		if want == nil && mt["x-folio-options"] != nil {
			t.Errorf("%s: the document gives options; the format declares none", f.Name)
		}
		if want != nil && !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", "  ")
			w, _ := json.MarshalIndent(want, "", "  ")
			t.Errorf("%s: x-folio-options of %q differs from the declarations:\n%s\nwant:\n%s", f.Name, f.MediaType, g, w)
		}
	}
}
