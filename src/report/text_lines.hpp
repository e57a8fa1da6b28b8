// src/report/text_lines.hpp — the lines of a text file the CSV readers share.
#pragma once

#include <string>
#include <vector>

namespace statnn::report {

// The lines of `text`, ended by "\n" or "\r\n" (the last one may lack its end), without
// the blank lines at the end of the file.
inline std::vector<std::string> text_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

}  // namespace statnn::report
