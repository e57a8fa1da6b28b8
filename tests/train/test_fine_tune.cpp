// tests/train/test_fine_tune.cpp — fine-tuning through the command line: train on some
// classes and a few images of each (--classes, --per-class), start a network with a frozen
// layer from another run's weights (--init-from), evaluate on the classes trained on; and the
// bad inputs: one line naming the flag or the file, a non-zero exit, nothing written. On the
// tests' CIFAR-10 fixture (support/cifar_fixture.hpp), with a tiny network of five outputs.
#include <cstdio>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/tensor_views.hpp"
#include "support/app_runner.hpp"
#include "support/cifar_fixture.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

using Whole = Sequential<Input<3, 32, 32>, Conv2D<4, 3, Same, ReLU>, MaxPooling2D<4>, Flatten, Dense<5>, Softmax>;
using Tuned = Sequential<Input<3, 32, 32>, Frozen<Conv2D<4, 3, Same, ReLU>>, MaxPooling2D<4>, Flatten, Dense<5>, Softmax>;
using TenOutputs = Sequential<Input<3, 32, 32>, Conv2D<4, 3, Same, ReLU>, MaxPooling2D<4>, Flatten, Dense<10>, Softmax>;

const KerasRecipe kRecipe = keras_recipe("tiny", "test", models::kCnn4Sgd, 1);

RunResult whole(std::vector<std::string> args) { return run_command<Whole>(kRecipe, std::move(args)); }
RunResult tuned(std::vector<std::string> args) { return run_command<Tuned>(kRecipe, std::move(args)); }

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::vector<std::string> train_args(const std::string& out, std::vector<std::string> more) {
    std::vector<std::string> args = {"train", "--data", cifar_fixture_dir(), "--epochs", "1", "--threads", "1",
                                     "--verbose", "2", "--out", out};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

template <class Arch>
std::vector<float> tensor_values(const std::string& weights, const std::string& name) {
    auto net = std::make_unique<Network<Arch, 32>>(1, 1);
    io::load_checkpoint(weights, *net);
    const auto view = tensor(*net, name);
    return std::vector<float>(view.begin(), view.end());
}

}  // namespace

TEST_CASE("train --classes --per-class: those classes relabelled, N images of each, kept for --resume",
          "[train][classes][slow]") {
    TempDir dir;
    const RunResult r = whole(train_args(dir / "few", {"--classes", "5,6,7,8,9", "--per-class", "12"}));
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const std::string meta = read_text_file(dir / "few/run.json");
    CHECK(meta.find("\"train_images\": 60,") != std::string::npos);  // 12 of each of 5 classes
    CHECK(meta.find("\"val_images\": 500,") != std::string::npos);   // every test image of the 5 classes
    CHECK(meta.find("\"classes\": [5, 6, 7, 8, 9],") != std::string::npos);
    CHECK(meta.find("\"per_class\": 12,") != std::string::npos);
    CHECK(meta.find(R"("class_names": ["dog", "frog", "horse", "ship", "truck"])") != std::string::npos);
    const io::TrainingState st = io::read_checkpoint_state(dir / "few/checkpoint.bin");
    CHECK(st.classes == std::vector<std::uint32_t>{5, 6, 7, 8, 9});
    CHECK(st.per_class == 12);
    // evaluate takes the classes the weights were trained on.
    const RunResult e = whole({"evaluate", "--data", cifar_fixture_dir(), "--weights", dir / "few/weights.bin"});
    INFO("evaluate stderr: " << e.err);
    CHECK(e.status == 0);
    CHECK(e.out.find("500 test images") != std::string::npos);
    // --resume continues with them, and refuses others.
    const RunResult again = whole({"train", "--data", cifar_fixture_dir(), "--out", dir / "few", "--resume", "--epochs", "2",
                                   "--threads", "1", "--verbose", "2"});
    INFO("resume stderr: " << again.err);
    CHECK(again.status == 0);
    for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{{"classes", "0,1,2,3,4"}, {"per-class", "11"}}) {
        const RunResult refused =
            whole({"train", "--data", cifar_fixture_dir(), "--out", dir / "few", "--resume", "--" + flag, value});
        CHECK(refused.status == 2);
        CHECK(first_line(refused.err) == "tiny: --" + flag + " differs from the run being resumed (" + dir / "few/checkpoint.bin" + ")");
    }
}

