// statnn/arena.hpp — the one block of memory a network owns.
//
// A network computes, at compile time, how many bytes it needs for parameters,
// gradients, optimizer state, saved activations and scratch (see network.hpp), then
// allocates exactly that once, here. Nothing is allocated after construction.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>

#include "statnn/config.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace statnn {

constexpr std::size_t align_up(std::size_t n, std::size_t a = kAlignment) { return (n + a - 1) / a * a; }

// Bytes of `count` floats, rounded up so that the next slice stays aligned.
constexpr std::size_t float_bytes(std::size_t count) { return align_up(count * sizeof(float)); }

// Large blocks start on a 2 MiB boundary and ask Linux for transparent huge pages: the
// kernels sweep parameter tensors of several MiB with page-sized strides (a dense
// kernel row is 4 KiB), and with 4 KiB pages every row would cost a TLB miss.
inline constexpr std::size_t kHugePage = std::size_t(2) << 20;

inline std::size_t block_alignment(std::size_t bytes) { return bytes >= 2 * kHugePage ? kHugePage : kAlignment; }

inline std::byte* allocate_block(std::size_t bytes) {
    const std::size_t align = block_alignment(bytes);
    const std::size_t size = bytes == 0 ? kAlignment : align_up(bytes, align);
    auto* p = static_cast<std::byte*>(::operator new(size, std::align_val_t{align}));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == kHugePage) ::madvise(p, size, MADV_HUGEPAGE);  // a hint: harmless if refused
#endif
    std::memset(p, 0, size);  // zero once, so padding borders and unused tails are defined
    return p;
}

inline void free_block(std::byte* p, std::size_t bytes) { ::operator delete(p, std::align_val_t{block_alignment(bytes)}); }

class Arena {
public:
    explicit Arena(std::size_t bytes) : bytes_(bytes), data_(allocate_block(bytes)), owned_(true) {}
    // Memory the caller owns (a static array on a microcontroller, which has no heap to
    // spare): `bytes` of it, kAlignment-aligned; zeroed here, never freed.
    Arena(std::byte* memory, std::size_t bytes) : bytes_(bytes), data_(memory), owned_(false) {
        std::memset(memory, 0, bytes);
    }
    ~Arena() {
        if (owned_) free_block(data_, bytes_);
    }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    std::size_t size() const { return bytes_; }
    std::byte* data() { return data_; }

    template <class T>
    T* at(std::size_t offset) {
        return reinterpret_cast<T*>(data_ + offset);
    }

private:
    std::size_t bytes_;
    std::byte* data_;
    bool owned_;
};

}  // namespace statnn
