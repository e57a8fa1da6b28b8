// targets/cnn6.cpp — the cnn6 binary: the tutorial's 6-convolution CIFAR-10 network.
#include "app.hpp"
#include "cnn6.hpp"

int main(int argc, char** argv) {
    return statnn::run_app<statnn::models::Cnn6, 32>(statnn::models::kCnn6Recipe, argc, argv);
}
