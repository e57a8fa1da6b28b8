// tests/network/test_network.cpp — shapes, parameter counts and the arena plan of the
// two seed networks; determinism; a whole-network gradient check through the loss.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "cnn6.hpp"
#include "support/layer_view.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

template <class Net>
std::vector<std::size_t> weighted_layer_params(Net& net) {
    std::vector<std::size_t> counts;
    for (const auto& v : describe_layers(net))
        if (v.kernel_size) counts.push_back(v.kernel_size + v.bias_size);
    return counts;
}

template <class Net>
void check_plan() {
    constexpr auto& p = Net::kPlan;
    for (const auto& l : p.layer) {
        CHECK(l.kernel_at % kAlignment == 0);
        CHECK(l.bias_at % kAlignment == 0);
        CHECK(l.act_at % kAlignment == 0);
        CHECK(l.saved_at % kAlignment == 0);
    }
    CHECK(p.grads_at == p.params_at + p.params_bytes);
    CHECK(p.optimizer_at == p.grads_at + p.params_bytes);
    CHECK(p.activations_at == p.optimizer_at + p.params_bytes);
    CHECK(p.saved_at == p.activations_at + p.activations_bytes);
    CHECK(p.scratch_at == p.saved_at + p.saved_bytes);
    CHECK(p.grad_at[0] == p.scratch_at + p.scratch_bytes);
    CHECK(p.labels_at == p.grad_at[1] + p.grad_bytes);
    CHECK(Net::kArenaBytes == p.labels_at + p.labels_bytes);
}

template <class Net>
std::vector<float> train_a_little(std::uint64_t seed, int threads, int steps) {
    auto net = std::make_unique<Net>(seed, threads);
    constexpr KerasRecipe recipe = keras_recipe("test", "test", SgdConfig{0.05, 0.9, 1e-3, false}, 1);
    Rng data(7);
    for (int s = 0; s < steps; ++s) {
        for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net->input()[e] = data.uniform01();
        for (int r = 0; r < Net::kBatch; ++r) net->labels()[r] = int(data.below(Net::kClasses));
        train_step(*net, recipe, Net::kBatch, s);
    }
    return std::vector<float>(net->params(), net->params() + Net::kParamFloats);
}

// A network small enough to check every parameter numerically.
using Tiny = Sequential<Input<2, 6, 6>, Conv2D<4, 3, Same, ReLU>, MaxPooling2D<2>, Conv2D<4, 3, Valid>, ReLU,
                        Flatten, Dropout<25>, Dense<6, ReLU, MaxNorm<3>>, Dense<3>, Softmax>;

}  // namespace

TEST_CASE("cnn6 has the seed's shapes and parameter counts", "[network][cnn6]") {
    using Net = Network<models::Cnn6, 32>;
    auto net = std::make_unique<Net>(1);
    CHECK(weighted_layer_params(*net) ==
          std::vector<std::size_t>{896, 9248, 18496, 36928, 73856, 147584, 2098176, 10250});
    CHECK(Net::kParamCount == 2395434);
    CHECK(std::is_same_v<Net::OutShape, Flat<10>>);
    CHECK(std::is_same_v<Net::LayerAt<11>::Out, Shape<128, 4, 4>>);  // pool3
    CHECK(std::is_same_v<Net::LayerAt<12>::Out, Flat<2048>>);         // flatten
    check_plan<Net>();
}

TEST_CASE("cnn4 has the seed's shapes and parameter counts", "[network][cnn4]") {
    using Net = Network<models::Cnn4, 32>;
    auto net = std::make_unique<Net>(1);
    CHECK(weighted_layer_params(*net) == std::vector<std::size_t>{896, 9248, 18496, 36928, 1180160, 5130});
    CHECK(Net::kParamCount == 1250858);
    CHECK(std::is_same_v<Net::LayerAt<2>::Out, Shape<32, 30, 30>>);   // conv2, valid
    CHECK(std::is_same_v<Net::LayerAt<10>::Out, Shape<64, 6, 6>>);    // pool2: 13 -> 6
    CHECK(std::is_same_v<Net::LayerAt<12>::Out, Flat<2304>>);
    check_plan<Net>();
}

