// targets/cnn4.cpp — the cnn4 binary: the tutorial's 4-convolution CIFAR-10 network.
#include "app.hpp"
#include "cnn4.hpp"

int main(int argc, char** argv) {
    return statnn::run_app<statnn::models::Cnn4, 32>(statnn::models::kCnn4Recipe, argc, argv);
}
