// tests/tools/grey_network.cpp — a network of grey 28x28 images (MNIST's shape) built with
// the whole program, as a target of its own would be: every command compiles for an input
// that is not CIFAR-10's, and `summary` runs (CTest grey_network.summary).
#include "app.hpp"
#include "statnn/statnn.hpp"

namespace {

using GreyNet = statnn::Sequential<statnn::Input<1, 28, 28>,
                                   statnn::Conv2D<32, 3, statnn::Same, statnn::ReLU>, statnn::MaxPooling2D<2>,
                                   statnn::Conv2D<64, 3, statnn::Same, statnn::ReLU>, statnn::MaxPooling2D<2>,
                                   statnn::Flatten, statnn::Dense<128, statnn::ReLU>, statnn::Dense<10>, statnn::Softmax>;
constexpr statnn::SgdConfig kSgd{0.01, 0.9, 0.0, false};
constexpr statnn::KerasRecipe kRecipe = statnn::keras_recipe("grey", "grey 28x28 test network", kSgd, 1);

}  // namespace

int main(int argc, char** argv) { return statnn::run_app<GreyNet, 32>(kRecipe, argc, argv); }
