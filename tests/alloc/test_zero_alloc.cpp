// tests/alloc/test_zero_alloc.cpp — no heap allocation after construction.
//
// This executable replaces the global allocation functions with counting ones. After
// the network (and its thread pool) is constructed, training and evaluation steps must
// not allocate at all; nor must the reader, augmenting and normalising or not.
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>

#include "catch.hpp"
#include "support/counting_allocator.hpp"
#include "cnn4.hpp"
#include "cnn6.hpp"
#include "statnn/data/cifar10.hpp"
#include "statnn/data/class_selection.hpp"
#include "support/cifar_files.hpp"
#include "trainer.hpp"
#include "support/cifar_reader.hpp"

using statnn::test::g_allocations;
using statnn::test::g_counting;

using namespace statnn;

namespace {

template <class Arch, class R>
long allocations_during_steps(const R& recipe) {
    using Net = Network<Arch, 8, R::OptimizerType::kStateSlots>;
    auto net = std::make_unique<Net>(1, 2);
    Rng rng(1);
    for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net->input()[e] = rng.uniform01();
    for (int r = 0; r < Net::kBatch; ++r) net->labels()[r] = r % 10;
    g_allocations = 0;
    g_counting = true;
    for (int s = 0; s < 2; ++s) {  // twice: anything set up lazily on the first step shows on the second
        train_step(*net, recipe, Net::kBatch, s);
        net->forward(5, false);  // evaluation, partial batch
        (void)net->loss(5);
    }
    g_counting = false;
    return g_allocations.load();
}

}  // namespace

TEST_CASE("the counting allocator sees allocations (the test can fail)", "[alloc]") {
    g_allocations = 0;
    g_counting = true;
    auto p = std::make_unique<int[]>(16);
    g_counting = false;
    CHECK(g_allocations.load() == 1);
}

TEST_CASE("cnn6: zero heap allocations in training and evaluation steps", "[alloc][cnn6]") {
    CHECK(allocations_during_steps<models::Cnn6>(models::kCnn6Recipe) == 0);
}

TEST_CASE("cnn4: zero heap allocations in training and evaluation steps", "[alloc][cnn4]") {
    CHECK(allocations_during_steps<models::Cnn4>(models::kCnn4Recipe) == 0);
}

TEST_CASE("Adam, SGD-W and their schedules with label smoothing: zero heap allocations in steps", "[alloc][optim]") {
    constexpr Recipe<optim::AdamW, optim::WarmupCosineDecay> adamw{
        "adamw", "test", {}, {0.001, 2, 10, 0.1, 0.0}, {0.1}, 1};
    CHECK(allocations_during_steps<models::Cnn4>(adamw) == 0);
    constexpr Recipe<optim::SgdW, optim::WarmupLinearDecay> sgdw{
        "sgdw", "test", {0.85, 5e-4, true}, {0.2, 1, 10, 0.2, 0.07}, {0.2}, 1};
    CHECK(allocations_during_steps<models::Cnn4>(sgdw) == 0);
}

namespace {

// Per-channel normalisation as a recipe might set it.
data::Normalization some_normalization() {
    data::Normalization n;
    n.enabled = true;
    for (int c = 0; c < 3; ++c) n.mean[c] = 0.45f + 0.01f * float(c), n.stddev[c] = 0.25f;
    return n;
}

// Three epochs of `reader` (500 images each) and one batch of an epoch resumed mid-way;
// the allocations seen meanwhile.
long allocations_streaming(test::CifarReader& reader) {
    auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
    g_allocations = 0;
    g_counting = true;
    long images = 0;
    for (int epoch = 0; epoch < 3; ++epoch) {
        reader.start_epoch(epoch);
        for (int n; (n = reader.next(net->input(), net->labels())) > 0;) images += n;
    }
    reader.start_epoch(3, 7);  // resuming mid-epoch
    images += reader.next(net->input(), net->labels());
    g_counting = false;
    CHECK(images == 3 * 500 + 32);
    return g_allocations.load();
}

}  // namespace

TEST_CASE("the CIFAR-10 reader streams epochs without allocating", "[alloc][data]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 100);
    const data::Cifar10Set set(dir.path(), data::Split::Train);
    test::CifarReader reader(set, 32, 0, true, 1);
    CHECK(allocations_streaming(reader) == 0);
}

TEST_CASE("the augmenting, normalising reader streams epochs without allocating", "[alloc][data][augment]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 100);
    const data::Cifar10Set set(dir.path(), data::Split::Train);
    test::CifarReader reader(set, 32, 0, true, 1, data::kSeedModelAugmentation, some_normalization());
    CHECK(allocations_streaming(reader) == 0);
}

