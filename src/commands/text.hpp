// src/commands/text.hpp — small texts the commands print: times, dates, shell words.
#pragma once

#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

namespace statnn::app {

inline std::string now_stamp() {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
    return buf;
}

inline std::string format_seconds(double s) {
    char buf[64];
    const long t = long(std::lround(s));
    std::snprintf(buf, sizeof buf, "%.1f s (%ld:%02ld:%02ld)", s, t / 3600, (t / 60) % 60, t % 60);
    return buf;
}

// `word` as one shell word, for the command line printed to continue a run.
inline std::string shell_word(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=+,@%") ==
                             std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

}  // namespace statnn::app
