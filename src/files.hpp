// src/files.hpp — small file-system helpers for the command layer.
#pragma once

#include <cstdio>
#include <string>

namespace statnn {

// True if `path` names an existing regular file.
bool file_exists(const std::string& path);

// Creates `dir` (and its parents) if needed and checks that files can be written in it.
// Throws cli::UsageError naming `flag` and the problem.
void make_writable_dir(const std::string& dir, const std::string& flag);

// A FILE* that writes into memory, for reports built with fprintf.
class MemoryFile {
public:
    MemoryFile();
    ~MemoryFile();
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::FILE* get() { return file_; }
    std::string text();  // everything written so far

private:
    char* buffer_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* file_ = nullptr;
};

}  // namespace statnn