TEST_CASE("in-place layers share their input's buffer", "[network]") {
    using Net = Network<models::Cnn4, 4>;
    auto net = std::make_unique<Net>(1);
    CHECK(net->activation(1) == net->activation(0));   // relu1 on conv1's output
    CHECK(net->activation(2) != net->activation(1));   // conv2 has its own
    CHECK(std::string(net->layer_name(0)) == "conv1");
    CHECK(std::string(net->layer_name(1)) == "relu1");
    CHECK(std::string(net->layer_name(4)) == "pool1");
    CHECK(std::string(net->layer_name(5)) == "drop1");
}

TEST_CASE("glorot-uniform initialisation: bounds, zero biases, seed dependence", "[network][init]") {
    using Net = Network<models::Cnn4, 1>;
    auto a = std::make_unique<Net>(5), b = std::make_unique<Net>(5), c = std::make_unique<Net>(6);
    for (const auto& v : describe_layers(*a)) {
        if (!v.kernel_size) continue;
        const double fan_in = v.kernel_rank == 4 ? 9.0 * v.kernel_dims[2] : v.kernel_dims[0];
        const double fan_out = v.kernel_rank == 4 ? 9.0 * v.kernel_dims[3] : v.kernel_dims[1];
        const double limit = std::sqrt(6.0 / (fan_in + fan_out));
        double sum = 0, sq = 0;
        for (std::size_t e = 0; e < v.kernel_size; ++e) {
            REQUIRE(std::fabs(v.kernel[e]) <= limit);
            sum += v.kernel[e];
            sq += double(v.kernel[e]) * v.kernel[e];
        }
        CHECK(std::fabs(sum / v.kernel_size) < 0.1 * limit);
        CHECK(sq / v.kernel_size == Approx(limit * limit / 3).epsilon(0.1));  // variance of U(-a, a)
        for (std::size_t e = 0; e < v.bias_size; ++e) REQUIRE(v.bias[e] == 0.0f);
    }
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));
    CHECK(!std::equal(a->params(), a->params() + Net::kParamFloats, c->params()));
}

TEST_CASE("same seed, same weights after training steps, whatever the thread count", "[network][determinism]") {
    using Net = Network<Tiny, 8>;
    const auto a = train_a_little<Net>(3, 1, 5);
    const auto b = train_a_little<Net>(3, 1, 5);
    const auto c = train_a_little<Net>(3, 2, 5);
    const auto d = train_a_little<Net>(4, 1, 5);
    CHECK(a == b);
    CHECK(a == c);
    CHECK(a != d);
}

TEST_CASE("whole-network gradients through softmax + cross-entropy", "[network][gradients]") {
    using Net = Network<Tiny, 3>;
    auto net = std::make_unique<Net>(9, 2);
    net->set_dropout_enabled(false);
    Rng rng(10);
    for (std::size_t e = 0; e < 3 * Net::InShape::size; ++e) net->input()[e] = rng.uniform(-1.0f, 1.0f);
    for (int r = 0; r < 3; ++r) net->labels()[r] = r;
    net->forward(3, true);
    net->backward(3);
    const std::vector<float> grads(net->grads(), net->grads() + Net::kParamFloats);
    auto loss_at = [&] {
        net->forward(3, true);
        return net->loss(3);
    };
    const double l0 = loss_at();
    int checked = 0, skipped = 0;
    double worst = 0;
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) {
        float& w = net->params()[e];
        const float keep = w, h = 1e-3f;
        if (keep == 0.0f && grads[e] == 0.0f) continue;  // alignment padding
        w = keep + h;
        const double lp = loss_at();
        w = keep - h;
        const double lm = loss_at();
        w = keep;
        const double scale = 1.0 + std::fabs(grads[e]);
        // The one-sided slopes differ by ~h * curvature where the loss is smooth; a ReLU
        // or max-pool kink inside [w-h, w+h] makes them differ by twice the error it
        // causes in the central difference, so skipping above the tolerance is sound.
        if (std::fabs(lp - 2 * l0 + lm) / h > 2e-3 * scale) {
            ++skipped;
            continue;
        }
        const double numeric = (lp - lm) / (2 * h);
        const double err = std::fabs(numeric - grads[e]) / scale;
        worst = std::max(worst, err);
        ++checked;
        INFO("parameter " << e << ": numeric " << numeric << ", analytic " << grads[e]);
        CHECK(err < 2e-3);
    }
    std::printf("  whole network: %d parameters checked, %d skipped (kinks), worst error %.2e\n", checked, skipped, worst);
    CHECK(checked > 250);
}

