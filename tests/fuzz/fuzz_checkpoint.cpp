// tests/fuzz/fuzz_checkpoint.cpp — libFuzzer target: any bytes as a checkpoint file for
// a small network. Loading must either succeed or throw CheckpointError; a rejected
// file must leave the network untouched.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "statnn/io/checkpoint.hpp"
#include "statnn/network.hpp"

namespace {

using Small = statnn::Sequential<statnn::Input<3, 8, 8>, statnn::Conv2D<4, 3, statnn::Same, statnn::ReLU>,
                                 statnn::MaxPooling2D<2>, statnn::Flatten, statnn::Dense<10>, statnn::Softmax>;
using Net = statnn::Network<Small, 2>;

const std::string& scratch_file() {
    static const std::string path = [] {
        char templ[] = "/tmp/statnn-fuzz.XXXXXX";
        return std::string(::mkdtemp(templ)) + "/checkpoint.bin";
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto net = std::make_unique<Net>(1, 1);
    std::FILE* f = std::fopen(scratch_file().c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    net->initialize(1);
    const std::vector<float> before(net->params(), net->params() + Net::kParamFloats);
    try {
        statnn::io::load_checkpoint(scratch_file(), *net);
    } catch (const statnn::io::CheckpointError&) {
        if (std::memcmp(before.data(), net->params(), before.size() * sizeof(float)) != 0) __builtin_trap();
    }
    return 0;
}
