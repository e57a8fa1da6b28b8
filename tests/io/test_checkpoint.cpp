// tests/io/test_checkpoint.cpp — checkpoints: round trip (the data and input normalisation
// included), files of every older version, atomic replacement, and one clear error for a file
// of another architecture, a truncated or a corrupted one, or one whose normalisation block
// no reader could use.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/network.hpp"
#include "support/cifar_files.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

using Small = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, MaxPooling2D<2>, Flatten, Dense<12, ReLU, MaxNorm<3>>,
                         Dense<10>, Softmax>;
using Other = Sequential<Input<3, 8, 8>, Conv2D<5, 3, Same, ReLU>, MaxPooling2D<2>, Flatten, Dense<12, ReLU>, Dense<10>,
                         Softmax>;
using Net = Network<Small, 4>;

// With BatchNorm: running statistics are state, saved with the weights.
struct Quick : BatchNormDefaults {
    static constexpr float momentum = 0.5f;
};
using Normed = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same>, BatchNorm<>, ReLU, MaxPooling2D<2>, Conv2D<6, 3, Same>,
                          BatchNorm<Quick>, ReLU, Flatten, Dense<10>, Softmax>;
using NormedOtherMomentum = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same>, BatchNorm<>, ReLU, MaxPooling2D<2>,
                                       Conv2D<6, 3, Same>, BatchNorm<>, ReLU, Flatten, Dense<10>, Softmax>;

std::vector<unsigned char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// Values as train measures them on the training data, for the 3 channels of Small.
data::Normalization measured_normalization() {
    data::ChannelStatistics stats;
    stats.channels = 3;
    stats.records = 50000;
    const double mean[3] = {0.4913996, 0.4821584, 0.4465309}, stddev[3] = {0.2470322, 0.2434851, 0.2615878};
    for (int c = 0; c < 3; ++c) stats.mean[c] = mean[c], stats.stddev[c] = stddev[c];
    return data::normalization_from(stats);
}

// `bytes` with its checksum made right again: a well-formed file with what the test put in it.
void fix_checksum(std::vector<unsigned char>& bytes) {
    io::Fnv1a sum;
    sum.add(bytes.data(), bytes.size() - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum.h, 8);
}

io::TrainingState some_state() {
    io::TrainingState s;
    s.seed = 77;
    s.iterations = 1234;
    s.epochs_done = 3;
    s.recipe = settings_of_recipe(keras_recipe("test", "test", SgdConfig{0.05, 0.9, 1e-4, true}, 1));
    s.train_limit = 5000;
    s.val_limit = 700;
    s.epochs_planned = 100;
    s.keep_epochs = {10, 20, 50, 100};
    s.partial = io::EpochProgress{117, 3744, 1502, 6120.25, 33.5};
    s.sessions.push_back({"2026-12-02T17:50:00Z", 1, "AMD EPYC 9R14 96-Core Processor", "avx512bw", 2, 2});
    s.sessions.push_back({"2026-12-03T09:00:00Z", 3, "unknown", "neon64", 4, 3});
    s.augment = {3, true};
    for (int e = 1; e <= 3; ++e) {
        EpochRecord r;
        r.epoch = e;
        r.loss = 2.0 / e;
        r.acc = 0.2 * e;
        r.val_loss = 2.1 / e;
        r.val_acc = 0.19 * e;
        r.lr = 0.05 / (1 + 1e-4 * 400 * e);
        r.seconds = 10.5 * e;
        s.history.push_back(r);
    }
    s.global_batch = 64;
    s.dataset = {"CIFAR-10 binary", {3, 8, 8}, 10,
                 {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}};
    s.normalization = measured_normalization();
    return s;
}

}  // namespace

