// targets/cnn6.cpp — the cnn6 binary: the tutorial's 6-convolution CIFAR-10 network.
#include "app.hpp"
#include "cnn6.hpp"

int main(int argc, char** argv) {
    const statnn::Recipe recipe{"cnn6", "6 conv + 2 dense layers, CIFAR-10 (Keras tutorial); batch 32, SGD lr 0.01 momentum 0.9 decay 1e-6",
                                statnn::models::kCnn6Sgd, statnn::models::kCnn6Epochs};
    return statnn::run_app<statnn::models::Cnn6, 32>(recipe, argc, argv);
}
