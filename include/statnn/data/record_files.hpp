// statnn/data/record_files.hpp — what the formats of fixed-size records share: the
// dataset folder, opening and validating one file of records, scanning its records
// once at open, and class names read from a text file of one name a line.
#pragma once

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "statnn/data/file_handle.hpp"
#include "statnn/data/record_source.hpp"

namespace statnn::data {

// One open file of whole records, validated.
struct RecordFile {
    std::string path;
    long records = 0;
    FileHandle fd;
};

// Throws DataError unless `dir` is a directory.
inline void check_data_dir(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        throw DataError(dir + (errno == ENOENT ? std::string(": no such directory (see --data)")
                                               : ": cannot access (" + std::string(std::strerror(errno)) + ")"));
    if (!S_ISDIR(st.st_mode)) throw DataError(dir + ": not a directory (see --data)");
}

// Opens `path`: a regular, readable, non-empty file of a whole number of
// `record_bytes`-byte records. A missing file's message ends with `(expected)`.
// Throws DataError.
inline RecordFile open_record_file(const std::string& path, long record_bytes, const std::string& expected) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) throw DataError(path + ": missing (" + expected + ")");
        throw DataError(path + ": cannot access (" + std::strerror(errno) + ")");
    }
    if (S_ISDIR(st.st_mode)) throw DataError(path + ": is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) throw DataError(path + ": not a regular file");
    RecordFile f;
    f.path = path;
    f.fd = FileHandle(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd.get() < 0) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
    if (st.st_size == 0) throw DataError(path + ": empty file");
    if (st.st_size % record_bytes != 0)
        throw DataError(path + ": " + std::to_string(st.st_size) + " bytes is not a whole number of " +
                        std::to_string(record_bytes) + "-byte records");
    f.records = long(st.st_size / record_bytes);
    return f;
}

// Calls check(record, index) for every record of `f` in file order, reading chunks of
// whole records: a whole file would be 150 MB, a record at a time 50,000 reads.
template <class Check>
void scan_records(const RecordFile& f, long record_bytes, Check&& check) {
    constexpr long kChunkRecords = 512;
    std::vector<unsigned char> chunk(std::size_t(kChunkRecords) * std::size_t(record_bytes));
    for (long first = 0; first < f.records; first += kChunkRecords) {
        const long n = std::min(kChunkRecords, f.records - first);
        std::string error;
        if (!read_exactly(f.fd.get(), chunk.data(), std::size_t(n * record_bytes), off_t(first) * record_bytes, error))
            throw DataError(f.path + ": cannot read (" + (error.empty() ? "unexpected end of file" : error) + ")");
        for (long r = 0; r < n; ++r) check(chunk.data() + std::size_t(r * record_bytes), first + r);
    }
}

// The names in `path`, one a line, when the file holds exactly `count` non-empty lines
// of printable ASCII (trailing spaces and line ends dropped, empty lines skipped);
// nothing when it is missing or holds anything else.
inline std::optional<std::vector<std::string>> read_name_lines(const std::string& path, std::size_t count) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!f) return std::nullopt;
    std::vector<std::string> read;
    char line[128];
    while (read.size() <= count && std::fgets(line, sizeof line, f.get())) {
        std::string s(line);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
        if (!s.empty()) read.push_back(s);
    }
    bool ok = read.size() == count;
    for (const auto& s : read)
        for (char c : s) ok = ok && c >= 32 && c < 127;
    if (!ok) return std::nullopt;
    return read;
}

}  // namespace statnn::data
