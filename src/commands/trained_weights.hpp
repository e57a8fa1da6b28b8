// src/commands/trained_weights.hpp — what a weights file or checkpoint says about how its
// network was trained, for the commands that use it: the normalisation its input images
// need and the names of its classes. Files from before checkpoint version 6 (and imported
// weights) record neither; the recipe's normalisation and the data's names stand in.
#pragma once

#include <string>
#include <vector>

#include "statnn/data/dataset.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/io/checkpoint.hpp"

namespace statnn::app {

// The normalisation the network in `file` was trained with: the one the file records,
// else the recipe's. Throws io::CheckpointError when neither gives values (the recipe
// measures them on the training data, and the file does not record them).
template <class R>
data::Normalization trained_normalization(const io::TrainingState& trained, const R& recipe, const std::string& file) {
    if (trained.normalization) return *trained.normalization;
    if (recipe.normalization.awaits_statistics())
        throw io::CheckpointError(file + ": records no input normalisation, and the recipe of " + recipe.name +
                                  " measures it on the training data (train records it in every file it writes)");
    return recipe.normalization;
}

// The names of the network's `classes` outputs: those it was trained with when the file
// records them, else `otherwise` (the data's), padded with numbers.
inline std::vector<std::string> trained_class_names(const io::TrainingState& trained, std::vector<std::string> otherwise,
                                                    int classes) {
    return data::names_for_classes(trained.dataset.recorded() ? trained.dataset.class_names : std::move(otherwise), classes);
}

// "CIFAR-10 binary: airplane, automobile, bird, ...": a few of a dataset's class names, for messages.
inline std::string class_names_excerpt(const std::string& format, const std::vector<std::string>& names) {
    std::string text = format + ":";
    const std::size_t shown = names.size() > 4 ? 3 : names.size();
    for (std::size_t k = 0; k < shown; ++k) text += (k ? ", " : " ") + names[k];
    return text + (shown < names.size() ? ", ... (" + std::to_string(names.size()) + " classes)" : "");
}

}  // namespace statnn::app
