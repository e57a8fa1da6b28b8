// src/report/svg_text.hpp — text the SVG writers share.
#pragma once

#include <string>

namespace statnn::report {

// Text for XML content and attribute values: the five special characters become
// entities; control characters XML 1.0 forbids become '?'.
std::string xml_escape(const std::string& text);

// A coordinate: at most two decimals, no trailing zeros, locale-independent.
std::string svg_number(double v);

}  // namespace statnn::report