TEST_CASE("train --classes, --per-class: bad values are one line naming the flag, exit 2, nothing written",
          "[cli][classes][errors]") {
    TempDir dir;
    struct Case {
        std::vector<std::string> flags;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"--classes", "5,5,6,7,8"}, "--classes: class 5 is given twice"},
        {{"--classes", "1,2,3,4,10"}, "--classes: class 10 is not one of the data's 10 (0..9) in " + cifar_fixture_dir()},
        {{"--classes", "1,2,3"}, "--classes: keeps 3 classes, but the network has 5 outputs"},
        {{"--classes", "1,,2"}, "--classes: expected a comma-separated list of class numbers (e.g. 5,6,7), got '1,,2'"},
        {{"--classes", "-1,2"}, "--classes: expected a comma-separated list of class numbers (e.g. 5,6,7), got '-1,2'"},
        {{"--per-class", "0"}, "--per-class: expected a positive integer, got '0'"},
    };
    for (const auto& c : cases) {
        INFO(c.says);
        const RunResult r = whole(train_args(dir / "run", c.flags));
        CHECK(r.status == 2);
        CHECK(first_line(r.err) == "tiny: " + c.says);
        CHECK(!exists(dir / "run"));
    }
}

TEST_CASE("train --init-from: a frozen twin starts from another run's weights, keeps the frozen ones, records the file",
          "[train][init-from][frozen][slow]") {
    TempDir dir;
    REQUIRE(whole(train_args(dir / "backbone", {"--classes", "0,1,2,3,4", "--limit", "400"})).status == 0);
    const std::string weights = dir / "backbone/weights.bin";
    const RunResult r = tuned(train_args(dir / "tuned", {"--classes", "5,6,7,8,9", "--per-class", "20", "--init-from", weights}));
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("tiny: init from " + weights + " (tiny): loaded 4 tensors: conv1.kernel, conv1.bias, dense1.kernel, "
                     "dense1.bias\n") != std::string::npos);
    // The frozen convolution is the backbone's, bit for bit, after training; the head moved.
    CHECK(tensor_values<Tuned>(dir / "tuned/weights.bin", "conv1.kernel") == tensor_values<Whole>(weights, "conv1.kernel"));
    CHECK(tensor_values<Tuned>(dir / "tuned/weights.bin", "dense1.kernel") != tensor_values<Whole>(weights, "dense1.kernel"));
    CHECK(read_text_file(dir / "tuned/run.json").find("\"init_from\": \"" + weights + "\",") != std::string::npos);
    CHECK(io::read_checkpoint_state(dir / "tuned/checkpoint.bin").init_from == weights);
    // --resume does not load it again, and refuses another file.
    const RunResult again = tuned({"train", "--data", cifar_fixture_dir(), "--out", dir / "tuned", "--resume", "--epochs", "2",
                                   "--threads", "1", "--verbose", "2"});
    CHECK(again.status == 0);
    CHECK(again.out.find("init from") == std::string::npos);
    const RunResult refused = tuned({"train", "--data", cifar_fixture_dir(), "--out", dir / "tuned", "--resume", "--init-from",
                                     dir / "other.bin"});
    CHECK(refused.status == 2);
    CHECK(first_line(refused.err) == "tiny: --init-from differs from the run being resumed (" + dir / "tuned/checkpoint.bin" + ")");
}

TEST_CASE("train --init-from: a tensor of another shape, a file that matches nothing, a missing file: exit 1, nothing written",
          "[cli][init-from][errors]") {
    TempDir dir;
    auto ten = std::make_unique<Network<TenOutputs, 32>>(1, 1);
    io::save_checkpoint(dir / "ten.bin", *ten, "ten", io::CheckpointContents::Weights, io::TrainingState{});
    using Unrelated = Sequential<Input<5, 1, 1>, BatchNorm<>, Softmax>;  // no layer named as one of Tuned's
    auto unrelated = std::make_unique<Network<Unrelated, 32>>(1, 1);
    io::save_checkpoint(dir / "unrelated.bin", *unrelated, "unrelated", io::CheckpointContents::Weights, io::TrainingState{});
    struct Case {
        std::string file, says;
    };
    const std::vector<Case> cases = {
        {dir / "ten.bin", dir / "ten.bin" + ": tensor 'dense1.kernel' is 256x10 there, 256x5 in this network; nothing was loaded"},
        {dir / "unrelated.bin",
         dir / "unrelated.bin" + ": no tensor there matches one of this network's by name and shape; nothing was loaded"},
        {dir / "missing.bin", dir / "missing.bin" + ": cannot open"},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        const RunResult r = tuned(train_args(dir / "run", {"--classes", "0,1,2,3,4", "--init-from", c.file}));
        CHECK(r.status == 1);
        CHECK(first_line(r.err).rfind("tiny: " + c.says, 0) == 0);
        CHECK(!exists(dir / "run"));
    }
}
