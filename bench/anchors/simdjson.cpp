// simdjson is the decoding anchor of bench/anchors.sh: simdjson's On-Demand
// parser (C++, SIMD) loading a report document whole and reading every
// value in it, the cells' first of all. It walks the document the way folio
// reads it (elements, a table's columns and rows, each row's cells) and
// touches every scalar on the way: strings are unescaped, numbers parsed
// (integers as int64, the rest as double), booleans and nulls checked, so
// nothing is skipped unparsed. It checks nothing a schema would (types,
// required members). It prints what it counted (strings and numbers
// everywhere, rows and cells in tables), which the bench script compares
// with what it generated:
//
//	$ simdjson in-10000.json
//	rows 10000 cells 100000 strings 35122 numbers 50000 bools 20000 nulls 4891
#include <cstdint>
#include <cstdio>
#include <string_view>

#include <simdjson.h>

using namespace simdjson;

namespace {

struct counts {
	uint64_t rows = 0, cells = 0, strings = 0, numbers = 0, bools = 0, nulls = 0;
	uint64_t sum = 0; // of string lengths, integers and booleans: keeps every read live
};

void touch(ondemand::value v, counts &n);

void touch_object(ondemand::object o, counts &n) {
	for (auto f : o) {
		n.sum += std::string_view(f.unescaped_key()).size();
		touch(f.value(), n);
	}
}

void touch(ondemand::value v, counts &n) {
	switch (v.type()) {
	case ondemand::json_type::object:
		touch_object(v.get_object(), n);
		break;
	case ondemand::json_type::array:
		for (auto e : v.get_array()) {
			touch(e.value(), n);
		}
		break;
	case ondemand::json_type::string:
		n.strings++;
		n.sum += std::string_view(v.get_string()).size();
		break;
	case ondemand::json_type::number:
		n.numbers++;
		if (v.get_number_type() == ondemand::number_type::floating_point_number) {
			n.sum += uint64_t(double(v.get_double()) != 0);
		} else {
			n.sum += uint64_t(int64_t(v.get_int64()));
		}
		break;
	case ondemand::json_type::boolean:
		n.bools++;
		n.sum += bool(v.get_bool());
		break;
	case ondemand::json_type::null:
		n.nulls++;
		if (!v.is_null()) {
			throw simdjson_error(INCORRECT_TYPE);
		}
		break;
	}
}

// row reads {"sourceKey":…,"cells":[{"value":…},…]}, counting the cells.
void row(ondemand::object r, counts &n) {
	n.rows++;
	for (auto f : r) {
		std::string_view key = f.unescaped_key();
		n.sum += key.size();
		if (key != "cells") {
			touch(f.value(), n);
			continue;
		}
		for (auto c : f.value().get_array()) {
			n.cells++;
			touch_object(c.get_object(), n);
		}
	}
}

void table(ondemand::object data, counts &n) {
	for (auto f : data) {
		std::string_view key = f.unescaped_key();
		n.sum += key.size();
		if (key != "rows") {
			touch(f.value(), n);
			continue;
		}
		for (auto r : f.value().get_array()) {
			row(r.get_object(), n);
		}
	}
}

} // namespace

int main(int argc, char **argv) {
	if (argc != 2) {
		std::fprintf(stderr, "usage: simdjson IN.json\n");
		return 2;
	}
	counts n;
	try {
		padded_string json = padded_string::load(argv[1]);
		ondemand::parser parser;
		ondemand::document doc = parser.iterate(json);
		for (auto f : doc.get_object()) {
			std::string_view key = f.unescaped_key();
			n.sum += key.size();
			if (key != "elements") {
				touch(f.value(), n);
				continue;
			}
			for (auto e : f.value().get_array()) {
				// An element is a table when it has a data member; its
				// type member may come before or after it.
				for (auto m : e.get_object()) {
					std::string_view k = m.unescaped_key();
					n.sum += k.size();
					if (k == "data") {
						table(m.value().get_object(), n);
					} else {
						touch(m.value(), n);
					}
				}
			}
		}
	} catch (const simdjson_error &e) {
		std::fprintf(stderr, "simdjson: %s: %s\n", argv[1], e.what());
		return 1;
	}
	std::printf("rows %llu cells %llu strings %llu numbers %llu bools %llu nulls %llu\n",
		(unsigned long long)n.rows, (unsigned long long)n.cells, (unsigned long long)n.strings,
		(unsigned long long)n.numbers, (unsigned long long)n.bools, (unsigned long long)n.nulls);
	std::fprintf(stderr, "checksum %llu\n", (unsigned long long)n.sum);
	return 0;
}
