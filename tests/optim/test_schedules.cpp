// tests/optim/test_schedules.cpp — learning-rate schedules: Keras decay equals the Keras
// SGD oracle's learning_rate() bit for bit, the warm-up schedules pass through their corner
// points, hold after the end, and are pure functions of the step (the golden test checks
// them against PyTorch's schedulers).
#include <cmath>
#include <cstdint>
#include <string>

#include "catch.hpp"
#include "optim/optim_support.hpp"
#include "statnn/optim/sgd.hpp"
#include "support/keras_sgd_oracle.hpp"

using namespace statnn;
using namespace statnn::optim;

TEST_CASE("KerasDecay equals the Keras SGD oracle's learning rate bit for bit", "[optim][schedule]") {
    for (const SgdConfig config : {SgdConfig{0.01, 0.9, 1e-6, false}, SgdConfig{0.1, 0.0, 1e-6, true},
                                   SgdConfig{0.01, 0.9, 0.1, false}, SgdConfig{0.3, 0.9, 0.0, false},
                                   SgdConfig{1e-3, 0.9, 3.7e-5, true}}) {
        INFO("lr " << config.lr << " decay " << config.decay);
        test::KerasSgdOracle sgd(config);
        const KerasDecay schedule{config.lr, config.decay};
        std::int64_t mismatches = 0, checked = 0;
        auto check = [&](std::int64_t t) {
            sgd.set_iterations(t);
            mismatches += schedule.learning_rate(t) != sgd.learning_rate();
            ++checked;
        };
        for (std::int64_t t = 0; t < 200000; ++t) check(t);  // 128 epochs of CIFAR-10 at batch 32
        for (std::int64_t t = 200000; t < (std::int64_t(1) << 40); t = t * 3 + 1) check(t);
        INFO(mismatches << " of " << checked << " steps differ");
        CHECK(mismatches == 0);
    }
    constexpr KerasDecay tutorial{0.01, 1e-6};  // constexpr, as a recipe's schedule
    static_assert(tutorial.learning_rate(0) == 0.01);
}

TEST_CASE("WarmupLinearDecay: warm-up line, peak, decay line, held end", "[optim][schedule]") {
    constexpr WarmupLinearDecay s{0.4, 10, 110, 0.2, 0.07};
    static_assert(s.learning_rate(0) == 0.4 * 0.2);
    static_assert(s.learning_rate(10) == 0.4);
    CHECK(s.learning_rate(5) == Approx(0.4 * 0.6).epsilon(1e-15));
    CHECK(s.learning_rate(60) == Approx(0.4 * (1 + 0.5 * (0.07 - 1))).epsilon(1e-15));
    CHECK(s.learning_rate(110) == 0.4 * 0.07);
    CHECK(s.learning_rate(1000000) == 0.4 * 0.07);
    // airbench's triangle: linear interpolation through (0, s), (W, 1), (T, e), times the peak.
    auto interpolate = [](double x, double x0, double y0, double x1, double y1) {
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
    };
    for (std::int64_t t = 0; t < 110; ++t) {
        const double expected = 0.4 * (t < 10 ? interpolate(double(t), 0, 0.2, 10, 1) : interpolate(double(t), 10, 1, 110, 0.07));
        INFO("t = " << t);
        CHECK(s.learning_rate(t) == Approx(expected).epsilon(1e-14));
        if (t > 0) CHECK((t <= 10 ? s.learning_rate(t) > s.learning_rate(t - 1) : s.learning_rate(t) < s.learning_rate(t - 1)));
    }
    constexpr WarmupLinearDecay no_warmup{0.1, 0, 4, 0.0, 0.0};
    static_assert(no_warmup.learning_rate(0) == 0.1 && no_warmup.learning_rate(2) == 0.05 && no_warmup.learning_rate(4) == 0.0);
}

TEST_CASE("WarmupCosineDecay: the same warm-up, half a cosine, held end", "[optim][schedule]") {
    const WarmupCosineDecay s{0.2, 4, 104, 0.0, 0.1};
    CHECK(s.learning_rate(0) == 0.0);
    CHECK(s.learning_rate(2) == Approx(0.1).epsilon(1e-15));
    CHECK(s.learning_rate(4) == Approx(0.2).epsilon(1e-15));
    CHECK(s.learning_rate(54) == Approx(0.2 * (0.1 + 0.9 * 0.5)).epsilon(1e-14));  // half-way down
    CHECK(s.learning_rate(104) == Approx(0.2 * 0.1).epsilon(1e-15));
    CHECK(s.learning_rate(5000) == Approx(0.2 * 0.1).epsilon(1e-15));
    for (std::int64_t t = 5; t < 104; ++t) {
        INFO("t = " << t);
        CHECK(s.learning_rate(t) < s.learning_rate(t - 1));
        // symmetric about the middle of the decay
        const double a = s.learning_rate(t) / 0.2 - 0.1, b = s.learning_rate(108 - t) / 0.2 - 0.1;
        CHECK(a + b == Approx(0.9).epsilon(1e-12));
    }
}

TEST_CASE("schedules are pure functions of the step: any order, any repetition", "[optim][schedule]") {
    const WarmupCosineDecay cosine{0.2, 7, 70, 0.1, 0.05};
    const WarmupLinearDecay linear{0.2, 7, 70, 0.1, 0.05};
    double forward_cos[80], forward_lin[80];
    for (int t = 0; t < 80; ++t) {
        forward_cos[t] = cosine.learning_rate(t);
        forward_lin[t] = linear.learning_rate(t);
    }
    for (int t = 79; t >= 0; --t) {  // a resumed run asks for step t without the steps before
        CHECK(cosine.learning_rate(t) == forward_cos[t]);
        CHECK(linear.learning_rate(t) == forward_lin[t]);
    }
}

TEST_CASE("schedules: fields round-trip, settings are checked", "[optim][schedule]") {
    WarmupLinearDecay s{0.4, 10, 110, 0.2, 0.07};
    WarmupLinearDecay restored;
    CHECK(set_fields(restored, s.fields()));
    CHECK(restored.learning_rate(37) == s.learning_rate(37));
    CHECK(restored.total_steps == 110);
    CHECK_FALSE(restored.set_field("warmup_steps", 2.5));  // not a step count
    CHECK_FALSE(restored.set_field("total_steps", -1));
    CHECK_FALSE(restored.set_field("lr", 0.1));  // a warm-up schedule has peak_lr
    CHECK(s.invalid() == nullptr);
    CHECK((WarmupLinearDecay{0.4, 10, 10, 0.2, 0.07}.invalid() != nullptr));  // no decay phase
    CHECK((WarmupCosineDecay{0.4, 0, 10, 1.5, 0.0}.invalid() != nullptr));
    CHECK(KerasDecay{0.01, -1.0}.invalid() != nullptr);
    CHECK(ConstantLr{0.0}.invalid() != nullptr);
    KerasDecay k;
    CHECK(set_fields(k, KerasDecay{0.02, 1e-4}.fields()));
    CHECK(k.learning_rate(100) == KerasDecay{0.02, 1e-4}.learning_rate(100));
    CHECK(std::string(WarmupCosineDecay::kKind) == "warmup-cosine");
    static_assert(is_schedule_v<ConstantLr> && is_schedule_v<KerasDecay> && !is_schedule_v<SgdW>);
}
