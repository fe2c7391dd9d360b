// xlsxwriter is the XLSX anchor of bench/anchors.sh: libxlsxwriter (C, the
// fastest XLSX writer there is) in constant-memory mode, writing the rows of
// a document from bench/gen as folio writes them: the title in bold in the
// first row, the column captions in bold with a bottom border in the third,
// the pane frozen below them, one cell per value (strings as inline
// strings, numbers as numbers, booleans as booleans, nulls as no cell).
// Unlike folio it writes no Excel table: libxlsxwriter needs a table's range
// before its rows, which a stream does not know.
//
// It reads the same file folio does, so that both do the same job, without
// holding it in memory: bench/gen writes one row a line, and each line is
// parsed with simdjson's On-Demand parser (bench/anchors/simdjson.cpp
// measures that parser alone on the whole file). A file laid out otherwise
// is refused. It prints the number of rows it wrote.
//
//	xlsxwriter OUT.xlsx < IN.json
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <xlsxwriter.h>

using namespace simdjson;

namespace {

[[noreturn]] void fail(const std::string &msg) {
	std::fprintf(stderr, "xlsxwriter: %s\n", msg.c_str());
	std::exit(1);
}

void check(lxw_error err) {
	if (err != LXW_NO_ERROR) {
		fail(lxw_strerror(err));
	}
}

// padded holds one line with the padding simdjson reads past its end.
struct padded {
	std::vector<char> buf;
	size_t len = 0;
	void set(std::string_view s) {
		len = s.size();
		if (buf.size() < len + SIMDJSON_PADDING) {
			buf.resize(2 * len + SIMDJSON_PADDING);
		}
		s.copy(buf.data(), len);
	}
};

struct writer {
	lxw_worksheet *ws;
	ondemand::parser parser;
	padded line;
	std::string text; // a NUL-terminated copy of a string value
	lxw_row_t row = 3;

	// write writes the row in s, {"sourceKey":…,"cells":[{"value":…},…]}.
	void write(std::string_view s) {
		line.set(s);
		ondemand::document doc = parser.iterate(line.buf.data(), line.len, line.buf.size());
		for (auto f : doc.get_object()) {
			if (std::string_view(f.unescaped_key()) != "cells") {
				continue;
			}
			lxw_col_t col = 0;
			for (auto c : f.value().get_array()) {
				for (auto m : c.get_object()) {
					if (std::string_view(m.unescaped_key()) != "value") {
						continue;
					}
					ondemand::value v = m.value();
					switch (v.type()) {
					case ondemand::json_type::string:
						text = std::string_view(v.get_string());
						check(worksheet_write_string(ws, row, col, text.c_str(), nullptr));
						break;
					case ondemand::json_type::number:
						check(worksheet_write_number(ws, row, col, double(v.get_double()), nullptr));
						break;
					case ondemand::json_type::boolean:
						check(worksheet_write_boolean(ws, row, col, bool(v.get_bool()), nullptr));
						break;
					case ondemand::json_type::null:
						break;
					default:
						fail("a cell value that is an array or an object");
					}
				}
				col++;
			}
		}
		row++;
	}
};

bool ends_with(std::string_view s, std::string_view suffix) {
	return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

} // namespace

int main(int argc, char **argv) {
	if (argc != 2) {
		std::fprintf(stderr, "usage: xlsxwriter OUT.xlsx < IN.json\n");
		return 2;
	}
	lxw_workbook_options opts = {};
	opts.constant_memory = LXW_TRUE;
	lxw_workbook *wb = workbook_new_opt(argv[1], &opts);
	if (wb == nullptr) {
		fail(std::string("cannot create ") + argv[1]);
	}
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bottom(head, LXW_BORDER_THIN);
	writer w;
	w.ws = workbook_add_worksheet(wb, nullptr);

	char *buf = nullptr;
	size_t cap = 0;
	ssize_t n;
	bool first = true, last = false;
	try {
		while ((n = getline(&buf, &cap, stdin)) > 0) {
			if (last) {
				fail("content after the last row");
			}
			std::string_view s(buf, size_t(n));
			if (ends_with(s, "\n")) {
				s.remove_suffix(1);
			}
			if (first) {
				// The head: title and columns up to the rows array, then
				// the first row.
				first = false;
				size_t at = s.find("\"rows\":[");
				if (at == std::string_view::npos) {
					fail("the first line has no rows: not a document from bench/gen");
				}
				at += std::strlen("\"rows\":[");
				std::string doc(s.substr(0, at));
				doc += "]}}]}";
				padded p;
				p.set(doc);
				ondemand::parser hp;
				ondemand::document d = hp.iterate(p.buf.data(), p.len, p.buf.size());
				std::string title{std::string_view(d["title"])};
				check(worksheet_write_string(w.ws, 0, 0, title.c_str(), bold));
				lxw_col_t col = 0;
				for (auto c : d["elements"].at(0)["data"]["columns"]) {
					std::string caption{std::string_view(c["caption"])};
					check(worksheet_set_column(w.ws, col, col, 13, nullptr));
					check(worksheet_write_string(w.ws, 2, col, caption.c_str(), head));
					col++;
				}
				worksheet_freeze_panes(w.ws, 3, 0);
				s.remove_prefix(at);
			}
			if (ends_with(s, "]}}]}")) {
				s.remove_suffix(std::strlen("]}}]}"));
				last = true;
				if (s.empty()) {
					continue; // no rows
				}
			} else if (ends_with(s, ",")) {
				s.remove_suffix(1);
			} else {
				fail("line " + std::to_string(w.row - 2) + " is not a row followed by a comma: not a document from bench/gen");
			}
			w.write(s);
		}
	} catch (const simdjson_error &e) {
		fail(std::string("row ") + std::to_string(w.row - 2) + ": " + e.what());
	}
	std::free(buf);
	if (!last) {
		fail("the input ended before its last row");
	}
	check(workbook_close(wb));
	std::fprintf(stderr, "rows %u\n", unsigned(w.row - 3));
	return 0;
}