TEST_CASE("a batch split in shards: the scaled shard gradients sum to the batch's gradient", "[network][distributed]") {
    // What data-parallel training does on N processes (distributed.hpp): each runs its
    // rows with their global row offset (dropout on: its masks follow the global row) and
    // scales its loss gradient by rows / batch; the sum is the one-process gradient up to
    // summation order.
    using Net = Network<Tiny, 8>;
    auto net = std::make_unique<Net>(5, 1);
    Rng rng(6);
    std::vector<float> images(8 * Net::InShape::size);
    std::vector<std::int32_t> labels(8);
    for (auto& x : images) x = rng.uniform(-1.0f, 1.0f);
    for (int r = 0; r < 8; ++r) labels[std::size_t(r)] = r % 3;
    auto load_rows = [&](int first, int rows) {
        std::copy(images.begin() + first * Net::InShape::size, images.begin() + (first + rows) * Net::InShape::size, net->input());
        std::copy(labels.begin() + first, labels.begin() + first + rows, net->labels());
    };
    const std::uint64_t step = 3;
    load_rows(0, 8);
    net->forward(8, true, step);
    const double whole_loss = net->backward(8, step, loss::SoftmaxCrossEntropy{});
    const std::vector<float> whole(net->grads(), net->grads() + Net::kParamFloats);
    for (const int ranks : {2, 3}) {
        std::vector<double> sum(Net::kParamFloats, 0.0);
        double loss_sum = 0;
        for (int rank = 0; rank < ranks; ++rank) {
            const BatchShard shard{rank, ranks};
            load_rows(shard.begin(8), shard.rows(8));
            net->forward(shard.rows(8), true, step, shard.begin(8));
            loss_sum += shard.rows(8) * net->backward(shard.rows(8), step, loss::SoftmaxCrossEntropy{}, shard.begin(8),
                                                      float(shard.rows(8)) / 8.0f);
            for (std::size_t e = 0; e < Net::kParamFloats; ++e) sum[e] += net->grads()[e];
        }
        INFO(ranks << " shards");
        CHECK(loss_sum / 8 == Approx(whole_loss).epsilon(1e-6));
        double worst = 0, largest = 0;
        for (std::size_t e = 0; e < Net::kParamFloats; ++e) {
            worst = std::max(worst, std::fabs(sum[e] - double(whole[e])));
            largest = std::max(largest, std::fabs(double(whole[e])));
        }
        CHECK(largest > 0.01);
        CHECK(worst <= 1e-6 * largest);
    }
    // A shard's rows cover the batch exactly, and differ by at most one.
    for (const int n : {1, 5, 8, 32})
        for (const int ranks : {1, 2, 3, 7}) {
            int covered = 0;
            for (int rank = 0; rank < ranks; ++rank) {
                const BatchShard s{rank, ranks};
                CHECK(s.begin(n) == covered);
                CHECK(s.rows(n) >= n / ranks);
                CHECK(s.rows(n) <= (n + ranks - 1) / ranks);
                covered = s.end(n);
            }
            CHECK(covered == n);
        }
}