// --classes and --per-class: the reader over a selection, whose index table is made once.
TEST_CASE("the reader of selected classes streams epochs without allocating", "[alloc][data][classes]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 100);  // 500 training records, 50 of each class
    const data::SelectedRecords set(std::make_unique<data::Cifar10Set>(dir.path(), data::Split::Train),
                                    data::ClassSelection{{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 50, 3});
    REQUIRE(set.records() == 500);
    test::CifarReader reader(set, 32, 0, true, 1);
    CHECK(allocations_streaming(reader) == 0);
}

// Values measured on the training data, as train does before the first step (which may
// allocate: it happens once, before the reader is made).
TEST_CASE("the reader normalising with values measured on the training data streams without allocating",
          "[alloc][data][normalize]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 100);
    const data::Cifar10Set set(dir.path(), data::Split::Train);
    const data::Normalization measured = data::normalization_from(data::channel_statistics(set, 0));
    test::CifarReader reader(set, 32, 0, true, 1, data::kSeedModelAugmentation, measured);
    CHECK(allocations_streaming(reader) == 0);
}

namespace {

// The whole training loop as `train` runs it: progress, the check for a stop signal
// between steps, an epoch stopped mid-way and one resumed at a step; then evaluation,
// plain and with mirror images (evaluate --tta flip).
void check_training_loop_allocates_nothing(const data::Augmentation& augment) {
    statnn::test::TempDir dir;
    // 5 x 8 training records: two steps per epoch (32 + 8), a partial batch included;
    // small, because under emulation (the ARM suites) every cnn4 step takes seconds.
    statnn::test::write_cifar_set(dir.path(), 8);
    const data::Cifar10Set set(dir.path(), data::Split::Train), test_set(dir.path(), data::Split::Test);
    test::CifarReader reader(set, 32, 0, true, 1, augment), val_reader(test_set, 32, 0, false, 0);
    auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 2);
    std::int64_t steps = 0;
    Progress progress(stdout, 0);
    std::atomic<int> stop{0};
    train_epoch(*net, models::kCnn4Recipe, steps, reader, 1, progress, {}, &stop);  // warm-up
    evaluate(*net, val_reader, TestTimeAugmentation::Flip);
    g_allocations = 0;
    g_counting = true;
    const auto whole = train_epoch(*net, models::kCnn4Recipe, steps, reader, 2, progress, {}, &stop);
    stop = 2;
    const auto stopped = train_epoch(*net, models::kCnn4Recipe, steps, reader, 3, progress, {}, &stop);
    stop = 0;
    const auto resumed = train_epoch(*net, models::kCnn4Recipe, steps, reader, 3, progress, stopped.totals, &stop);
    const auto plain = evaluate(*net, val_reader);
    const auto mirrored = evaluate(*net, val_reader, TestTimeAugmentation::Flip);
    g_counting = false;
    CHECK(whole.complete);
    CHECK(whole.steps == 2);
    CHECK(!stopped.complete);
    CHECK(stopped.steps == 1);
    CHECK(resumed.complete);
    CHECK(resumed.steps == 2);
    CHECK(plain.images == 8);
    CHECK(mirrored.images == 8);
    CHECK(g_allocations.load() == 0);
}

}  // namespace

TEST_CASE("a training epoch, with its stop check, allocates nothing", "[alloc][train]") {
    check_training_loop_allocates_nothing({});
}

TEST_CASE("a training epoch on augmented images allocates nothing", "[alloc][train][augment]") {
    check_training_loop_allocates_nothing(data::kSeedModelAugmentation);
}

namespace {

// Rank 1 of 2 whose partner holds the same numbers: the sums double, nothing travels.
class MirroredPartner final : public Communicator {
public:
    int rank() const override { return 1; }
    int size() const override { return 2; }
    void sum(float* data, std::size_t count) override { for (std::size_t i = 0; i < count; ++i) data[i] *= 2.0f; }
    void sum(double* data, std::size_t count) override { for (std::size_t i = 0; i < count; ++i) data[i] *= 2.0; }
    void max(double*, std::size_t) override {}
    void broadcast(float*, std::size_t, int) override {}
    [[noreturn]] void abort(int status) override { std::exit(status); }
};

}  // namespace

// [slow]: under emulation the two cases above already cover the training loop (a minute
// each); this one adds only the shard's arithmetic, the same on every target.
TEST_CASE("a training epoch on one process's share of each batch, with its sums, allocates nothing",
          "[alloc][train][distributed][slow]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 8);
    const data::Cifar10Set set(dir.path(), data::Split::Train), test_set(dir.path(), data::Split::Test);
    test::CifarReader reader(set, 32, 0, true, 1), val_reader(test_set, 32, 0, false, 0);
    MirroredPartner partner;
    reader.set_shard(partner.shard());
    val_reader.set_shard(partner.shard());
    auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 2);
    std::int64_t steps = 0;
    Progress progress(stdout, 0);
    std::atomic<int> stop{0};
    train_epoch(*net, models::kCnn4Recipe, steps, reader, 1, progress, {}, &stop, &partner);  // warm-up
    evaluate(*net, val_reader, TestTimeAugmentation::None, &partner);
    g_allocations = 0;
    g_counting = true;
    const auto epoch = train_epoch(*net, models::kCnn4Recipe, steps, reader, 2, progress, {}, &stop, &partner);
    const auto scored = evaluate(*net, val_reader, TestTimeAugmentation::None, &partner);
    g_counting = false;
    CHECK(epoch.complete);
    CHECK(epoch.steps == 2);
    CHECK(epoch.images == 40);  // the global batches' images: 32 + 8
    CHECK(scored.images == 8);  // this share's 4 of the 8, doubled by the partner's
    CHECK(g_allocations.load() == 0);
}
