// src/json.hpp — a small JSON reader: run.json (compare) and the golden manifests (tests).
//
// Parses the whole grammar (objects, arrays, strings with escapes, numbers, true, false,
// null) into a tree, plus NaN, Infinity and -Infinity, which Python's json module writes
// for non-finite floats. Numbers are read with <charconv>, so the result does not depend
// on the C locale. Malformed input throws std::runtime_error naming the line, column and
// byte offset of the problem.
#pragma once

#include <charconv>
#include <cstddef>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace statnn {

struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Json> array;
    std::map<std::string, Json> object;

    const Json& operator[](const std::string& key) const {
        auto it = object.find(key);
        if (type != Type::Object || it == object.end()) throw std::runtime_error("json: missing key '" + key + "'");
        return it->second;
    }
    const Json& operator[](std::size_t i) const {
        if (type != Type::Array || i >= array.size()) throw std::runtime_error("json: index out of range");
        return array[i];
    }
    bool contains(const std::string& key) const { return type == Type::Object && object.count(key) != 0; }
    // The member named `key`, or nullptr when this is not an object or has no such member.
    const Json* find(const std::string& key) const {
        if (type != Type::Object) return nullptr;
        auto it = object.find(key);
        return it == object.end() ? nullptr : &it->second;
    }
    std::size_t size() const { return type == Type::Array ? array.size() : object.size(); }

    static Json parse(const std::string& text) {
        std::size_t pos = 0;
        Json j = parse_value(text, pos, 0);
        skip_ws(text, pos);
        if (pos != text.size()) fail(text, pos, "trailing characters");
        return j;
    }

private:
    // Deeper nesting than any real file has; the limit keeps hostile input from
    // exhausting the stack.
    static constexpr int kMaxDepth = 256;

    [[noreturn]] static void fail(const std::string& s, std::size_t pos, const char* what) {
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i < pos && i < s.size(); ++i) {
            if (s[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw std::runtime_error("json: " + std::string(what) + " at line " + std::to_string(line) + ", column " +
                                 std::to_string(column) + " (byte " + std::to_string(pos) + ")");
    }
    static void skip_ws(const std::string& s, std::size_t& p) {
        while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
    }
    static bool starts_with(const std::string& s, std::size_t p, const char* word) {
        return s.compare(p, std::char_traits<char>::length(word), word) == 0;
    }
    static void expect(const std::string& s, std::size_t& p, const char* word) {
        for (const char* c = word; *c; ++c, ++p)
            if (p >= s.size() || s[p] != *c) fail(s, p, "unexpected token");
    }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static unsigned hex4(const std::string& s, std::size_t p) {
        if (p + 4 > s.size()) fail(s, p, "bad \\u escape");
        unsigned value = 0;
        for (std::size_t i = p; i < p + 4; ++i) {
            const char c = s[i];
            const unsigned digit = is_digit(c) ? unsigned(c - '0')
                                   : (c >= 'a' && c <= 'f') ? unsigned(c - 'a' + 10)
                                   : (c >= 'A' && c <= 'F') ? unsigned(c - 'A' + 10)
                                                            : 16u;
            if (digit == 16) fail(s, i, "bad \\u escape");
            value = value * 16 + digit;
        }
        return value;
    }
    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }
    static std::string parse_string(const std::string& s, std::size_t& p) {
        if (p >= s.size() || s[p] != '"') fail(s, p, "expected string");
        ++p;
        std::string out;
        while (p < s.size() && s[p] != '"') {
            const char c = s[p];
            if (static_cast<unsigned char>(c) < 0x20) fail(s, p, "control character in a string");
            ++p;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (p >= s.size()) fail(s, p, "bad escape");
            const char e = s[p++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u': {
                    unsigned cp = hex4(s, p);
                    p += 4;
                    // A UTF-16 surrogate pair stands for one code point beyond U+FFFF.
                    if (cp >= 0xD800 && cp < 0xDC00 && starts_with(s, p, "\\u")) {
                        const unsigned low = hex4(s, p + 2);
                        if (low >= 0xDC00 && low < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                            p += 6;
                        }
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: fail(s, p - 1, "bad escape");
            }
        }
        if (p >= s.size()) fail(s, p, "unterminated string");
        ++p;
        return out;
    }
    // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    static double parse_number(const std::string& s, std::size_t& p) {
        const std::size_t start = p;
        if (p < s.size() && s[p] == '-') ++p;
        if (p < s.size() && s[p] == '0') {
            ++p;
        } else if (p < s.size() && is_digit(s[p])) {
            while (p < s.size() && is_digit(s[p])) ++p;
        } else {
            fail(s, start, "unexpected character");
        }
        if (p < s.size() && s[p] == '.') {
            ++p;
            if (p >= s.size() || !is_digit(s[p])) fail(s, p, "expected a digit after '.'");
            while (p < s.size() && is_digit(s[p])) ++p;
        }
        if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
            ++p;
            if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
            if (p >= s.size() || !is_digit(s[p])) fail(s, p, "expected a digit in the exponent");
            while (p < s.size() && is_digit(s[p])) ++p;
        }
        double value = 0;
        const auto result = std::from_chars(s.data() + start, s.data() + p, value);
        if (result.ec == std::errc::result_out_of_range) fail(s, start, "number out of the range of a double");
        if (result.ec != std::errc() || result.ptr != s.data() + p) fail(s, start, "bad number");
        return value;
    }
    static Json parse_value(const std::string& s, std::size_t& p, int depth) {
        skip_ws(s, p);
        if (p >= s.size()) fail(s, p, "unexpected end");
        if (depth > kMaxDepth) fail(s, p, "nesting too deep");
        Json j;
        const char c = s[p];
        if (c == '{') {
            j.type = Type::Object;
            ++p;
            skip_ws(s, p);
            if (p < s.size() && s[p] == '}') { ++p; return j; }
            for (;;) {
                skip_ws(s, p);
                std::string key = parse_string(s, p);
                skip_ws(s, p);
                if (p >= s.size() || s[p] != ':') fail(s, p, "expected ':'");
                ++p;
                j.object[key] = parse_value(s, p, depth + 1);
                skip_ws(s, p);
                if (p < s.size() && s[p] == ',') { ++p; continue; }
                if (p < s.size() && s[p] == '}') { ++p; return j; }
                fail(s, p, "expected ',' or '}'");
            }
        }
        if (c == '[') {
            j.type = Type::Array;
            ++p;
            skip_ws(s, p);
            if (p < s.size() && s[p] == ']') { ++p; return j; }
            for (;;) {
                j.array.push_back(parse_value(s, p, depth + 1));
                skip_ws(s, p);
                if (p < s.size() && s[p] == ',') { ++p; continue; }
                if (p < s.size() && s[p] == ']') { ++p; return j; }
                fail(s, p, "expected ',' or ']'");
            }
        }
        if (c == '"') {
            j.type = Type::String;
            j.string = parse_string(s, p);
            return j;
        }
        if (c == 't') { expect(s, p, "true"); j.type = Type::Bool; j.boolean = true; return j; }
        if (c == 'f') { expect(s, p, "false"); j.type = Type::Bool; return j; }
        if (c == 'n') { expect(s, p, "null"); return j; }
        j.type = Type::Number;
        if (c == 'N') {
            expect(s, p, "NaN");
            j.number = std::numeric_limits<double>::quiet_NaN();
        } else if (c == 'I' || starts_with(s, p, "-I")) {
            const bool negative = c == '-';
            expect(s, p, negative ? "-Infinity" : "Infinity");
            j.number = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        } else {
            j.number = parse_number(s, p);
        }
        return j;
    }
};

}  // namespace statnn
