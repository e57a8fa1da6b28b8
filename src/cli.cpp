// src/cli.cpp — command-line parsing (see cli.hpp).
#include "cli.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace statnn::cli {

namespace {

const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, const std::string& name) {
    for (const auto& s : specs)
        if (name == s.name) return &s;
    return nullptr;
}

[[noreturn]] void bad_value(const std::string& flag, const std::string& value, const char* expected) {
    throw UsageError("--" + flag + ": expected " + expected + ", got '" + value + "'");
}

long long parse_integer(const std::string& flag, const std::string& value, long long min, const char* expected) {
    if (value.empty()) bad_value(flag, value, expected);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < min) bad_value(flag, value, expected);
    return v;
}

double parse_real(const std::string& flag, const std::string& value, bool allow_zero, const char* expected) {
    if (value.empty()) bad_value(flag, value, expected);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(v) || v < 0 || (!allow_zero && v == 0))
        bad_value(flag, value, expected);
    return v;
}

// "10,20,50": comma-separated positive integers, no empty items.
std::vector<long long> parse_integer_list(const std::string& flag, const std::string& value) {
    const char* expected = "a comma-separated list of positive integers (e.g. 10,20,50)";
    std::set<long long> values;
    std::size_t from = 0;
    for (;;) {
        const std::size_t comma = value.find(',', from);
        const std::string item = value.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        if (item.empty() || item[0] < '0' || item[0] > '9') bad_value(flag, value, expected);
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (errno != 0 || *end != '\0' || v < 1) bad_value(flag, value, expected);
        values.insert(v);
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return std::vector<long long>(values.begin(), values.end());
}

void validate(const FlagSpec& spec, const std::string& value) {
    const std::string flag = spec.name;
    switch (spec.kind) {
        case FlagKind::PositiveInt: parse_integer(flag, value, 1, "a positive integer"); break;
        case FlagKind::NonNegativeInt: parse_integer(flag, value, 0, "a non-negative integer"); break;
        case FlagKind::Seed: parse_integer(flag, value, 0, "a non-negative integer"); break;
        case FlagKind::PositiveReal: parse_real(flag, value, false, "a positive number"); break;
        case FlagKind::NonNegativeReal: parse_real(flag, value, true, "a non-negative number"); break;
        case FlagKind::PositiveIntList: parse_integer_list(flag, value); break;
        case FlagKind::Text:
            if (value.empty()) throw UsageError("--" + flag + ": expected " + spec.value_name + ", got an empty value");
            break;
        case FlagKind::Switch: break;
    }
}

}  // namespace

Args::Args(int argc, char** argv, int first, const std::vector<FlagSpec>& specs)
    : program_(argc > 0 && argv[0] ? argv[0] : "") {
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string name = a.substr(2), value;
            const auto eq = name.find('=');
            const bool inline_value = eq != std::string::npos;
            if (inline_value) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            const FlagSpec* spec = find_spec(specs, name);
            if (!spec) throw UsageError("unknown flag --" + name);
            if (spec->kind == FlagKind::Switch) {
                if (inline_value) throw UsageError("--" + name + " takes no value");
                values_[name] = "1";
                continue;
            }
            if (!inline_value) {
                if (i + 1 >= argc) throw UsageError("--" + name + ": missing value " + spec->value_name);
                value = argv[++i];
            }
            validate(*spec, value);
            values_[name] = value;
        } else if (a.size() > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
            throw UsageError("unknown flag " + a + " (flags start with --)");
        } else {
            positional_.push_back(a);
        }
    }
}

std::string Args::text(const std::string& flag, const std::string& fallback) const {
    auto it = values_.find(flag);
    return it == values_.end() ? fallback : it->second;
}

long long Args::integer(const std::string& flag, long long fallback) const {
    auto it = values_.find(flag);
    return it == values_.end() ? fallback : std::strtoll(it->second.c_str(), nullptr, 10);
}

std::uint64_t Args::seed(const std::string& flag, std::uint64_t fallback) const {
    auto it = values_.find(flag);
    return it == values_.end() ? fallback : std::strtoull(it->second.c_str(), nullptr, 10);
}

double Args::real(const std::string& flag, double fallback) const {
    auto it = values_.find(flag);
    return it == values_.end() ? fallback : std::strtod(it->second.c_str(), nullptr);
}

std::vector<long long> Args::integer_list(const std::string& flag) const {
    auto it = values_.find(flag);
    return it == values_.end() ? std::vector<long long>{} : parse_integer_list(flag, it->second);
}

std::string describe_flags(const std::vector<FlagSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string left = std::string("  --") + s.name;
        if (s.kind != FlagKind::Switch) left += std::string(" ") + s.value_name;
        if (left.size() < 24) left.resize(24, ' ');
        else left += "  ";
        out += left + s.help + "\n";
    }
    return out;
}

}  // namespace statnn::cli
