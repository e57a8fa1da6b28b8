// src/report/confusion_csv.cpp — confusion.csv, written and read back.
//
//   true\predicted,airplane,automobile,...,truck
//   airplane,814,11,...,32
//   ...
//
// Counts are written and read with <charconv> (no locale). Lines end in "\n" when
// written; "\r\n" and blank lines at the end are accepted when read.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "report/report.hpp"
#include "report/text_lines.hpp"

namespace statnn::report {

namespace {

constexpr const char* kCorner = "true\\predicted";

std::string line_prefix(std::size_t line) { return "confusion csv, line " + std::to_string(line) + ": "; }

std::string quoted(const std::string& text) {
    constexpr std::size_t kMax = 40;
    std::string shown = text.size() > kMax ? text.substr(0, kMax) + "..." : text;
    return "\"" + shown + "\"";
}

// A class name as a CSV field: quoted (quotes doubled) when it holds a comma or a quote,
// or starts or ends with a space, which a reader could otherwise trim.
std::string csv_field(const std::string& name) {
    const bool plain = name.find_first_of(",\"") == std::string::npos && name.front() != ' ' && name.back() != ' ';
    if (plain) return name;
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Splits one line into fields: commas separate them, a field may be quoted ("a,b" or
// "say ""hi""").
std::vector<std::string> split_fields(const std::string& line, std::size_t line_number) {
    std::vector<std::string> fields;
    std::size_t pos = 0;
    for (;;) {
        std::string field;
        if (pos < line.size() && line[pos] == '"') {
            ++pos;
            for (;;) {
                if (pos >= line.size()) throw std::runtime_error(line_prefix(line_number) + "unterminated quoted field");
                if (line[pos] == '"') {
                    if (pos + 1 < line.size() && line[pos + 1] == '"') {
                        field += '"';
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    break;
                }
                field += line[pos++];
            }
            if (pos < line.size() && line[pos] != ',') {
                throw std::runtime_error(line_prefix(line_number) + "text after the closing quote of a field");
            }
        } else {
            const std::size_t comma = std::min(line.find(',', pos), line.size());
            field = line.substr(pos, comma - pos);
            pos = comma;
        }
        fields.push_back(std::move(field));
        if (pos >= line.size()) return fields;
        ++pos;  // the comma
    }
}

std::int64_t parse_count(const std::string& field, std::size_t line, std::size_t column, const std::string& class_name) {
    std::int64_t value = 0;
    const char* first = field.data();
    const char* last = field.data() + field.size();
    const auto result = std::from_chars(first, last, value);
    if (field.empty() || result.ec != std::errc() || result.ptr != last || value < 0) {
        throw std::runtime_error(line_prefix(line) + "column " + std::to_string(column + 1) + " (" + class_name +
                                 ") is " + quoted(field) + ", which is not a count (a non-negative integer)");
    }
    return value;
}

}  // namespace

std::string confusion_csv(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names) {
    const std::size_t n = class_names.size();
    if (matrix.size() != n) {
        throw std::invalid_argument("confusion csv: " + std::to_string(matrix.size()) + " rows but " +
                                    std::to_string(n) + " class names");
    }
    for (const auto& row : matrix) {
        if (row.size() != n) {
            throw std::invalid_argument("confusion csv: a row of " + std::to_string(row.size()) + " counts for " +
                                        std::to_string(n) + " classes (the matrix must be square)");
        }
    }
    for (const auto& name : class_names) {
        if (name.empty() || name.find_first_of("\r\n") != std::string::npos) {
            throw std::invalid_argument("confusion csv: class name " + quoted(name) +
                                        " is empty or holds a line break");
        }
    }
    std::string out = kCorner;
    for (const auto& name : class_names) out += "," + csv_field(name);
    out += '\n';
    for (std::size_t i = 0; i < n; ++i) {
        out += csv_field(class_names[i]);
        for (std::int64_t v : matrix[i]) out += "," + std::to_string(v);
        out += '\n';
    }
    return out;
}

ConfusionMatrix parse_confusion_csv(const std::string& text, std::vector<std::string>* class_names) {
    const std::vector<std::string> lines = text_lines(text);
    if (lines.empty()) {
        throw std::runtime_error(line_prefix(1) + "the file is empty; expected the header \"" + std::string(kCorner) +
                                 ",<class>,...\"");
    }

    std::vector<std::string> names = split_fields(lines[0], 1);
    if (names.front() != kCorner) {
        throw std::runtime_error(line_prefix(1) + "the header starts with " + quoted(names.front()) + ", expected \"" +
                                 std::string(kCorner) + "\"");
    }
    names.erase(names.begin());
    if (names.empty()) throw std::runtime_error(line_prefix(1) + "the header names no class");
    std::set<std::string> seen;
    for (std::size_t j = 0; j < names.size(); ++j) {
        if (names[j].empty()) {
            throw std::runtime_error(line_prefix(1) + "column " + std::to_string(j + 2) + " has no class name");
        }
        if (!seen.insert(names[j]).second) {
            throw std::runtime_error(line_prefix(1) + "class " + quoted(names[j]) + " appears twice");
        }
    }
    const std::size_t n = names.size();

    ConfusionMatrix matrix;
    matrix.reserve(n);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::size_t line = i + 1;
        if (lines[i].empty()) throw std::runtime_error(line_prefix(line) + "blank line before the end of the file");
        if (matrix.size() == n) {
            throw std::runtime_error(line_prefix(line) + "more rows than the header's " + std::to_string(n) +
                                     " classes");
        }
        const std::vector<std::string> fields = split_fields(lines[i], line);
        const std::string& expected = names[matrix.size()];
        if (fields.front() != expected) {
            throw std::runtime_error(line_prefix(line) + "the row's class is " + quoted(fields.front()) + ", expected " +
                                     quoted(expected) + " (rows follow the header's class order)");
        }
        if (fields.size() != n + 1) {
            throw std::runtime_error(line_prefix(line) + "the row of " + quoted(expected) + " has " +
                                     std::to_string(fields.size() - 1) + " counts, expected " + std::to_string(n) +
                                     " (one per class in the header)");
        }
        std::vector<std::int64_t> row(n);
        for (std::size_t j = 0; j < n; ++j) row[j] = parse_count(fields[j + 1], line, j + 1, names[j]);
        matrix.push_back(std::move(row));
    }
    if (matrix.size() != n) {
        throw std::runtime_error(line_prefix(lines.size()) + "the file ends after " + std::to_string(matrix.size()) +
                                 " rows; the header names " + std::to_string(n) + " classes");
    }
    if (class_names) *class_names = std::move(names);
    return matrix;
}

}  // namespace statnn::report
