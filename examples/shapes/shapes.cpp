// shapes.cpp — the shapes binary: every statnn command for the network of shapes.hpp.
#include "app.hpp"
#include "shapes.hpp"

int main(int argc, char** argv) { return statnn::run_app<shapes::Net, shapes::kBatch>(shapes::kRecipe, argc, argv); }
