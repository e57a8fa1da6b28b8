// tests/support/xml_check.hpp — a small XML well-formedness checker for the SVG writers.
#pragma once

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace statnn::test {

namespace xml_detail {

inline bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
inline bool is_name_char(char c) {
    return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Checks the '&' references in text or an attribute value.
inline std::string check_references(const std::string& text) {
    static const std::set<std::string> predefined = {"amp", "lt", "gt", "quot", "apos"};
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') continue;
        const std::size_t semi = text.find(';', i);
        if (semi == std::string::npos) return "'&' without ';' in \"" + text + "\"";
        const std::string ref = text.substr(i + 1, semi - i - 1);
        bool ok = predefined.count(ref) > 0;
        if (!ok && ref.size() > 1 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const std::string digits = ref.substr(hex ? 2 : 1);
            ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [&](char c) {
                return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                           : std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
        }
        if (!ok) return "bad reference '&" + ref + ";'";
        i = semi;
    }
    return "";
}

}  // namespace xml_detail

// Covers what the writers emit: an optional <?xml ...?> declaration, comments, elements
// with quoted attributes, text and the five predefined entities or character references.
// Returns "" when the document is well-formed, otherwise the first problem found.
inline std::string xml_problem(const std::string& xml) {
    using namespace xml_detail;
    std::size_t pos = 0;
    const std::size_t n = xml.size();
    if (xml.compare(0, 5, "<?xml") == 0) {
        const std::size_t end = xml.find("?>");
        if (end == std::string::npos) return "unterminated XML declaration";
        pos = end + 2;
    }
    std::vector<std::string> open;
    bool root_seen = false, root_closed = false;
    auto read_name = [&](std::string& name) {
        if (pos >= n || !is_name_start(xml[pos])) return false;
        const std::size_t start = pos;
        while (pos < n && is_name_char(xml[pos])) ++pos;
        name = xml.substr(start, pos - start);
        return true;
    };
    while (pos < n) {
        if (xml[pos] != '<') {
            const std::size_t end = std::min(xml.find('<', pos), n);
            const std::string text = xml.substr(pos, end - pos);
            if (open.empty() && !std::all_of(text.begin(), text.end(), is_space)) {
                return "text outside the root element: \"" + text + "\"";
            }
            const std::string bad = check_references(text);
            if (!bad.empty()) return bad;
            pos = end;
            continue;
        }
        if (xml.compare(pos, 4, "<!--") == 0) {
            const std::size_t end = xml.find("-->", pos + 4);
            if (end == std::string::npos) return "unterminated comment";
            pos = end + 3;
            continue;
        }
        if (xml.compare(pos, 2, "</") == 0) {
            pos += 2;
            std::string name;
            if (!read_name(name)) return "bad closing tag name";
            while (pos < n && is_space(xml[pos])) ++pos;
            if (pos >= n || xml[pos] != '>') return "closing tag </" + name + " is not closed by '>'";
            ++pos;
            if (open.empty()) return "closing tag </" + name + "> without an open element";
            if (open.back() != name) return "closing tag </" + name + "> does not match <" + open.back() + ">";
            open.pop_back();
            if (open.empty()) root_closed = true;
            continue;
        }
        if (xml.compare(pos, 2, "<!") == 0 || xml.compare(pos, 2, "<?") == 0) {
            return "unsupported markup at offset " + std::to_string(pos);
        }
        // A start tag.
        ++pos;
        std::string name;
        if (!read_name(name)) return "bad element name at offset " + std::to_string(pos);
        if (root_closed) return "a second root element <" + name + ">";
        root_seen = true;
        std::set<std::string> attributes;
        for (;;) {
            const std::size_t before = pos;
            while (pos < n && is_space(xml[pos])) ++pos;
            if (pos >= n) return "unterminated tag <" + name + ">";
            if (xml.compare(pos, 2, "/>") == 0) {
                pos += 2;
                if (open.empty()) root_closed = true;
                break;
            }
            if (xml[pos] == '>') {
                ++pos;
                open.push_back(name);
                break;
            }
            if (pos == before) return "no space before an attribute of <" + name + ">";
            std::string attribute;
            if (!read_name(attribute)) return "bad attribute name in <" + name + ">";
            if (!attributes.insert(attribute).second) return "duplicate attribute " + attribute + " in <" + name + ">";
            while (pos < n && is_space(xml[pos])) ++pos;
            if (pos >= n || xml[pos] != '=') return "attribute " + attribute + " of <" + name + "> has no '='";
            ++pos;
            while (pos < n && is_space(xml[pos])) ++pos;
            if (pos >= n || (xml[pos] != '"' && xml[pos] != '\'')) {
                return "attribute " + attribute + " of <" + name + "> is not quoted";
            }
            const char quote = xml[pos++];
            const std::size_t end = xml.find(quote, pos);
            if (end == std::string::npos) return "unterminated value of attribute " + attribute;
            const std::string value = xml.substr(pos, end - pos);
            if (value.find('<') != std::string::npos) return "'<' in the value of attribute " + attribute;
            const std::string bad = check_references(value);
            if (!bad.empty()) return bad;
            pos = end + 1;
        }
    }
    if (!open.empty()) return "element <" + open.back() + "> is never closed";
    if (!root_seen) return "no root element";
    return "";
}

}  // namespace statnn::test
