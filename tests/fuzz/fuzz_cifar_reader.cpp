// tests/fuzz/fuzz_cifar_reader.cpp — libFuzzer target: any bytes as a CIFAR-10 test file.
// The set is validated and, if accepted, every record streamed through the reader. Any
// problem must be a DataError, never a crash, a hang or a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "statnn/data/batch_reader.hpp"
#include "statnn/data/cifar10.hpp"
#include "statnn/shape.hpp"

namespace {

const std::string& scratch_dir() {
    static const std::string dir = [] {
        char templ[] = "/tmp/statnn-fuzz.XXXXXX";
        return std::string(::mkdtemp(templ));
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = scratch_dir() + "/test_batch.bin";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        const statnn::data::Cifar10Set set(scratch_dir(), statnn::data::Split::Test);
        using Reader = statnn::data::BatchReader<statnn::Shape<3, 32, 32>, 7>;
        static Reader::Slots slots;
        Reader reader(set, slots, 7, 0, size % 2 == 0, size);
        std::vector<float> images(7 * statnn::data::kImageBytes);
        std::vector<std::int32_t> labels(7);
        reader.start_epoch(int(size % 3));
        for (int n; (n = reader.next(images.data(), labels.data())) > 0;)
            for (int r = 0; r < n; ++r)
                if (labels[r] < 0 || labels[r] > 9) __builtin_trap();
    } catch (const statnn::data::DataError&) {
    }
    return 0;
}
