// Package render is folio's registry of output formats.
//
// A [Format] names a format, its media type and extension, declares its
// options ([Option]: key, type, default, help), and builds a [Renderer]
// from text [Options] checked against them ([Format.ReadOptions]). The
// built-in formats (json, csv, md and the others in render's sub-packages)
// register themselves when this package is imported; other Go programs add
// theirs with [Register], as with sql.Register. Each format lives in a
// sub-package whose Renderer type has typed options and can be used
// without the registry.
package render
