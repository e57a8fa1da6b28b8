// tests/support/json.hpp — a small JSON reader for the golden manifests.
//
// Parses the whole grammar (objects, arrays, strings with escapes, numbers, true, false,
// null) into a tree; throws std::runtime_error with the byte offset on malformed input.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace statnn::test {

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
    std::size_t size() const { return type == Type::Array ? array.size() : object.size(); }

    static Json parse(const std::string& text) {
        std::size_t pos = 0;
        Json j = parse_value(text, pos);
        skip_ws(text, pos);
        if (pos != text.size()) fail(pos, "trailing characters");
        return j;
    }

private:
    [[noreturn]] static void fail(std::size_t pos, const char* what) {
        throw std::runtime_error("json: " + std::string(what) + " at byte " + std::to_string(pos));
    }
    static void skip_ws(const std::string& s, std::size_t& p) {
        while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
    }
    static void expect(const std::string& s, std::size_t& p, const char* word) {
        for (const char* c = word; *c; ++c, ++p)
            if (p >= s.size() || s[p] != *c) fail(p, "unexpected token");
    }
    static std::string parse_string(const std::string& s, std::size_t& p) {
        if (s[p] != '"') fail(p, "expected string");
        ++p;
        std::string out;
        while (p < s.size() && s[p] != '"') {
            char c = s[p++];
            if (c == '\\') {
                if (p >= s.size()) fail(p, "bad escape");
                char e = s[p++];
                switch (e) {
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case 'r': out += '\r'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'u': {
                        if (p + 4 > s.size()) fail(p, "bad \\u escape");
                        unsigned cp = unsigned(std::strtoul(s.substr(p, 4).c_str(), nullptr, 16));
                        p += 4;
                        if (cp < 0x80) out += char(cp);
                        else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
                        else { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
                        break;
                    }
                    default: out += e;
                }
            } else {
                out += c;
            }
        }
        if (p >= s.size()) fail(p, "unterminated string");
        ++p;
        return out;
    }
    static Json parse_value(const std::string& s, std::size_t& p) {
        skip_ws(s, p);
        if (p >= s.size()) fail(p, "unexpected end");
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
                if (p >= s.size() || s[p] != ':') fail(p, "expected ':'");
                ++p;
                j.object[key] = parse_value(s, p);
                skip_ws(s, p);
                if (p < s.size() && s[p] == ',') { ++p; continue; }
                if (p < s.size() && s[p] == '}') { ++p; return j; }
                fail(p, "expected ',' or '}'");
            }
        }
        if (c == '[') {
            j.type = Type::Array;
            ++p;
            skip_ws(s, p);
            if (p < s.size() && s[p] == ']') { ++p; return j; }
            for (;;) {
                j.array.push_back(parse_value(s, p));
                skip_ws(s, p);
                if (p < s.size() && s[p] == ',') { ++p; continue; }
                if (p < s.size() && s[p] == ']') { ++p; return j; }
                fail(p, "expected ',' or ']'");
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
        char* end = nullptr;
        j.number = std::strtod(s.c_str() + p, &end);
        if (end == s.c_str() + p) fail(p, "unexpected character");
        j.type = Type::Number;
        p = std::size_t(end - s.c_str());
        return j;
    }
};

}  // namespace statnn::test
