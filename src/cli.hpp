// src/cli.hpp — command-line parsing shared by every per-architecture binary.
//
//   <binary> <command> [--flag value | --switch]... [positional]...
//
// Every flag is declared with its kind; a value that does not parse, a negative or zero
// count, or an unknown flag is reported as one line naming the flag, then usage.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace statnn::cli {

// A bad command line: the message names the flag and the problem.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class FlagKind { Switch, Text, PositiveInt, NonNegativeInt, Seed, PositiveReal, NonNegativeReal, PositiveIntList };

struct FlagSpec {
    const char* name;       // without the leading "--"
    FlagKind kind;
    const char* value_name; // e.g. "N", "DIR"
    const char* help;
};

class Args {
public:
    // Parses argv[first..argc). Throws UsageError.
    Args(int argc, char** argv, int first, const std::vector<FlagSpec>& specs);

    bool has(const std::string& flag) const { return values_.count(flag) != 0; }
    std::string text(const std::string& flag, const std::string& fallback = "") const;
    long long integer(const std::string& flag, long long fallback) const;
    std::uint64_t seed(const std::string& flag, std::uint64_t fallback) const;
    double real(const std::string& flag, double fallback) const;
    // A PositiveIntList flag's values, ascending, each once ("20,10,20" gives 10, 20).
    std::vector<long long> integer_list(const std::string& flag) const;
    const std::vector<std::string>& positional() const { return positional_; }
    // argv[0]: the binary as it was run, for messages that tell what to run next.
    const std::string& program() const { return program_; }

private:
    std::string program_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

// "  --epochs N      number of epochs (default 10)" lines for --help.
std::string describe_flags(const std::vector<FlagSpec>& specs);

}  // namespace statnn::cli
