// src/report/svg_text.cpp — see svg_text.hpp.
#include "report/svg_text.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace statnn::report {

// Text for XML content and attribute values: the five special characters become entities
// and control characters that XML 1.0 forbids become '?'.
std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
                    out += '?';
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

// A coordinate: at most two decimals, no trailing zeros, locale-independent.
std::string svg_number(double v) {
    if (!std::isfinite(v)) v = 0;
    if (std::fabs(v) < 0.005) v = 0;
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 2);
    if (result.ec != std::errc()) return "0";
    std::string s(buffer, result.ptr);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

double text_width(const std::string& text, double size) {
    double em = 0;
    for (unsigned char ch : text) {
        if (ch >= 'A' && ch <= 'Z') em += 0.72;
        else if (ch == 'i' || ch == 'l' || ch == 'j' || ch == '.' || ch == ',' || ch == ' ' || ch == '\'') em += 0.34;
        else if (ch == 'm' || ch == 'w') em += 0.92;
        else em += 0.62;
    }
    return em * size;
}

}  // namespace statnn::report
