// tests/optim/test_loss.cpp — SoftmaxCrossEntropy with label smoothing: smoothing 0 is
// today's loss and gradient bit for bit, the gradient matches finite differences of the
// loss's definition, and loss and gradient match PyTorch's cross_entropy with
// label_smoothing on the golden set's batch.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "optim/optim_support.hpp"
#include "statnn/loss/softmax_cross_entropy.hpp"

using namespace statnn;
using namespace statnn::test;
using statnn::loss::SoftmaxCrossEntropy;

namespace {

constexpr int K = 10;

// The definition in double, from the logits: mean over rows of -Σ_j q_j log softmax(z)_j.
double loss_definition(const std::vector<double>& z, const std::vector<std::int32_t>& labels, double smoothing) {
    const int n = int(labels.size());
    double total = 0.0;
    for (int r = 0; r < n; ++r) {
        const double* row = &z[std::size_t(r) * K];
        double m = row[0], s = 0.0;
        for (int j = 1; j < K; ++j) m = std::max(m, row[j]);
        for (int j = 0; j < K; ++j) s += std::exp(row[j] - m);
        const double log_sum = m + std::log(s);
        for (int j = 0; j < K; ++j) {
            const double q = (j == labels[std::size_t(r)] ? 1.0 - smoothing : 0.0) + smoothing / K;
            total -= q * (row[j] - log_sum);
        }
    }
    return total / n;
}

struct Batch {
    std::vector<float> logits, probs, dlogits;
    std::vector<std::int32_t> labels;
};

Batch random_batch(int n, std::uint64_t seed, float spread) {
    Batch b;
    b.logits.resize(std::size_t(n) * K);
    b.probs.resize(b.logits.size());
    b.dlogits.resize(b.logits.size());
    b.labels.resize(std::size_t(n));
    fill_uniform(b.logits.data(), b.logits.size(), seed, -spread, spread);
    Rng rng(seed + 1);
    for (auto& l : b.labels) l = std::int32_t(rng.below(K));
    return b;
}

}  // namespace

TEST_CASE("SoftmaxCrossEntropy with smoothing 0 is today's loss and gradient, bit for bit", "[optim][loss]") {
    Batch b = random_batch(32, 7, 6.0f);
    // Rows whose probabilities the 1e-7 clip catches at both ends.
    for (int j = 0; j < K; ++j) b.logits[j] = j == b.labels[0] ? 40.0f : 0.0f;
    for (int j = 0; j < K; ++j) b.logits[K + j] = j == b.labels[1] ? -40.0f : 0.0f;
    const SoftmaxCrossEntropy loss{};
    loss.probabilities<K>(b.logits.data(), 32, b.probs.data());
    std::vector<float> today(b.dlogits.size());
    const double ours = loss.backward<K>(b.probs.data(), b.labels.data(), 32, b.dlogits.data());
    const double before = kernels::ref::softmax_xent_backward<K>(b.probs.data(), b.labels.data(), 32, today.data());
    CHECK(ours == before);
    CHECK(std::memcmp(b.dlogits.data(), today.data(), today.size() * 4) == 0);
    CHECK(loss.loss<K>(b.probs.data(), b.labels.data(), 32) ==
          kernels::ref::softmax_xent_loss<K>(b.probs.data(), b.labels.data(), 32));
}

TEST_CASE("SoftmaxCrossEntropy: gradient against finite differences of its definition", "[optim][loss][gradcheck]") {
    for (double smoothing : {0.0, 0.1, 0.2, 0.5}) {
        INFO("smoothing " << smoothing);
        const int n = 6;
        Batch b = random_batch(n, 11, 3.0f);
        const SoftmaxCrossEntropy loss{smoothing};
        loss.probabilities<K>(b.logits.data(), n, b.probs.data());
        const double value = loss.backward<K>(b.probs.data(), b.labels.data(), n, b.dlogits.data());
        std::vector<double> z(b.logits.begin(), b.logits.end());
        CHECK(value == Approx(loss_definition(z, b.labels, smoothing)).epsilon(1e-6));
        double worst = 0.0;
        const double h = 1e-5;
        for (std::size_t e = 0; e < z.size(); ++e) {
            const double keep = z[e];
            z[e] = keep + h;
            const double up = loss_definition(z, b.labels, smoothing);
            z[e] = keep - h;
            const double down = loss_definition(z, b.labels, smoothing);
            z[e] = keep;
            worst = std::max(worst, std::fabs((up - down) / (2 * h) - double(b.dlogits[e])));
        }
        CHECK(worst <= 1e-7);  // gradients are of order 1/n; float32 probabilities
        for (int r = 0; r < n; ++r) {  // the targets sum to 1, so each row's gradient sums to 0
            double s = 0.0;
            for (int j = 0; j < K; ++j) s += b.dlogits[std::size_t(r) * K + j];
            CHECK(std::fabs(s) <= 1e-7);
        }
    }
}

TEST_CASE("golden: label-smoothed loss and gradient match PyTorch's cross_entropy", "[optim][loss][golden]") {
    const std::string dir = optim_golden_dir();
    INFO("optimizer golden set " << dir);
    std::unique_ptr<GoldenSet> set;
    REQUIRE_NOTHROW(set = std::make_unique<GoldenSet>(dir));
    const GoldenSet& g = *set;
    const Json& spec = g.manifest()["loss"];
    const GoldenArray logits = g.load(spec["logits"].string), labels = g.load(spec["labels"].string);
    REQUIRE(logits.shape.size() == 2);
    REQUIRE(logits.shape[1] == K);
    const int n = logits.shape[0];
    REQUIRE(labels.count() == std::size_t(n));
    std::vector<float> probs(logits.count()), dlogits(logits.count());
    int cases = 0;
    for (const Json& c : spec["cases"].array) {
        const double smoothing = c["smoothing"].number;
        const SoftmaxCrossEntropy loss{smoothing};
        REQUIRE(loss.invalid() == nullptr);
        loss.probabilities<K>(logits.f32.data(), n, probs.data());
        const double value = loss.backward<K>(probs.data(), labels.i32.data(), n, dlogits.data());
        const double loss_err = std::fabs(value - c["loss"].number) / c["loss"].number;
        const TensorError grad_err = compare(dlogits.data(), g.load(c["dlogits"].string));
        std::printf("  loss, label smoothing %-4g  loss rel %.2e  dlogits rel %.2e (abs %.2e)\n", smoothing, loss_err,
                    grad_err.relative, grad_err.absolute);
        INFO("smoothing " << smoothing);
        CHECK(loss_err <= 1e-6);
        CHECK(grad_err.relative <= 1e-6);
        CHECK(loss.loss<K>(probs.data(), labels.i32.data(), n) == value);
        ++cases;
    }
    CHECK(cases >= 3);
}

TEST_CASE("SoftmaxCrossEntropy: smoothing is a field, checked", "[optim][loss]") {
    constexpr SoftmaxCrossEntropy airbench{0.2};  // a recipe's loss is a constexpr value
    static_assert(airbench.smoothing == 0.2);
    SoftmaxCrossEntropy loss;
    CHECK(optim::set_fields(loss, airbench.fields()));
    CHECK(loss.smoothing == 0.2);
    CHECK_FALSE(loss.set_field("smoothing_factor", 0.1));
    CHECK(SoftmaxCrossEntropy{1.0}.invalid() != nullptr);
    CHECK(SoftmaxCrossEntropy{-0.1}.invalid() != nullptr);
    CHECK(SoftmaxCrossEntropy{0.0}.invalid() == nullptr);
}
