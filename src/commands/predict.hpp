// src/commands/predict.hpp — `predict --weights FILE IMAGE...`: the top-3 classes of
// PNG/PPM/PGM files of the network's input size or test:INDEX records of the test set,
// normalised and named as the weights were trained.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "commands/trained_weights.hpp"
#include "image_file.hpp"

namespace statnn::app {

// INDEX of "test:INDEX".
inline long test_record_index(const std::string& in) {
    const std::string idx = in.substr(5);
    char* end = nullptr;
    const long i = std::strtol(idx.c_str(), &end, 10);
    if (idx.empty() || *end != '\0' || i < 0) throw cli::UsageError(in + ": expected test:INDEX with INDEX >= 0");
    return i;
}

inline bool names_test_record(const std::string& in) { return in.rfind("test:", 0) == 0; }

// "a 32x32 PNG/PPM file": the image files a network of input `shape` classifies.
inline std::string image_file_kind(const data::RecordShape& shape) {
    return "a " + std::to_string(shape.width) + "x" + std::to_string(shape.height) +
           (shape.channels == 1 ? " PNG/PGM file" : " PNG/PPM file");
}

// The images to classify, decoded before any output, and what is known of them.
struct PredictInputs {
    std::vector<std::vector<unsigned char>> pixels;  // channel planes, one image each
    std::vector<int> truth;                          // the label of a test record, else -1
    std::vector<std::string> names;                  // class names of the data, when it was read
};

template <class Net>
PredictInputs decode_predict_inputs(const cli::Args& args) {
    PredictInputs in;
    std::unique_ptr<data::RecordSource> test_set;
    const data::RecordShape shape = network_record_shape<Net>();
    for (const auto& name : args.positional()) {
        std::vector<unsigned char> px(shape.bytes());
        if (names_test_record(name)) {
            const long i = test_record_index(name);
            if (!test_set) {
                const std::string dir = find_data_dir(args);
                test_set = open_network_split<Net>(args, data::Split::Test);
                const data::DataOptions options = options_for(args, dir);
                in.names = data::selected_names(data::dataset_class_names(dir, options), options.selection);
            }
            if (i >= test_set->records())
                throw cli::UsageError(name + ": the test set has " + std::to_string(test_set->records()) + " records");
            std::int32_t label = 0;
            test_set->read(i, px.data(), label);
            in.truth.push_back(label);
        } else {
            load_image(name, shape, px.data());
            in.truth.push_back(-1);
        }
        in.pixels.push_back(std::move(px));
    }
    return in;
}

// The class names of the data when it can be found, else CIFAR-10's.
inline std::vector<std::string> predict_class_names(const cli::Args& args) {
    try {
        const std::string dir = find_data_dir(args);
        const data::DataOptions options = options_for(args, dir);
        return data::selected_names(data::dataset_class_names(dir, options), options.selection);
    } catch (const data::DataError&) {
        return data::class_names("");
    }
}

// The names of the network's outputs: those it was trained with when the weights record
// them, else the data's (CIFAR-10's when there is no data).
template <class Net>
std::vector<std::string> output_names(const io::TrainingState& trained, const PredictInputs& in, const cli::Args& args) {
    if (trained.dataset.recorded()) return trained_class_names(trained, {}, Net::kClasses);
    return data::names_for_classes(in.names.empty() ? predict_class_names(args) : in.names, Net::kClasses);
}

// The `count` most probable classes of `p`, best first.
template <int Classes>
std::vector<int> top_classes(const float* p, int count) {
    std::vector<int> top;
    std::vector<bool> used(Classes, false);
    for (int t = 0; t < count && t < Classes; ++t) {
        int best = -1;
        for (int k = 0; k < Classes; ++k)
            if (!used[k] && (best < 0 || p[k] > p[best])) best = k;
        used[best] = true;
        top.push_back(best);
    }
    return top;
}

template <class Arch, int Batch, class R>
int predict_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const auto& inputs = args.positional();
    if (inputs.empty())
        throw cli::UsageError("predict needs at least one IMAGE (" + image_file_kind(network_record_shape<Net>()) +
                              " or test:INDEX)");
    for (const auto& in : inputs)
        if (names_test_record(in)) test_record_index(in);  // syntax first, before any file is read
    auto net = std::make_unique<Net>(1, threads_flag(args));
    const io::TrainingState trained = load_weights(*net, args);
    using In = typename Net::InShape;
    const data::Normalization normalization = trained_normalization(trained, recipe, args.text("weights"));
    data::check_normalization(normalization, In::C);
    const PredictInputs in = decode_predict_inputs<Net>(args);
    const std::vector<std::string> outputs = output_names<Net>(trained, in, args);
    // A test record's label is the data's: named by the data's names.
    const std::vector<std::string> labels = data::names_for_classes(in.names, Net::kClasses);
    constexpr std::size_t kPixels = std::size_t(In::H) * In::W;
    for (std::size_t first = 0; first < in.pixels.size(); first += Batch) {
        const int n = int(std::min<std::size_t>(Batch, in.pixels.size() - first));
        for (int r = 0; r < n; ++r) {
            float* image = net->input() + std::size_t(r) * In::size;
            data::planes_to_float(in.pixels[first + r].data(), image, kPixels, In::C);
            data::normalize_channels(image, kPixels, In::C, normalization);
        }
        net->forward(n, false);
        for (int r = 0; r < n; ++r) {
            const float* p = net->probabilities() + std::size_t(r) * Net::kClasses;
            std::printf("%s:", inputs[first + r].c_str());
            const std::vector<int> top = top_classes<Net::kClasses>(p, 3);
            for (std::size_t t = 0; t < top.size(); ++t)
                std::printf("%s %s %.4f", t ? "," : "", outputs[top[t]].c_str(), p[top[t]]);
            if (in.truth[first + r] >= 0) std::printf("  (label: %s)", labels[std::size_t(in.truth[first + r])].c_str());
            std::printf("\n");
        }
    }
    return 0;
}

}  // namespace statnn::app