TEST_CASE("checkpoint: weights, velocity and training state round-trip exactly", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    // Velocity inside every tensor (the alignment padding between tensors is not state).
    a->visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (L::kKernelSize > 0) {
            float* v = a->velocity() + (layer.kernel - a->params());
            for (std::size_t i = 0; i < L::kKernelSize; ++i) v[i] = float(i) * 1e-3f;
            float* vb = a->velocity() + (layer.bias - a->params());
            for (std::size_t i = 0; i < L::kBiasSize; ++i) vb[i] = -float(i);
        }
    });
    const auto state = some_state();
    io::save_checkpoint(dir / "ck.bin", *a, "small", io::CheckpointContents::Training, state);
    io::CheckpointContents contents{};
    std::string model;
    const auto loaded = io::load_checkpoint(dir / "ck.bin", *b, &contents, &model);
    CHECK(contents == io::CheckpointContents::Training);
    CHECK(model == "small");
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(std::equal(a->velocity(), a->velocity() + Net::kParamFloats, b->velocity()));
    CHECK(loaded.seed == 77);
    CHECK(loaded.iterations == 1234);
    CHECK(loaded.epochs_done == 3);
    CHECK(field_value(loaded.recipe.schedule, "lr", 0) == 0.05);
    CHECK(field_value(loaded.recipe.optimizer, "nesterov", 0) == 1.0);
    CHECK(loaded.recipe == state.recipe);
    CHECK(loaded.train_limit == 5000);
    CHECK(loaded.val_limit == 700);
    REQUIRE(loaded.history.size() == 3);
    CHECK(loaded.history[2].val_acc == state.history[2].val_acc);
    CHECK(loaded.history[1].seconds == 21.0);
    CHECK(loaded.epochs_planned == 100);
    CHECK(loaded.keep_epochs == state.keep_epochs);
    CHECK(loaded.partial.steps == 117);
    CHECK(loaded.partial.images == 3744);
    CHECK(loaded.partial.correct == 1502);
    CHECK(loaded.partial.loss_sum == 6120.25);
    CHECK(loaded.partial.seconds == 33.5);
    REQUIRE(loaded.sessions.size() == 2);
    CHECK(loaded.sessions[0].started == "2026-12-02T17:50:00Z");
    CHECK(loaded.sessions[0].machine == "AMD EPYC 9R14 96-Core Processor");
    CHECK(loaded.sessions[1].first_epoch == 3);
    CHECK(loaded.sessions[1].simd == "neon64");
    CHECK(loaded.sessions[1].cores == 4);
    CHECK(loaded.sessions[1].threads == 3);
    CHECK(loaded.augment == data::Augmentation{3, true});
    CHECK(loaded.global_batch == 64);
    CHECK(loaded.dataset == state.dataset);
    REQUIRE(loaded.normalization.has_value());
    CHECK(*loaded.normalization == *state.normalization);
    CHECK(loaded.normalization->source == data::NormalizationSource::TrainingData);
    // Each part of an augmentation round-trips on its own.
    for (const data::Augmentation augment : {data::Augmentation{}, data::Augmentation{4, false}, data::Augmentation{0, true},
                                             data::Augmentation{2, true, true}, data::Augmentation{2, false, true}}) {
        auto other = state;
        other.augment = augment;
        io::save_checkpoint(dir / "augment.bin", *a, "small", io::CheckpointContents::Weights, other);
        const data::Augmentation loaded_augment = io::load_checkpoint(dir / "augment.bin", *b).augment;
        CHECK(loaded_augment == augment);
        CHECK(loaded_augment.reflect == augment.reflect);
    }
}

