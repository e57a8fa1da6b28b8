// src/report/svg_text.hpp — text the SVG writers share.
#pragma once

#include <string>

namespace statnn::report {

// Text for XML content and attribute values: the five special characters become
// entities; control characters XML 1.0 forbids become '?'.
std::string xml_escape(const std::string& text);

// A coordinate: at most two decimals, no trailing zeros, locale-independent.
std::string svg_number(double v);

// A generous estimate of the rendered width of `text` in a sans-serif font of size `size`
// (there is no font metrics library; layouts leave room for the widest common glyphs).
double text_width(const std::string& text, double size);

}  // namespace statnn::report
