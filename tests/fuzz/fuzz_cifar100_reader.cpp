// tests/fuzz/fuzz_cifar100_reader.cpp — libFuzzer target: any bytes as a CIFAR-100 file
// and as its class-name list. The first byte chooses the split, the labels, and whether
// the rest is cut to whole records (so most inputs reach the label checks and the reads
// instead of stopping at the size); the rest is the file. If the set is accepted, every
// record is streamed through the batch reader. Any problem must be a DataError, never a
// crash, a hang or a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "statnn/data/batch_reader.hpp"
#include "statnn/data/cifar100.hpp"
#include "statnn/shape.hpp"

namespace {

using statnn::data::Cifar100Labels;
using statnn::data::Cifar100Set;
using statnn::data::Split;

const std::string& scratch_dir() {
    static const std::string dir = [] {
        char templ[] = "/tmp/statnn-fuzz.XXXXXX";
        return std::string(::mkdtemp(templ));
    }();
    return dir;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
}

// Every record of `set` through the reader: labels must be in range.
void stream(const Cifar100Set& set, std::size_t size) {
    using Reader = statnn::data::BatchReader<statnn::Shape<3, 32, 32>, 7>;
    static Reader::Slots slots;
    Reader reader(set, slots, 7, 0, size % 2 == 0, size);
    std::vector<float> images(7 * 3072);
    std::vector<std::int32_t> labels(7);
    reader.start_epoch(int(size % 3));
    for (int n; (n = reader.next(images.data(), labels.data())) > 0;)
        for (int r = 0; r < n; ++r)
            if (labels[std::size_t(r)] < 0 || labels[std::size_t(r)] >= set.classes()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t control = data[0];
    const Split split = control & 1 ? Split::Test : Split::Train;
    const Cifar100Labels labels = control & 2 ? Cifar100Labels::Coarse : Cifar100Labels::Fine;
    std::size_t bytes = size - 1;
    if (control & 4) bytes -= bytes % statnn::data::kCifar100RecordBytes;
    const std::string dir = scratch_dir();
    write_file(dir + "/" + Cifar100Set::file_name(split), data + 1, bytes);
    write_file(dir + (labels == Cifar100Labels::Fine ? "/fine_label_names.txt" : "/coarse_label_names.txt"), data + 1,
               size - 1);
    if (Cifar100Set::class_names(dir, labels).size() != std::size_t(statnn::data::cifar100_classes(labels)))
        __builtin_trap();
    (void)Cifar100Set::recognizes(dir);
    try {
        const Cifar100Set set(dir, split, labels);
        stream(set, size);
    } catch (const statnn::data::DataError&) {
    }
    return 0;
}
