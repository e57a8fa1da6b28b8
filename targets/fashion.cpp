// targets/fashion.cpp — the fashion binary: a fast Fashion-MNIST network and its
// recipe (targets/fashion.hpp).
#include "app.hpp"
#include "fashion.hpp"

int main(int argc, char** argv) {
    return statnn::run_app<statnn::models::FashionNet, statnn::models::kFashionBatch>(statnn::models::kFashionRecipe,
                                                                                    argc, argv);
}
