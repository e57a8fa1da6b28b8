// targets/fastcifar.cpp — the fastcifar binary: an airbench-style CIFAR-10 network and its
// fast-training recipe (targets/fastcifar.hpp).
#include "app.hpp"
#include "fastcifar.hpp"

int main(int argc, char** argv) {
    return statnn::run_app<statnn::models::FastCifar, statnn::models::kFastCifarBatch>(statnn::models::kFastCifarRecipe,
                                                                                        argc, argv);
}
