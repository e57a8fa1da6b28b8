// tests/tools/weights_diff.cpp — compares the parameters of two cnn6 weight or checkpoint
// files, tensor by tensor: `weights_diff A B TOLERANCE`. For each tensor the difference is
// max |a - b| / max |a| (relative to the tensor's largest weight, so near-zero weights do
// not blow it up); exit 0 when every tensor is within TOLERANCE (0: bit for bit), 1 when
// not, 2 when a file cannot be read.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "cnn6.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/network.hpp"

namespace {

// cnn6 as its binary builds it (Keras SGD: one optimizer array).
using Net = statnn::Network<statnn::models::Cnn6, 32, std::decay_t<decltype(statnn::models::kCnn6Recipe)>::OptimizerType::kStateSlots>;

struct TensorDiff {
    double max_abs_diff = 0, max_abs = 0;
    bool bitwise_equal = true;
};

TensorDiff diff(const float* a, const float* b, std::size_t n) {
    TensorDiff d;
    for (std::size_t i = 0; i < n; ++i) {
        d.max_abs_diff = std::fmax(d.max_abs_diff, std::fabs(double(a[i]) - double(b[i])));
        d.max_abs = std::fmax(d.max_abs, std::fabs(double(a[i])));
        d.bitwise_equal = d.bitwise_equal && std::memcmp(a + i, b + i, sizeof(float)) == 0;
    }
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: weights_diff A.bin B.bin TOLERANCE\n");
        return 2;
    }
    const double tolerance = std::atof(argv[3]);
    auto a = std::make_unique<Net>(1, 1), b = std::make_unique<Net>(1, 1);
    try {
        statnn::io::load_checkpoint(argv[1], *a);
        statnn::io::load_checkpoint(argv[2], *b);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "weights_diff: %s\n", e.what());
        return 2;
    }
    double worst = 0;
    bool all_equal = true;
    auto report = [&](const std::string& name, const float* pa, const float* pb, std::size_t n) {
        const TensorDiff d = diff(pa, pb, n);
        const double relative = d.max_abs > 0 ? d.max_abs_diff / d.max_abs : d.max_abs_diff;
        worst = std::fmax(worst, relative);
        all_equal = all_equal && d.bitwise_equal;
        std::printf("%-16s %9zu values  max |a-b| %.3g  relative %.3g%s\n", name.c_str(), n, d.max_abs_diff, relative,
                    d.bitwise_equal ? "  (bit for bit)" : "");
    };
    struct Tensor {
        std::string name;
        const float* data;
        std::size_t size;
    };
    auto tensors = [](Net& net) {
        std::vector<Tensor> list;
        net.visit([&](auto k, auto& layer) {
            using L = std::decay_t<decltype(layer)>;
            if constexpr (L::kKernelSize > 0) list.push_back({std::string(net.layer_name(k)) + ".kernel", layer.kernel, L::kKernelSize});
            if constexpr (L::kBiasSize > 0) list.push_back({std::string(net.layer_name(k)) + ".bias", layer.bias, L::kBiasSize});
        });
        return list;
    };
    const auto ta = tensors(*a), tb = tensors(*b);
    for (std::size_t i = 0; i < ta.size(); ++i) report(ta[i].name, ta[i].data, tb[i].data, ta[i].size);
    const bool ok = tolerance == 0 ? all_equal : worst <= tolerance;
    std::printf("%s: largest relative difference %.3g, %s (tolerance %g%s)\n", ok ? "same" : "DIFFERENT", worst,
                all_equal ? "bit for bit equal" : "not bit for bit equal", tolerance, tolerance == 0 ? ": bit for bit" : "");
    return ok ? 0 : 1;
}
