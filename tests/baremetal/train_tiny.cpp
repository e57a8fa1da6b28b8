// tests/baremetal/train_tiny.cpp — statnn's trainer core on a microcontroller: a small
// network, its arena in a static array (no heap), one thread, train_step with Keras SGD (momentum) on the
// images of images.h (CIFAR-10 records embedded by the test), then every weight printed.
// The same source builds for the host; the test compares the two runs.
#include <cstddef>
#include <cstdio>

#include "images.h"
#include "statnn/network.hpp"
#include "statnn/loss/softmax_cross_entropy.hpp"
#include "statnn/optim/keras_sgd.hpp"
#include "statnn/optim/schedule.hpp"
#include "statnn/train/train_step.hpp"

using namespace statnn;

using Tiny = Sequential<Input<3, 32, 32>, Conv2D<8, 3, Same, ReLU>, MaxPooling2D<2>, Conv2D<16, 3, Same, ReLU>,
                        MaxPooling2D<2>, Flatten, Dropout<20>, Dense<32, ReLU, MaxNorm<3>>, Dense<10>, Softmax>;
constexpr int kBatch = 8;
using Net = Network<Tiny, kBatch>;

// train_step needs only the optimizer, schedule and loss of a recipe: the full Recipe
// (train/recipe.hpp) also carries the data pipeline's settings, which a board without
// exceptions or files does not build.
struct TinyRecipe {
    using OptimizerType = optim::KerasSgd;
    optim::KerasSgd optimizer{0.9, true};
    optim::KerasDecay schedule{0.05, 1e-4};
    loss::SoftmaxCrossEntropy loss{};
};

alignas(kAlignment) static std::byte memory[Net::kArenaBytes];

int main() {
    static Net net(memory, 1);  // static: the board's stack is small
    constexpr TinyRecipe recipe{};
    constexpr int kSteps = 6;
    for (int step = 0; step < kSteps; ++step) {
        for (int r = 0; r < kBatch; ++r) {
            const unsigned char* record = images[(step * kBatch + r) % IMAGES];
            net.labels()[r] = record[0];
            float* x = net.input() + std::size_t(r) * 3072;  // bytes / 255, channels last, as the reader
            for (int p = 0; p < 1024; ++p)
                for (int c = 0; c < 3; ++c) x[p * 3 + c] = float(record[1 + c * 1024 + p]) / 255.0f;
        }
        const double loss = train_step(net, recipe, kBatch, step).loss;
        std::printf("step %d loss %.9g\n", step + 1, loss);
    }
    std::printf("arena %u bytes\n", unsigned(Net::kArenaBytes));
    for (std::size_t i = 0; i < Net::kParamFloats; ++i) std::printf("w %.9g\n", double(net.params()[i]));
    return 0;
}
