// targets/cnn4.cpp — the cnn4 binary: the tutorial's 4-convolution CIFAR-10 network.
#include "app.hpp"
#include "cnn4.hpp"

int main(int argc, char** argv) {
    const statnn::Recipe recipe{"cnn4", "4 conv + 2 dense layers, CIFAR-10 (Keras tutorial); batch 32, SGD lr 0.1 decay 1e-6 nesterov",
                                statnn::models::kCnn4Sgd, statnn::models::kCnn4Epochs};
    return statnn::run_app<statnn::models::Cnn4, 32>(recipe, argc, argv);
}
