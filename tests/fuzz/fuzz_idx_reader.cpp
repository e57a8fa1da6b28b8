// tests/fuzz/fuzz_idx_reader.cpp — libFuzzer target: any bytes as one file of an idx set.
// The input's last byte chooses the file (of the four) and how it is written: as given
// to the plain name, as given to the .gz name (the bytes are the gzip stream), or
// gzip-compressed here (the bytes are the idx content behind a valid stream). The other
// three files are a small valid set. Both splits are opened and, if accepted, every record
// read. Any problem must be a DataError, never a crash, a hang or a sanitizer report.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "read_every_record.hpp"
#include "statnn/data/idx.hpp"

namespace {

using Bytes = std::vector<unsigned char>;

const char* const kFiles[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                               "t10k-labels-idx1-ubyte"};

const std::string& scratch_dir() {
    static const std::string dir = [] {
        char templ[] = "/tmp/statnn-fuzz-idx.XXXXXX";
        const std::string made = ::mkdtemp(templ);
        ::setenv("STATNN_CACHE_DIR", (made + "/cache").c_str(), 1);
        return made;
    }();
    return dir;
}

void write_file(const std::string& path, const unsigned char* data, std::size_t size) {
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
}

Bytes gzip(const unsigned char* data, std::size_t size) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    Bytes out(deflateBound(&z, uLong(size)));
    z.next_in = const_cast<unsigned char*>(data);
    z.avail_in = uInt(size);
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// A valid set: 3 training and 2 test images of 2x3 pixels, labels 0..2.
Bytes valid_file(int which) {
    static const Bytes files[4] = {
        {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18},
        {0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2},
        {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 254},
        {0, 0, 8, 1, 0, 0, 0, 2, 2, 0},
    };
    return files[which];
}

void write_set(const unsigned char* data, std::size_t size, int which, int mode) {
    for (int f = 0; f < 4; ++f) {
        const std::string path = scratch_dir() + "/" + kFiles[f];
        ::unlink(path.c_str());
        ::unlink((path + ".gz").c_str());
        if (f != which) {
            const Bytes valid = valid_file(f);
            write_file(path, valid.data(), valid.size());
        } else if (mode == 0) {
            write_file(path, data, size);
        } else if (mode == 1) {
            write_file(path + ".gz", data, size);
        } else {
            const Bytes packed = gzip(data, size);
            write_file(path + ".gz", packed.data(), packed.size());
        }
    }
}

void read_every_record(statnn::data::Split split) {
    statnn::test::read_every_record(statnn::data::IdxSet(scratch_dir(), split));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int selector = data[size - 1];
    write_set(data, size - 1, (selector / 3) % 4, selector % 3);
    for (auto split : {statnn::data::Split::Train, statnn::data::Split::Test}) {
        try {
            read_every_record(split);
        } catch (const statnn::data::DataError&) {
        }
    }
    try {
        if (statnn::data::IdxSet::class_names(scratch_dir()).empty()) __builtin_trap();
    } catch (const statnn::data::DataError&) {
    }
    return 0;
}
