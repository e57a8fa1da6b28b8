// src/report/history_csv.cpp — history.csv (write and read back) and CIFAR-10's class names.
//
// Numbers are written and read with <charconv>, so the file does not depend on the C
// locale (a program that calls setlocale still writes "0.5", never "0,5"). Non-finite
// values are written as "nan", "inf" and "-inf" and read back as such.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "report/report.hpp"
#include "report/text_lines.hpp"

namespace statnn::report {

namespace {

constexpr const char* kHeader = "epoch,loss,acc,val_loss,val_acc,lr,seconds";
constexpr std::size_t kColumns = 7;
constexpr const char* kColumnNames[kColumns] = {"epoch", "loss", "acc", "val_loss", "val_acc", "lr", "seconds"};

// %.<digits>g (general) or %.<digits>f (fixed), locale-independent; NaN without a sign.
void append_number(std::string& out, double value, std::chars_format format, int digits) {
    if (std::isnan(value)) {
        out += "nan";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "inf" : "-inf";
        return;
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format, digits);
    if (result.ec != std::errc()) throw std::runtime_error("history csv: cannot format a number");
    out.append(buffer, result.ptr);
}

std::string line_prefix(std::size_t line) { return "history csv, line " + std::to_string(line) + ": "; }

// Splits one line at commas (no quoting: the file holds only numbers).
std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string::npos) {
            fields.push_back(line.substr(start));
            return fields;
        }
        fields.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
}

std::string quoted(const std::string& text) {
    constexpr std::size_t kMax = 40;
    std::string shown = text.size() > kMax ? text.substr(0, kMax) + "..." : text;
    return "\"" + shown + "\"";
}

double parse_double(const std::string& field, std::size_t line, std::size_t column) {
    double value = 0;
    const char* first = field.data();
    const char* last = field.data() + field.size();
    const auto result = std::from_chars(first, last, value);
    if (field.empty() || result.ec == std::errc::invalid_argument || result.ptr != last) {
        throw std::runtime_error(line_prefix(line) + "column " + std::to_string(column + 1) + " (" +
                                 kColumnNames[column] + ") is " + quoted(field) + ", which is not a number");
    }
    if (result.ec == std::errc::result_out_of_range) {
        throw std::runtime_error(line_prefix(line) + "column " + std::to_string(column + 1) + " (" +
                                 kColumnNames[column] + ") is " + quoted(field) +
                                 ", which is out of the range of a double");
    }
    return value;
}

int parse_epoch(const std::string& field, std::size_t line) {
    int value = 0;
    const char* first = field.data();
    const char* last = field.data() + field.size();
    const auto result = std::from_chars(first, last, value);
    if (field.empty() || result.ec != std::errc() || result.ptr != last) {
        throw std::runtime_error(line_prefix(line) + "column 1 (epoch) is " + quoted(field) +
                                 ", which is not an integer epoch number");
    }
    return value;
}

}  // namespace

std::string history_csv(const std::vector<EpochRecord>& history) {
    std::string out = kHeader;
    out += '\n';
    for (const EpochRecord& r : history) {
        out += std::to_string(r.epoch);
        for (double v : {r.loss, r.acc, r.val_loss, r.val_acc, r.lr}) {
            out += ',';
            append_number(out, v, std::chars_format::general, 6);
        }
        out += ',';
        append_number(out, r.seconds, std::chars_format::fixed, 3);
        out += '\n';
    }
    return out;
}

std::vector<EpochRecord> parse_history_csv(const std::string& text) {
    // Lines end in "\n" or "\r\n"; blank lines are allowed only at the end of the file.
    const std::vector<std::string> lines = text_lines(text);

    if (lines.empty()) throw std::runtime_error(line_prefix(1) + "the file is empty; expected the header \"" +
                                                std::string(kHeader) + "\"");
    if (lines[0] != kHeader) {
        throw std::runtime_error(line_prefix(1) + "the header is " + quoted(lines[0]) + ", expected \"" +
                                 std::string(kHeader) + "\"");
    }

    std::vector<EpochRecord> history;
    history.reserve(lines.size() - 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::size_t line = i + 1;
        if (lines[i].empty()) throw std::runtime_error(line_prefix(line) + "blank line before the end of the file");
        const std::vector<std::string> fields = split_fields(lines[i]);
        if (fields.size() != kColumns) {
            throw std::runtime_error(line_prefix(line) + "expected " + std::to_string(kColumns) + " columns, found " +
                                     std::to_string(fields.size()));
        }
        EpochRecord r;
        r.epoch = parse_epoch(fields[0], line);
        r.loss = parse_double(fields[1], line, 1);
        r.acc = parse_double(fields[2], line, 2);
        r.val_loss = parse_double(fields[3], line, 3);
        r.val_acc = parse_double(fields[4], line, 4);
        r.lr = parse_double(fields[5], line, 5);
        r.seconds = parse_double(fields[6], line, 6);
        if (!history.empty() && r.epoch <= history.back().epoch) {
            throw std::runtime_error(line_prefix(line) + "epoch " + std::to_string(r.epoch) +
                                     " does not follow epoch " + std::to_string(history.back().epoch) +
                                     " (epochs must increase)");
        }
        history.push_back(r);
    }
    return history;
}

}  // namespace statnn::report
