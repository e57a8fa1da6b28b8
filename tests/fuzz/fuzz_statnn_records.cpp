// tests/fuzz/fuzz_statnn_records.cpp — libFuzzer target: any bytes as one file of a folder
// of statnn records. The input's last byte chooses the file: even, train.statnn; odd,
// test.statnn. The other file is a small valid one (statnn_records_seed()). Both splits
// are opened and, if accepted, every record read, its label checked against the class
// count; then the class names are read. Any problem must be a DataError, never a crash, a
// hang or a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "statnn/data/statnn_records.hpp"
#include "read_every_record.hpp"
#include "statnn_records_seed.hpp"

namespace {

using statnn::data::Split;
using statnn::data::StatnnRecordSet;

const std::string& scratch_dir() {
    static const std::string dir = [] {
        char templ[] = "/tmp/statnn-fuzz-records.XXXXXX";
        return std::string(::mkdtemp(templ));
    }();
    return dir;
}

void write_file(const std::string& path, const unsigned char* data, std::size_t size) {
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
}

void read_every_record(Split split) { statnn::test::read_every_record(StatnnRecordSet(scratch_dir(), split)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Split fuzzed = data[size - 1] % 2 == 0 ? Split::Train : Split::Test;
    const std::string valid = statnn::test::statnn_records_seed();
    for (Split split : {Split::Train, Split::Test}) {
        const std::string path = scratch_dir() + "/" + StatnnRecordSet::file_name(split);
        if (split == fuzzed) write_file(path, data, size - 1);
        else write_file(path, reinterpret_cast<const unsigned char*>(valid.data()), valid.size());
    }
    for (Split split : {Split::Train, Split::Test}) {
        try {
            read_every_record(split);
        } catch (const statnn::data::DataError&) {
        }
    }
    try {
        if (StatnnRecordSet::class_names(scratch_dir()).empty()) __builtin_trap();
    } catch (const statnn::data::DataError&) {
    }
    return 0;
}
