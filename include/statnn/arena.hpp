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

namespace statnn {

constexpr std::size_t align_up(std::size_t n, std::size_t a = kAlignment) { return (n + a - 1) / a * a; }

// Bytes of `count` floats, rounded up so that the next slice stays aligned.
constexpr std::size_t float_bytes(std::size_t count) { return align_up(count * sizeof(float)); }

class Arena {
public:
    explicit Arena(std::size_t bytes)
        : bytes_(bytes),
          data_(static_cast<std::byte*>(::operator new(bytes == 0 ? kAlignment : bytes, std::align_val_t{kAlignment}))) {
        // Zero once so padding borders and unused tails are defined.
        std::memset(data_, 0, bytes_);
    }
    ~Arena() { ::operator delete(data_, std::align_val_t{kAlignment}); }
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
};

}  // namespace statnn