// Run folders from before version 2 must still resume.
TEST_CASE("checkpoint: a version 1 file still loads, without the fields version 2 added", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    for_each_tensor(*a, [&](const std::string&, const std::vector<std::uint32_t>&, const float*,
                                        std::size_t count, TensorRole, std::size_t offset) {
        for (std::size_t i = 0; i < count; ++i) a->velocity()[offset + i] = float(i % 7) - 3.0f;
    });
    const auto state = some_state();
    io::detail::write_checkpoint(dir / "v1.bin", *a, "small", io::CheckpointContents::Training, state, 1);
    io::save_checkpoint(dir / "current.bin", *a, "small", io::CheckpointContents::Training, state);
    const auto v1 = read_bytes(dir / "v1.bin");
    REQUIRE(v1.size() > 12);
    CHECK(v1[8] == 1);
    CHECK(read_bytes(dir / "current.bin")[8] == io::kCheckpointVersion);
    const auto loaded = io::load_checkpoint(dir / "v1.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(std::equal(a->velocity(), a->velocity() + Net::kParamFloats, b->velocity()));
    CHECK(loaded.seed == 77);
    CHECK(loaded.iterations == 1234);
    CHECK(loaded.epochs_done == 3);
    CHECK(loaded.history.size() == 3);
    CHECK(loaded.epochs_planned == 0);
    CHECK(loaded.keep_epochs.empty());
    CHECK(loaded.partial.steps == 0);
    CHECK(loaded.sessions.empty());
    CHECK(!loaded.augment.enabled());
}

// Run folders from before version 3 (no augmentation existed) must still resume.
TEST_CASE("checkpoint: a version 2 file still loads, with everything but the augmentation version 3 added",
          "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    for_each_tensor(*a, [&](const std::string&, const std::vector<std::uint32_t>&, const float*,
                                        std::size_t count, TensorRole, std::size_t offset) {
        for (std::size_t i = 0; i < count; ++i) a->velocity()[offset + i] = float(i % 5) - 2.0f;
    });
    const auto state = some_state();
    REQUIRE(state.augment.enabled());
    io::detail::write_checkpoint(dir / "v2.bin", *a, "small", io::CheckpointContents::Training, state, 2);
    REQUIRE(read_bytes(dir / "v2.bin")[8] == 2);
    CHECK(io::kCheckpointVersion == 7);
    const auto loaded = io::load_checkpoint(dir / "v2.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(std::equal(a->velocity(), a->velocity() + Net::kParamFloats, b->velocity()));
    CHECK(loaded.seed == 77);
    CHECK(loaded.epochs_planned == 100);
    CHECK(loaded.keep_epochs == state.keep_epochs);
    CHECK(loaded.partial.steps == 117);
    CHECK(loaded.sessions.size() == 2);
    CHECK(loaded.augment == data::Augmentation{});  // version 2 runs were never augmented
}

// Before version 4 every run trained with Keras SGD and Keras decay: read back as that recipe.
TEST_CASE("checkpoint: a version 3 file loads as Keras SGD with Keras decay and one velocity slot", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    for_each_tensor(*a, [&](auto&&, auto&&, auto&&, std::size_t count, TensorRole role, std::size_t offset) {
        if (role == TensorRole::Parameter)  // inside tensors: the alignment padding is not saved
            for (std::size_t i = 0; i < count; ++i) a->velocity()[offset + i] = float(i % 3) - 1.0f;
    });
    const auto state = some_state();
    io::detail::write_checkpoint(dir / "v3.bin", *a, "small", io::CheckpointContents::Training, state, 3);
    REQUIRE(read_bytes(dir / "v3.bin")[8] == 3);
    const auto loaded = io::load_checkpoint(dir / "v3.bin", *b);
    CHECK(loaded.recipe == state.recipe);  // some_state's recipe is a Keras one: nothing lost
    CHECK(loaded.recipe.optimizer.kind == "keras-sgd");
    CHECK(loaded.recipe.schedule.kind == "keras-decay");
    CHECK(loaded.optimizer_slots == std::vector<std::string>{"velocity"});
    CHECK(loaded.augment == state.augment);
    CHECK(std::equal(a->velocity(), a->velocity() + Net::kParamFloats, b->velocity()));
}

