// statnn/data/file_handle.hpp — an open file descriptor and whole reads at an offset.
#pragma once

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/types.h>
#include <unistd.h>
#include <utility>

#include "statnn/data/record_source.hpp"

namespace statnn::data {

// A file descriptor that closes itself.
class FileHandle {
public:
    FileHandle() = default;
    explicit FileHandle(int fd) : fd_(fd) {}
    ~FileHandle() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileHandle(FileHandle&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    FileHandle& operator=(FileHandle&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    int get() const { return fd_; }

private:
    int fd_ = -1;
};

// Reads exactly `size` bytes at `offset` (pread: no shared file position, so any thread
// may read at once). False at the end of the file; `error` is then empty, or errno's
// text when the read failed.
inline bool read_exactly(int fd, void* out, std::size_t size, off_t offset, std::string& error) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, static_cast<char*>(out) + done, size - done, offset + off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? std::strerror(errno) : "";
            return false;
        }
        done += std::size_t(n);
    }
    return true;
}

}  // namespace statnn::data
