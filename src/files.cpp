// src/files.cpp — see files.hpp.
#include "files.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.hpp"

namespace statnn {

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void make_writable_dir(const std::string& dir, const std::string& flag) {
    if (dir.empty()) throw cli::UsageError(flag + ": empty path");
    // Create each missing component.
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos < dir.size() && dir[pos] != '/') continue;
        const std::string part = dir.substr(0, pos);
        struct stat st {};
        if (::stat(part.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) throw cli::UsageError(flag + " " + dir + ": " + part + " is not a directory");
            continue;
        }
        if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            throw cli::UsageError(flag + " " + dir + ": cannot create " + part + " (" + std::strerror(errno) + ")");
    }
    // Permission bits do not tell the whole story (read-only mounts, root): try it.
    const std::string probe = dir + "/.write-test." + std::to_string(::getpid());
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw cli::UsageError(flag + " " + dir + ": not writable (" + std::strerror(errno) + ")");
    ::close(fd);
    ::unlink(probe.c_str());
}

MemoryFile::MemoryFile() : file_(::open_memstream(&buffer_, &size_)) {
    if (!file_) throw std::runtime_error("cannot open a memory stream");
}

MemoryFile::~MemoryFile() {
    if (file_) std::fclose(file_);
    std::free(buffer_);
}

std::string MemoryFile::text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
}

}  // namespace statnn