// Adam keeps two arrays per parameter: both are saved under the optimizer's names and
// come back; a network whose optimizer keeps another number of arrays refuses the file.
TEST_CASE("checkpoint: every optimizer state array round-trips under its name (Adam's two moments)", "[io][checkpoint]") {
    using AdamNet = Network<Small, 4, 2>;
    TempDir dir;
    auto a = std::make_unique<AdamNet>(1), b = std::make_unique<AdamNet>(2);
    for_each_tensor(*a, [&](auto&&, auto&&, auto&&, std::size_t count, TensorRole role, std::size_t offset) {
        if (role != TensorRole::Parameter) return;
        for (std::size_t i = 0; i < count; ++i) {
            a->optimizer_state(0)[offset + i] = float(i % 13) - 6.0f;
            a->optimizer_state(1)[offset + i] = float(i % 17) * 0.5f;
        }
    });
    auto state = some_state();
    state.recipe.optimizer = {"adamw", {{"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.01}}};
    state.recipe.schedule = {"warmup-cosine", {{"peak_lr", 1e-3}, {"warmup_steps", 10}, {"total_steps", 100},
                                               {"start_factor", 0.1}, {"end_factor", 0}}};
    state.recipe.loss = {"softmax-cross-entropy", {{"label_smoothing", 0.2}}};
    state.optimizer_slots = {"exp_avg", "exp_avg_sq"};
    io::save_checkpoint(dir / "adam.bin", *a, "small", io::CheckpointContents::Training, state);
    const std::string bytes(reinterpret_cast<const char*>(read_bytes(dir / "adam.bin").data()), read_bytes(dir / "adam.bin").size());
    CHECK(bytes.find("exp_avg_sq/dense1.kernel") != std::string::npos);
    CHECK(bytes.find("velocity/") == std::string::npos);
    const auto loaded = io::load_checkpoint(dir / "adam.bin", *b);
    CHECK(loaded.recipe == state.recipe);
    CHECK(loaded.optimizer_slots == state.optimizer_slots);
    for (int slot = 0; slot < 2; ++slot)
        CHECK(std::equal(a->optimizer_state(slot), a->optimizer_state(slot) + AdamNet::kParamFloats, b->optimizer_state(slot)));
    // One slot where the file has two: refused, naming both counts; the network untouched.
    auto sgd_net = std::make_unique<Net>(3);
    const std::vector<float> before(sgd_net->params(), sgd_net->params() + Net::kParamFloats);
    CHECK_THROWS_WITH(io::load_checkpoint(dir / "adam.bin", *sgd_net),
                      Catch::Contains("holds 2 optimizer state arrays, this binary's optimizer keeps 1"));
    CHECK(std::equal(before.begin(), before.end(), sgd_net->params()));
    // Weights only: any network takes them, whatever its optimizer.
    io::save_checkpoint(dir / "w.bin", *a, "small", io::CheckpointContents::Weights, state);
    io::load_checkpoint(dir / "w.bin", *sgd_net);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, sgd_net->params()));
}

TEST_CASE("checkpoint: a weights file has no velocity, and loading it clears the velocity", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    for (std::size_t i = 0; i < Net::kParamFloats; ++i) b->velocity()[i] = 1.0f;
    io::save_checkpoint(dir / "w.bin", *a, "small", io::CheckpointContents::Weights, some_state());
    CHECK(read_bytes(dir / "w.bin").size() < Net::kParamCount * 4 + 2048);
    io::load_checkpoint(dir / "w.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(b->velocity()[0] == 0.0f);
}

TEST_CASE("checkpoint: bad files are one clear error, and the network is untouched", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    io::save_checkpoint(dir / "ck.bin", *a, "small", io::CheckpointContents::Training, some_state());
    const auto good = read_bytes(dir / "ck.bin");
    const std::vector<float> before(b->params(), b->params() + Net::kParamFloats);
    auto expect_error = [&](const std::vector<unsigned char>& bytes, const std::string& problem) {
        write_bytes(dir / "bad.bin", bytes);
        INFO("expected: " << problem);
        CHECK_THROWS_WITH(io::load_checkpoint(dir / "bad.bin", *b),
                          Catch::Contains(dir / "bad.bin") && Catch::Contains(problem));
        CHECK(std::equal(before.begin(), before.end(), b->params()));
    };
    expect_error({}, "not a statnn checkpoint");
    expect_error(std::vector<unsigned char>(good.begin(), good.begin() + 7), "not a statnn checkpoint");
    expect_error(std::vector<unsigned char>(good.begin(), good.end() - 1000), "checksum mismatch");
    expect_error(std::vector<unsigned char>(good.begin(), good.begin() + 40), "checksum mismatch");
    auto flipped = good;
    flipped[flipped.size() / 2] ^= 0x20;
    expect_error(flipped, "checksum mismatch");
    auto version = good;
    version[8] = 9;
    expect_error(version, "checksum mismatch");  // a damaged version field
    io::Fnv1a sum;                                // a well-formed file of another version
    sum.add(version.data(), version.size() - 8);
    std::memcpy(version.data() + version.size() - 8, &sum.h, 8);
    expect_error(version, "format version 9, this build reads versions 1 to 7");
    // An augmentation no reader accepts: a corrupted file, even with a valid checksum.
    {
        auto s = some_state();
        s.augment = {200, true};
        io::save_checkpoint(dir / "ck200.bin", *a, "small", io::CheckpointContents::Training, s);
        expect_error(read_bytes(dir / "ck200.bin"), "corrupted (impossible augmentation)");
    }
    CHECK_THROWS_WITH(io::load_checkpoint(dir / "missing.bin", *b), Catch::Contains("missing.bin: cannot open"));

    // Another architecture.
    auto other = std::make_unique<Network<Other, 4>>(1);
    io::save_checkpoint(dir / "other.bin", *other, "other", io::CheckpointContents::Weights, some_state());
    CHECK_THROWS_WITH(io::load_checkpoint(dir / "other.bin", *b), Catch::Contains("another architecture ('other')"));
    CHECK(std::equal(before.begin(), before.end(), b->params()));
}

TEST_CASE("checkpoint: replacing a file is atomic, and a failed write leaves the old one", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1);
    io::save_checkpoint(dir / "ck.bin", *a, "small", io::CheckpointContents::Training, some_state());
    const auto first = read_bytes(dir / "ck.bin");
    {
        io::AtomicFile f(dir / "ck.bin");
        f.write("partial");
        // destroyed without commit(): as if the process died here
    }
    CHECK(read_bytes(dir / "ck.bin") == first);
    CHECK(std::system(("test -z \"$(ls -A '" + dir.path() + "' | grep tmp)\"").c_str()) == 0);
    CHECK_THROWS_WITH(io::save_checkpoint(dir / "nodir/ck.bin", *a, "small", io::CheckpointContents::Training, some_state()),
                      Catch::Contains("nodir/ck.bin: cannot create"));
}

TEST_CASE("checkpoint: architecture descriptions tell networks apart", "[io][checkpoint]") {
    auto a = std::make_unique<Net>(1);
    auto o = std::make_unique<Network<Other, 4>>(1);
    const auto da = io::architecture_description(*a), db = io::architecture_description(*o);
    CHECK(da != db);
    CHECK(da.find("Conv2D[3x3x3x4 relu ->4x8x8]") != std::string::npos);
    CHECK(io::signature_of(da) != io::signature_of(db));
}

TEST_CASE("checkpoint: BatchNorm's running statistics are saved as state, with weights and without velocity",
          "[io][checkpoint][batchnorm]") {
    using N = Network<Normed, 4>;
    TempDir dir;
    auto a = std::make_unique<N>(1), b = std::make_unique<N>(2);
    Rng rng(3);
    for (std::size_t e = 0; e < 4 * N::InShape::size; ++e) a->input()[e] = rng.uniform(-1.0f, 2.0f);
    a->forward(4, true, 0);  // moves the running statistics away from 0 and 1
    for_each_tensor(*a, [&](auto&&, auto&&, auto&&, std::size_t count, TensorRole role,
                                        std::size_t offset) {  // inside tensors: padding is not saved
        if (role == TensorRole::Parameter)
            for (std::size_t i = 0; i < count; ++i) a->velocity()[offset + i] = float(i % 11) - 5.0f;
    });
    REQUIRE(!std::equal(a->state(), a->state() + N::kStateFloats, b->state()));

    const std::string arch = io::architecture_description(*a);
    CHECK(arch.find("BatchNormalization[") != std::string::npos);
    CHECK(arch.find(" momentum=0.1 eps=1e-05 scale+shift]") != std::string::npos);
    CHECK(arch.find(" momentum=0.5 eps=1e-05 scale+shift]") != std::string::npos);
    std::vector<std::string> names;
    for_each_tensor(*a, [&](const std::string& name, auto&&, auto&&, auto&&, TensorRole role, auto&&) {
        names.push_back(name + (role == TensorRole::State ? " (state)" : ""));
    });
    CHECK(names == std::vector<std::string>{"conv1.kernel", "conv1.bias", "bn1.gamma", "bn1.beta", "bn1.running_mean (state)",
                                            "bn1.running_var (state)", "conv2.kernel", "conv2.bias", "bn2.gamma", "bn2.beta",
                                            "bn2.running_mean (state)", "bn2.running_var (state)", "dense1.kernel",
                                            "dense1.bias"});

    for (const auto contents : {io::CheckpointContents::Training, io::CheckpointContents::Weights}) {
        auto c = std::make_unique<N>(5);
        io::save_checkpoint(dir / "bn.bin", *a, "normed", contents, some_state());
        io::load_checkpoint(dir / "bn.bin", *c);
        CHECK(std::equal(a->params(), a->params() + N::kParamFloats, c->params()));
        CHECK(std::equal(a->state(), a->state() + N::kStateFloats, c->state()));
        if (contents == io::CheckpointContents::Training)
            CHECK(std::equal(a->velocity(), a->velocity() + N::kParamFloats, c->velocity()));
        // Same weights and statistics: the same evaluation.
        std::copy(a->input(), a->input() + 4 * N::InShape::size, c->input());
        a->forward(4, false);
        c->forward(4, false);
        CHECK(std::equal(a->probabilities(), a->probabilities() + 40, c->probabilities()));
    }
    // Another BatchNorm momentum is another architecture.
    auto other = std::make_unique<Network<NormedOtherMomentum, 4>>(1);
    CHECK_THROWS_WITH(io::load_checkpoint(dir / "bn.bin", *other),
                      Catch::Contains("written for another architecture ('normed')"));
}

// Runs from before version 5 trained one process's batch: read back with global batch 0.
TEST_CASE("checkpoint: a version 4 file loads with the network's batch as the global batch", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    const auto state = some_state();
    REQUIRE(state.global_batch == 64);
    io::detail::write_checkpoint(dir / "v4.bin", *a, "small", io::CheckpointContents::Training, state, 4);
    REQUIRE(read_bytes(dir / "v4.bin")[8] == 4);
    const auto loaded = io::load_checkpoint(dir / "v4.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(loaded.recipe == state.recipe);
    CHECK(loaded.augment == state.augment);
    CHECK(loaded.global_batch == 0);
}

// Every way a run can feed its images comes back as it was written: not recorded (imported
// weights), off, the recipe's values (fastcifar's CIFAR-10 constants), measured ones.
TEST_CASE("checkpoint: the input normalisation round-trips in each of its kinds", "[io][checkpoint][normalize]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    const data::Normalization cifar10{true, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
    for (const std::optional<data::Normalization>& n :
         {std::optional<data::Normalization>(), std::optional<data::Normalization>(data::Normalization{}),
          std::optional<data::Normalization>(cifar10), std::optional<data::Normalization>(measured_normalization())}) {
        auto state = some_state();
        state.normalization = n;
        io::save_checkpoint(dir / "n.bin", *a, "small", io::CheckpointContents::Weights, state);
        const auto loaded = io::load_checkpoint(dir / "n.bin", *b);
        REQUIRE(loaded.normalization.has_value() == n.has_value());
        if (n) CHECK(*loaded.normalization == *n);
    }
    // Data not recorded (imported weights): an empty block.
    auto state = some_state();
    state.dataset = {};
    io::save_checkpoint(dir / "d.bin", *a, "small", io::CheckpointContents::Weights, state);
    CHECK(!io::load_checkpoint(dir / "d.bin", *b).dataset.recorded());
}

// Run folders from before version 6 recorded neither the data nor the normalisation.
TEST_CASE("checkpoint: a version 5 file loads with no data and no normalisation recorded", "[io][checkpoint]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    const auto state = some_state();
    io::detail::write_checkpoint(dir / "v5.bin", *a, "small", io::CheckpointContents::Training, state, 5);
    REQUIRE(read_bytes(dir / "v5.bin")[8] == 5);
    const auto loaded = io::load_checkpoint(dir / "v5.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(loaded.global_batch == 64);
    CHECK(!loaded.dataset.recorded());
    CHECK(loaded.dataset.class_names.empty());
    CHECK(!loaded.normalization.has_value());
}

// Version 7: where a run's first weights came from, its classes and images per class.
TEST_CASE("checkpoint: --init-from, --classes and --per-class round-trip, and a version 6 file loads without them",
          "[io][checkpoint][classes]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    auto state = some_state();
    state.init_from = "runs/backbone/weights.bin";
    state.classes = {5, 6, 7, 8, 9};
    state.per_class = 100;
    io::save_checkpoint(dir / "v7.bin", *a, "small", io::CheckpointContents::Training, state);
    const auto loaded = io::load_checkpoint(dir / "v7.bin", *b);
    CHECK(loaded.init_from == state.init_from);
    CHECK(loaded.classes == state.classes);
    CHECK(loaded.per_class == 100);
    const auto peeked = io::read_checkpoint_state(dir / "v7.bin");
    CHECK(peeked.classes == state.classes);
    CHECK(peeked.seed == state.seed);
    io::detail::write_checkpoint(dir / "v6.bin", *a, "small", io::CheckpointContents::Training, state, 6);
    REQUIRE(read_bytes(dir / "v6.bin")[8] == 6);
    const auto old = io::load_checkpoint(dir / "v6.bin", *b);
    CHECK(old.init_from.empty());
    CHECK(old.classes.empty());
    CHECK(old.per_class == 0);
    CHECK(old.dataset.recorded() == state.dataset.recorded());
}

namespace {
// Small's first layers and a BatchNorm it does not have; Small's with a head of 5; Small frozen below its head.
using SharedStart = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, BatchNorm<>, MaxPooling2D<2>, Flatten,
                               Dense<12, ReLU, MaxNorm<3>>, Softmax>;
using FiveClasses = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, MaxPooling2D<2>, Flatten, Dense<12, ReLU, MaxNorm<3>>,
                               Dense<5>, Softmax>;
using SmallFrozen = Sequential<Input<3, 8, 8>, Frozen<Conv2D<4, 3, Same, ReLU>>, MaxPooling2D<2>, Flatten,
                               Frozen<Dense<12, ReLU, MaxNorm<3>>>, Dense<10>, Softmax>;

template <class A, class B>
bool same_tensor(A& a, B& b, const std::string& name) {
    std::vector<float> x, y;
    for_each_tensor(a, [&](const std::string& n, auto&&, const float* d, std::size_t c, auto&&...) {
        if (n == name) x.assign(d, d + c);
    });
    for_each_tensor(b, [&](const std::string& n, auto&&, const float* d, std::size_t c, auto&&...) {
        if (n == name) y.assign(d, d + c);
    });
    return !x.empty() && x == y;
}
}  // namespace

TEST_CASE("checkpoint: init from another architecture's file loads the tensors that match by name and shape",
          "[io][checkpoint][init-from]") {
    TempDir dir;
    auto small = std::make_unique<Net>(1);
    io::save_checkpoint(dir / "small.bin", *small, "small", io::CheckpointContents::Training, some_state());
    auto shared = std::make_unique<Network<SharedStart, 4>>(2);
    const io::InitFromReport r = io::init_from_checkpoint(dir / "small.bin", *shared);
    CHECK(r.model == "small");
    CHECK(r.loaded == std::vector<std::string>{"conv1.kernel", "conv1.bias", "dense1.kernel", "dense1.bias"});
    CHECK(r.initialized == std::vector<std::string>{"bn1.gamma", "bn1.beta", "bn1.running_mean", "bn1.running_var"});
    for (const char* name : {"conv1.kernel", "conv1.bias", "dense1.kernel", "dense1.bias"}) CHECK(same_tensor(*small, *shared, name));
    // Into the frozen twin: every tensor, the frozen ones by their usual names.
    auto frozen = std::make_unique<Network<SmallFrozen, 4>>(3);
    CHECK(io::init_from_checkpoint(dir / "small.bin", *frozen).loaded.size() == 6);
    for (const char* name : {"conv1.kernel", "dense1.kernel", "dense2.kernel"}) CHECK(same_tensor(*small, *frozen, name));
    // A head of another shape: refused by name, the network untouched.
    auto five = std::make_unique<Network<FiveClasses, 4>>(4);
    std::vector<float> before(five->params(), five->params() + Network<FiveClasses, 4>::kParamFloats);
    CHECK_THROWS_WITH(io::init_from_checkpoint(dir / "small.bin", *five),
                      dir / "small.bin" + ": tensor 'dense2.kernel' is 12x10 there, 12x5 in this network; nothing was loaded");
    CHECK(std::equal(before.begin(), before.end(), five->params()));
}

// A normalisation block no reader could use is one line naming the file and the problem,
// even when the checksum is right; the network is untouched.
TEST_CASE("checkpoint: a malformed normalisation or data block is refused, naming the file", "[io][checkpoint][normalize]") {
    TempDir dir;
    auto a = std::make_unique<Net>(1), b = std::make_unique<Net>(2);
    const std::vector<float> before(b->params(), b->params() + Net::kParamFloats);
    auto state = some_state();
    state.normalization->stddev[1] = 0.125f;  // a value to find in the file
    io::save_checkpoint(dir / "ck.bin", *a, "small", io::CheckpointContents::Weights, state);
    const auto good = read_bytes(dir / "ck.bin");
    const float marker = 0.125f;
    const auto at = std::search(good.begin(), good.end(), reinterpret_cast<const unsigned char*>(&marker),
                                reinterpret_cast<const unsigned char*>(&marker) + 4);
    REQUIRE(at != good.end());
    const std::size_t stddev1 = std::size_t(at - good.begin());
    auto expect_error = [&](std::vector<unsigned char> bytes, const std::string& problem) {
        fix_checksum(bytes);
        write_bytes(dir / "bad.bin", bytes);
        INFO("expected: " << problem);
        CHECK_THROWS_WITH(io::load_checkpoint(dir / "bad.bin", *b),
                          Catch::Contains(dir / "bad.bin") && Catch::Contains(problem));
        CHECK(std::equal(before.begin(), before.end(), b->params()));
    };
    auto negative = good;
    const float minus_one = -1.0f;
    std::memcpy(negative.data() + stddev1, &minus_one, 4);
    expect_error(negative, "malformed normalisation block (normalisation of channel 1: expected a finite mean and a "
                           "positive standard deviation)");
    // The block starts 4 (kind) + 4 (channels) + 3 x 4 (means) + 4 (stddev 0) bytes before stddev 1.
    const std::size_t kind = stddev1 - 24;
    auto unknown = good;
    unknown[kind] = 7;
    expect_error(unknown, "malformed normalisation block (unknown kind 7)");
    auto too_many = good;
    too_many[kind + 4] = 17;
    expect_error(too_many, "malformed normalisation block (17 channels)");
    auto other_channels = good;
    other_channels[kind + 4] = 1;  // one channel: what follows no longer lines up, but the network is checked first
    expect_error(other_channels, "malformed normalisation block (1 channel(s), the network takes 3)");
    // Data of another shape than the network's input.
    auto wrong_shape = some_state();
    wrong_shape.dataset.shape = {1, 28, 28};
    io::save_checkpoint(dir / "shape.bin", *a, "small", io::CheckpointContents::Weights, wrong_shape);
    expect_error(read_bytes(dir / "shape.bin"), "records images of 28x28x1, the network takes 8x8x3");
    // A normalisation of one channel for a network of three.
    auto grey = some_state();
    grey.normalization->channels = 1;
    io::save_checkpoint(dir / "grey.bin", *a, "small", io::CheckpointContents::Weights, grey);
    expect_error(read_bytes(dir / "grey.bin"), "malformed normalisation block (1 channel(s), the network takes 3)");
}
