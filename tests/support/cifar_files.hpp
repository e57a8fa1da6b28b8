// tests/support/cifar_files.hpp — small CIFAR-10 binary file sets made on the fly.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace statnn::test {

// A fresh empty folder under $TMPDIR (or /tmp), removed with its contents at the end.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string templ = std::string(base && *base ? base : "/tmp") + "/statnn-test.XXXXXX";
        std::vector<char> buf(templ.begin(), templ.end());
        buf.push_back('\0');
        if (!::mkdtemp(buf.data())) throw std::runtime_error("cannot create a temporary folder");
        path_ = buf.data();
    }
    ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// The pixel byte of record `global` (index over all files of a split), channel c, pixel p.
inline unsigned char synthetic_pixel(long global, int c, int p) {
    return static_cast<unsigned char>((global * 7 + c * 31 + p * 3) % 256);
}
inline unsigned char synthetic_label(long global) { return static_cast<unsigned char>((global * 3) % 10); }

// Writes `records` records to `path`; record r is global record first + r.
inline void write_cifar_file(const std::string& path, long first, long records) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error(path + ": cannot create");
    std::vector<unsigned char> rec(3073);
    for (long r = 0; r < records; ++r) {
        const long g = first + r;
        rec[0] = synthetic_label(g);
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p) rec[1 + c * 1024 + p] = synthetic_pixel(g, c, p);
        std::fwrite(rec.data(), 1, rec.size(), f);
    }
    std::fclose(f);
}

// A complete set: five training files and a test file of `per_file` records each.
// Training records are numbered 0.. across the files; test records 100000.. .
inline void write_cifar_set(const std::string& dir, long per_file) {
    for (int b = 1; b <= 5; ++b)
        write_cifar_file(dir + "/data_batch_" + std::to_string(b) + ".bin", (b - 1) * per_file, per_file);
    write_cifar_file(dir + "/test_batch.bin", 100000, per_file);
}

}  // namespace statnn::test
