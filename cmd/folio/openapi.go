package main

import (
	"context"
	"fmt"
	"io"

	"github.com/foliorender/folio/server"
)

func init() { commands["openapi"] = runOpenAPI }

func runOpenAPI(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const synopsis = "folio openapi\n\nPrints the OpenAPI 3.1 document (JSON) of the job API that folio serve\nanswers, as it serves it at GET /openapi.json."
	fs := newFlags("openapi")
	pos, code, ok := parse(fs, synopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "folio openapi: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if _, err := stdout.Write(server.OpenAPI()); err != nil {
		fmt.Fprintf(stderr, "folio openapi: %v\n", err)
		return exitInvalid
	}
	return exitOK
}
