// statnn/io/atomic_file.hpp — files that are either complete or absent.
//
// Content goes to "<path>.tmp.<pid>" in the same folder, is flushed to disk, and is then
// renamed over <path>: a crash or power cut leaves the old file or the new one, never a
// torn one. Any failure throws IoError naming the file and the problem, and removes the
// temporary file. Writing never allocates, so checkpoints can stream from the arena.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace statnn::io {

struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "path: problem (strerror(errno))"
inline std::string errno_message(const std::string& path, const std::string& problem) {
    return path + ": " + problem + " (" + std::strerror(errno) + ")";
}

class AtomicFile {
public:
    explicit AtomicFile(const std::string& path) : path_(path), tmp_(path + ".tmp." + std::to_string(::getpid())) {
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) throw IoError(errno_message(path_, "cannot create"));
    }
    // Not committed (an error, an exception): the temporary file goes, the target stays.
    ~AtomicFile() {
        if (fd_ >= 0) {
            ::close(fd_);
            ::unlink(tmp_.c_str());
        }
    }
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t bytes) {
        const char* p = static_cast<const char*>(data);
        while (bytes > 0) {
            const ssize_t n = ::write(fd_, p, bytes);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw IoError(errno_message(path_, "cannot write"));
            }
            p += n;
            bytes -= std::size_t(n);
        }
    }
    void write(const std::string& text) { write(text.data(), text.size()); }

    // Flush, fsync, rename over the target, fsync the folder.
    void commit() {
        if (::fsync(fd_) != 0) throw IoError(errno_message(path_, "cannot flush to disk"));
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) {
            ::unlink(tmp_.c_str());
            throw IoError(errno_message(path_, "cannot close"));
        }
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
            const std::string msg = errno_message(path_, "cannot move the finished file into place");
            ::unlink(tmp_.c_str());
            throw IoError(msg);
        }
        const auto slash = path_.find_last_of('/');
        const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
        const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            ::fsync(dfd);  // make the rename itself durable
            ::close(dfd);
        }
    }

    const std::string& path() const { return path_; }

private:
    std::string path_, tmp_;
    int fd_ = -1;
};

inline void write_file_atomic(const std::string& path, const std::string& content) {
    AtomicFile f(path);
    f.write(content);
    f.commit();
}

}  // namespace statnn::io
