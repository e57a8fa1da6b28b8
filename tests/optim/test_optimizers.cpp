// tests/optim/test_optimizers.cpp — the optimizers of optim/: golden steps against
// PyTorch, the scalar reference kernels against hand-worked values, the xsimd kernels
// against the references, thread-count independence, zero allocations per step, and the
// Keras SGD of the concept against the Keras SGD oracle (support/keras_sgd_oracle.hpp) bit
// for bit.
//
// The golden set (tests/golden/make_golden_optim.py) runs every optimizer under every
// schedule for a few steps on generated parameters and gradients. Metric per array, as the
// other golden tests: max|ours - ref| / max|ref|. The reference is float64 rounded to
// float32 once; PyTorch itself in float32 lands 2e-7 away, so the limit is 1e-6.
//
// This executable counts heap allocations (support/counting_allocator.hpp) for the
// zero-allocation case.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/counting_allocator.hpp"
#include "optim/optim_support.hpp"
#include "statnn/optim/lookahead.hpp"
#include "statnn/optim/sgd.hpp"
#include "support/keras_sgd_oracle.hpp"

using statnn::test::g_allocations;
using statnn::test::g_counting;

using namespace statnn;
using namespace statnn::optim;
using namespace statnn::test;

namespace {

constexpr double kGoldenParamLimit = 1e-6;
constexpr double kGoldenStateLimit = 1e-6;
constexpr double kGoldenLrLimit = 1e-14;  // PyTorch's schedulers chain factors; ours are closed forms
constexpr double kSimdLimit = 1e-6;       // the xsimd kernels against the reference: a few ulp

// Parameters, gradients and state of one optimizer over n parameters, 64-byte aligned.
template <int Slots>
struct Buffers {
    explicit Buffers(std::size_t n) : count(n), params(n), grads(n) {
        for (auto& s : state) s = std::make_unique<AlignedFloats>(n);
    }
    ParamArrays<Slots> arrays() {
        ParamArrays<Slots> a;
        a.params = params.data();
        a.grads = grads.data();
        for (int s = 0; s < Slots; ++s) a.state[std::size_t(s)] = state[std::size_t(s)]->data();
        a.count = count;
        return a;
    }
    void copy_from(Buffers& other) {
        std::memcpy(params.data(), other.params.data(), count * 4);
        std::memcpy(grads.data(), other.grads.data(), count * 4);
        for (int s = 0; s < Slots; ++s) std::memcpy(state[std::size_t(s)]->data(), other.state[std::size_t(s)]->data(), count * 4);
    }
    std::size_t count;
    AlignedFloats params, grads;
    std::unique_ptr<AlignedFloats> state[Slots > 0 ? Slots : 1];
};

// ---- golden steps against PyTorch -------------------------------------------------------

struct GoldenWorst {
    double lr = 0, params_fast = 0, params_ref = 0, state_fast = 0, state_ref = 0;
};

template <class O, class S>
void check_trajectory(const GoldenSet& g, const Json& tr, O opt, S schedule, GoldenWorst& worst) {
    const std::string name = tr["name"].string;
    INFO("trajectory " << name << " in " << g.dir());
    for (const auto& [field, value] : tr["optimizer"]["fields"].object) {
        INFO("optimizer field " << field);
        REQUIRE(opt.set_field(field, value.number));
    }
    for (const auto& [field, value] : tr["schedule"]["fields"].object) {
        INFO("schedule field " << field);
        REQUIRE(schedule.set_field(field, value.number));
    }
    REQUIRE(opt.invalid() == nullptr);
    REQUIRE(schedule.invalid() == nullptr);

    const GoldenArray initial = g.load("initial_params");
    const std::size_t n = initial.count();
    const int steps = int(g.manifest()["steps"].number);
    REQUIRE(tr["lr_per_step"].array.size() == std::size_t(steps));
    REQUIRE(tr["params_after"].array.size() == std::size_t(steps));
    constexpr int Slots = O::kStateSlots;
    Buffers<Slots> fast(n), ref(n);
    std::memcpy(fast.params.data(), initial.f32.data(), n * 4);
    std::memcpy(ref.params.data(), initial.f32.data(), n * 4);
    ThreadPool pool(2);
    double lr_err = 0, fast_err = 0, ref_err = 0;
    for (int t = 0; t < steps; ++t) {
        const double lr = schedule.learning_rate(t), lr_ref = tr["lr_per_step"][std::size_t(t)].number;
        lr_err = std::max(lr_err, std::fabs(lr - lr_ref) / lr_ref);
        const GoldenArray grad = g.load("grads/step" + std::to_string(t));
        REQUIRE(grad.count() == n);
        std::memcpy(fast.grads.data(), grad.f32.data(), n * 4);
        std::memcpy(ref.grads.data(), grad.f32.data(), n * 4);
        opt.step(pool, fast.arrays(), lr, t);
        reference_step(opt, ref.arrays(), lr, t);
        const GoldenArray after = g.load(tr["params_after"][std::size_t(t)].string);
        REQUIRE(after.count() == n);
        fast_err = std::max(fast_err, compare(fast.params.data(), after).relative);
        ref_err = std::max(ref_err, compare(ref.params.data(), after).relative);
    }
    double state_fast = 0, state_ref = 0;
    for (int s = 0; s < Slots; ++s) {
        const std::string slot = O::state_name(s);
        INFO("state slot " << slot);
        REQUIRE(tr["state"].contains(slot));
        const GoldenArray expected = g.load(tr["state"][slot].string);
        REQUIRE(expected.count() == n);
        state_fast = std::max(state_fast, compare(fast.state[s]->data(), expected).relative);
        state_ref = std::max(state_ref, compare(ref.state[s]->data(), expected).relative);
    }
    std::printf("  %-34s lr %.1e  params %.2e (reference kernel %.2e)  state %.2e (%.2e)\n", name.c_str(), lr_err,
                fast_err, ref_err, state_fast, state_ref);
    CHECK(lr_err <= kGoldenLrLimit);
    CHECK(fast_err <= kGoldenParamLimit);
    CHECK(ref_err <= kGoldenParamLimit);
    CHECK(state_fast <= kGoldenStateLimit);
    CHECK(state_ref <= kGoldenStateLimit);
    worst.lr = std::max(worst.lr, lr_err);
    worst.params_fast = std::max(worst.params_fast, fast_err);
    worst.params_ref = std::max(worst.params_ref, ref_err);
    worst.state_fast = std::max(worst.state_fast, state_fast);
    worst.state_ref = std::max(worst.state_ref, state_ref);
}

}  // namespace

TEST_CASE("golden: every optimizer under every schedule matches PyTorch step by step", "[optim][golden]") {
    const std::string dir = optim_golden_dir();
    INFO("optimizer golden set " << dir << " (STATNN_GOLDEN_DIR/optim when it exists)");
    std::unique_ptr<GoldenSet> set;
    REQUIRE_NOTHROW(set = std::make_unique<GoldenSet>(dir));
    const GoldenSet& g = *set;
    REQUIRE(g.manifest()["format"].string == "statnn-golden-optim");
    std::printf("optimizer golden set %s (%s)\n", dir.c_str(), g.manifest()["computed_in"].string.c_str());
    GoldenWorst worst;
    std::size_t trajectories = 0;
    for (const Json& tr : g.manifest()["trajectories"].array) {
        with_optimizer(tr["optimizer"]["kind"].string, [&](auto opt) {
            with_schedule(tr["schedule"]["kind"].string,
                          [&](auto schedule) { check_trajectory(g, tr, opt, schedule, worst); });
        });
        ++trajectories;
    }
    std::printf("  worst: lr %.1e, params %.2e (reference kernel %.2e), state %.2e (%.2e)\n", worst.lr,
                worst.params_fast, worst.params_ref, worst.state_fast, worst.state_ref);
    CHECK(trajectories >= 18);  // 6 optimizers x 3 schedules in every set of this format
}

// fastcifar's Lookahead, from a set that has it: a set in $STATNN_GOLDEN_DIR written before
// Lookahead joined the generator leaves it to the committed set (and says so).
TEST_CASE("golden: Lookahead around SGD matches airbench's form in PyTorch step by step", "[optim][golden]") {
    using O = optim::Lookahead<optim::MomentumSgd<optim::WeightDecay::L2>>;
    auto lookahead_trajectories = [](const GoldenSet& g) {
        std::vector<const Json*> found;
        for (const Json& tr : g.manifest()["trajectories"].array)
            if (tr["optimizer"]["kind"].string == O::kKind) found.push_back(&tr);
        return found;
    };
    auto set = std::make_unique<GoldenSet>(optim_golden_dir());
    if (lookahead_trajectories(*set).empty()) {
        const std::string committed = committed_optim_golden_dir();
        std::printf("%s has no %s trajectory: taken from the committed set %s\n", set->dir().c_str(), O::kKind, committed.c_str());
        set = std::make_unique<GoldenSet>(committed);
    }
    const auto found = lookahead_trajectories(*set);
    REQUIRE(found.size() >= 3);  // under each of the three schedules
    GoldenWorst worst;
    for (const Json* tr : found) {
        // The pulls must be in the trajectory, or the test would check SGD alone.
        REQUIRE((*tr)["optimizer"]["fields"]["lookahead_every"].number < double(set->manifest()["steps"].number));
        with_schedule((*tr)["schedule"]["kind"].string, [&](auto schedule) { check_trajectory(*set, *tr, O{}, schedule, worst); });
    }
}

// ---- the scalar references on hand-worked values ----------------------------------------

TEST_CASE("reference momentum SGD: Nesterov, plain momentum, L2 and decoupled decay", "[optim][ref]") {
    // w = 1, b = 0.5, g = 0.2, lr = 0.1, m = 0.9, λ = 0.01
    auto run = [](const kernels::MomentumSgdCoefficients& c, float& w, float& b) {
        const float g = 0.2f;
        kernels::ref::momentum_sgd_update(&w, &b, &g, 1, c);
    };
    {  // SgdW, Nesterov: w = 0.999; b = 0.45 + 0.2 = 0.65; w = 0.999 - 0.1 * (0.2 + 0.585) = 0.9205
        float w = 1.0f, b = 0.5f;
        run(SgdW{0.9, 0.01, true}.coefficients(0.1, 0), w, b);
        CHECK(b == Approx(0.65).epsilon(1e-6));
        CHECK(w == Approx(0.9205).epsilon(1e-6));
    }
    {  // SgdW, plain momentum: w = 0.999 - 0.1 * 0.65 = 0.934
        float w = 1.0f, b = 0.5f;
        run(SgdW{0.9, 0.01, false}.coefficients(0.1, 0), w, b);
        CHECK(w == Approx(0.934).epsilon(1e-6));
    }
    {  // L2, Nesterov: g' = 0.2 + 0.01 = 0.21; b = 0.66; w = 1 - 0.1 * (0.21 + 0.594) = 0.9196
        float w = 1.0f, b = 0.5f;
        run(MomentumSgd<WeightDecay::L2>{0.9, 0.01, true}.coefficients(0.1, 0), w, b);
        CHECK(b == Approx(0.66).epsilon(1e-6));
        CHECK(w == Approx(0.9196).epsilon(1e-6));
    }
    {  // The first step from a zero buffer is PyTorch's: b = g
        float w = 1.0f, b = 0.0f;
        run(SgdW{0.9, 0.0, false}.coefficients(0.1, 0), w, b);
        CHECK(b == 0.2f);
        CHECK(w == Approx(0.98).epsilon(1e-7));
    }
    {  // Decoupled decay follows the step's learning rate: no gradient, no momentum, lr 0.5
        float w = 2.0f, b = 0.0f;
        const float g = 0.0f;
        kernels::ref::momentum_sgd_update(&w, &b, &g, 1, SgdW{0.0, 0.1, false}.coefficients(0.5, 0));
        CHECK(w == float(2.0f * float(1.0 - 0.5 * 0.1)));
    }
}

TEST_CASE("reference Adam: bias correction, eps after it, L2 and decoupled decay", "[optim][ref]") {
    {  // The first step from zero moments moves by lr * g / (|g| + eps): about lr * sign(g)
        float w[3] = {0.5f, 0.5f, 0.5f}, m[3] = {}, v[3] = {};
        const float g[3] = {0.3f, -2.0f, 1e-3f};
        kernels::ref::adam_update(w, m, v, g, 3, Adam{0.9, 0.999, 1e-8, 0.0}.coefficients(0.01, 0));
        CHECK(w[0] == Approx(0.49).epsilon(1e-6));
        CHECK(w[1] == Approx(0.51).epsilon(1e-6));
        CHECK(w[2] == Approx(0.49).epsilon(1e-5));
        CHECK(m[0] == Approx(0.03).epsilon(1e-6));
        CHECK(v[1] == Approx(0.004).epsilon(1e-6));
    }
    {  // eps is added to sqrt(v) / sqrt(1 - β2^t): with sqrt(v̂) = eps the step is half lr
        const double eps = 1e-8;
        float w = 0.0f, m = 0.0f, v = 0.0f;
        const float g = float(eps);
        kernels::ref::adam_update(&w, &m, &v, &g, 1, Adam{0.9, 0.999, eps, 0.0}.coefficients(0.01, 0));
        CHECK(w == Approx(-0.005).epsilon(1e-5));
    }
    {  // A later step: t = 2 (third step) uses 1 - β^3
        float w = 0.0f, m = 0.1f, v = 0.01f;
        const float g = 0.5f;
        kernels::ref::adam_update(&w, &m, &v, &g, 1, Adam{0.9, 0.999, 1e-8, 0.0}.coefficients(0.01, 2));
        const double mm = 0.9 * 0.1 + 0.1 * 0.5, vv = 0.999 * 0.01 + 0.001 * 0.25;
        const double expected = -0.01 / (1 - 0.729) * mm / (std::sqrt(vv) / std::sqrt(1 - 0.997002999) + 1e-8);
        CHECK(w == Approx(expected).epsilon(1e-6));
    }
    {  // AdamW with no gradient only decays: w *= 1 - lr*λ
        float w = 3.0f, m = 0.0f, v = 0.0f;
        const float g = 0.0f;
        kernels::ref::adam_update(&w, &m, &v, &g, 1, AdamW{0.9, 0.999, 1e-8, 0.1}.coefficients(0.01, 0));
        CHECK(w == float(3.0f * float(1.0 - 0.01 * 0.1)));
    }
    {  // Adam's L2 decay goes through the moments: with g = 0 it steps like a gradient λ*w
        float w = 3.0f, m = 0.0f, v = 0.0f;
        const float g = 0.0f;
        kernels::ref::adam_update(&w, &m, &v, &g, 1, Adam{0.9, 0.999, 1e-8, 0.1}.coefficients(0.01, 0));
        CHECK(m == Approx(0.1 * 0.3).epsilon(1e-6));
        CHECK(w == Approx(2.99).epsilon(1e-6));
    }
}

// ---- xsimd kernels, threads, allocations ------------------------------------------------

namespace {

// Three steps of `opt` on n parameters with the dispatching kernel and with the reference;
// returns the larger error of parameters and state.
template <class O>
double check_fast_against_reference(O opt, std::size_t n) {
    constexpr int Slots = O::kStateSlots;
    Buffers<Slots> fast(n), ref(n);
    fill_uniform(fast.params.data(), n, 1);
    for (int s = 0; s < Slots; ++s) fill_uniform(fast.state[s]->data(), n, 10 + s, s == 1 ? 0.0f : -1.0f, 1.0f);
    ref.copy_from(fast);
    ThreadPool pool(2);
    for (int t = 0; t < 3; ++t) {
        fill_uniform(fast.grads.data(), n, 100 + t);
        if (t == 1)  // exact zeros: Adam's sqrt(0) and 0 / eps
            for (std::size_t e = 0; e < n; e += 5) fast.grads[e] = 0.0f;
        std::memcpy(ref.grads.data(), fast.grads.data(), n * 4);
        const double lr = 0.05 / (1 + t);
        opt.step(pool, fast.arrays(), lr, t);
        reference_step(opt, ref.arrays(), lr, t);
    }
    INFO(O::kKind << ", n = " << n);
    double worst = relative_error(fast.params.data(), ref.params.data(), n);
    CHECK(worst <= kSimdLimit);
    for (int s = 0; s < Slots; ++s) {
        const double e = relative_error(fast.state[s]->data(), ref.state[s]->data(), n);
        CHECK(e <= kSimdLimit);
        worst = std::max(worst, e);
    }
    return worst;
}

}  // namespace

TEST_CASE("fast optimizer kernels match the scalar references", "[optim][simd]") {
    if (!kHasSimd) WARN("this build has no SIMD architecture: the dispatcher uses the reference kernels");
    const std::size_t big = 3 * kernels::AdamUpdate::kChunk + 37;  // several tasks and a tail
    double sgd = 0, adam = 0;
    for (std::size_t n : {std::size_t(1), std::size_t(15), std::size_t(17), std::size_t(203), std::size_t(1000), big}) {
        sgd = std::max(sgd, check_fast_against_reference(SgdW{0.9, 0.01, true}, n));
        sgd = std::max(sgd, check_fast_against_reference(SgdW{0.85, 0.0, false}, n));
        sgd = std::max(sgd, check_fast_against_reference(MomentumSgd<WeightDecay::L2>{0.9, 5e-4, true}, n));
        adam = std::max(adam, check_fast_against_reference(Adam{0.9, 0.999, 1e-8, 1e-2}, n));
        adam = std::max(adam, check_fast_against_reference(AdamW{0.8, 0.99, 1e-6, 0.05}, n));
        check_fast_against_reference(KerasSgd{0.9, true}, n);
    }
    std::printf("fast against reference kernels (%s): momentum SGD %.2e, Adam %.2e\n", simd_arch_name(), sgd, adam);
}

TEST_CASE("an optimizer step gives the same bits for any thread count", "[optim][threads]") {
    const std::size_t n = 5 * kernels::AdamUpdate::kChunk + 11;
    auto bits_after_steps = [&](int threads, auto opt) {
        constexpr int Slots = decltype(opt)::kStateSlots;
        Buffers<Slots> b(n);
        fill_uniform(b.params.data(), n, 3);
        ThreadPool pool(threads);
        for (int t = 0; t < 3; ++t) {
            fill_uniform(b.grads.data(), n, 30 + t);
            opt.step(pool, b.arrays(), 0.01, t);
        }
        std::vector<float> out(b.params.data(), b.params.data() + n);
        for (int s = 0; s < Slots; ++s) out.insert(out.end(), b.state[s]->data(), b.state[s]->data() + n);
        return out;
    };
    for (int threads : {2, 3}) {
        INFO(threads << " threads");
        CHECK(bits_after_steps(threads, SgdW{0.9, 0.01, true}) == bits_after_steps(1, SgdW{0.9, 0.01, true}));
        CHECK(bits_after_steps(threads, AdamW{}) == bits_after_steps(1, AdamW{}));
    }
}

TEST_CASE("an optimizer step allocates nothing", "[optim][alloc]") {
    const std::size_t n = 2 * kernels::AdamUpdate::kChunk + 5;
    Buffers<2> adam(n);
    Buffers<1> sgd(n);
    fill_uniform(adam.grads.data(), n, 1);
    fill_uniform(sgd.grads.data(), n, 2);
    ThreadPool pool(2);
    const auto adam_arrays = adam.arrays();
    const auto sgd_arrays = sgd.arrays();
    const WarmupCosineDecay schedule{0.1, 2, 10, 0.1, 0.0};
    g_allocations = 0;
    g_counting = true;
    for (int t = 0; t < 4; ++t) {
        AdamW{}.step(pool, adam_arrays, schedule.learning_rate(t), t);
        Adam{}.step(pool, adam_arrays, schedule.learning_rate(t), t);
        SgdW{0.9, 5e-4, true}.step(pool, sgd_arrays, schedule.learning_rate(t), t);
        KerasSgd{0.9, false}.step(pool, sgd_arrays, KerasDecay{0.01, 1e-6}.learning_rate(t), t);
    }
    g_counting = false;
    CHECK(g_allocations.load() == 0);
}

// ---- today's Keras SGD through the concept ----------------------------------------------

namespace {

// What KerasSgdOracle::step needs of a network: flat arrays, a pool, constraints (none here).
struct FlatNet {
    static constexpr std::size_t kParamFloats = 3 * kernels::SgdUpdate::kChunk + 101;
    FlatNet() : w(kParamFloats), v(kParamFloats), g(kParamFloats), pool_(2) {}
    float* params() { return w.data(); }
    float* velocity() { return v.data(); }
    float* grads() { return g.data(); }
    ThreadPool& pool() { return pool_; }
    int apply_constraints() { return 0; }
    AlignedFloats w, v, g;
    ThreadPool pool_;
};

}  // namespace

TEST_CASE("KerasSgd with KerasDecay updates weights and velocity as the Keras SGD oracle does, bit for bit", "[optim][keras]") {
    for (const SgdConfig config : {SgdConfig{0.01, 0.9, 1e-6, false}, SgdConfig{0.1, 0.0, 1e-6, true},
                                   SgdConfig{0.01, 0.9, 0.1, true}, SgdConfig{0.05, 0.5, 0.0, false}}) {
        INFO("lr " << config.lr << " momentum " << config.momentum << " decay " << config.decay << " nesterov "
                   << config.nesterov);
        FlatNet today, unified;
        fill_uniform(today.w.data(), FlatNet::kParamFloats, 5);
        std::memcpy(unified.w.data(), today.w.data(), FlatNet::kParamFloats * 4);
        KerasSgdOracle sgd(config);
        const KerasSgd keras{config.momentum, config.nesterov};
        const KerasDecay schedule{config.lr, config.decay};
        ParamArrays<1> arrays{unified.params(), unified.grads(), {unified.velocity()}, FlatNet::kParamFloats};
        for (std::int64_t t = 0; t < 5; ++t) {
            fill_uniform(today.g.data(), FlatNet::kParamFloats, 50 + std::uint64_t(t));
            std::memcpy(unified.g.data(), today.g.data(), FlatNet::kParamFloats * 4);
            REQUIRE(sgd.iterations() == t);
            sgd.step(today);
            keras.step(unified.pool(), arrays, schedule.learning_rate(t), t);
        }
        CHECK(std::memcmp(today.w.data(), unified.w.data(), FlatNet::kParamFloats * 4) == 0);
        CHECK(std::memcmp(today.v.data(), unified.v.data(), FlatNet::kParamFloats * 4) == 0);
    }
}

// ---- the concept: fields, checks, names -------------------------------------------------

namespace {

template <class O>
void check_fields_round_trip(O configured) {
    INFO(O::kKind);
    O restored{};
    CHECK(set_fields(restored, configured.fields()));
    const auto a = configured.fields(), b = restored.fields();
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(std::string(a[i].name) == b[i].name);
        CHECK(a[i].value == b[i].value);
    }
    CHECK_FALSE(restored.set_field("no_such_field", 1.0));
    CHECK(configured.invalid() == nullptr);
    for (int s = 0; s < O::kStateSlots; ++s) CHECK(std::strlen(O::state_name(s)) > 0);
}

}  // namespace

TEST_CASE("optimizers: fields round-trip, settings are checked, the concept is detected", "[optim][concept]") {
    static_assert(is_optimizer_v<SgdW> && is_optimizer_v<Adam> && is_optimizer_v<AdamW> && is_optimizer_v<KerasSgd>);
    static_assert(!is_optimizer_v<int> && !is_optimizer_v<WarmupLinearDecay>);
    static_assert(SgdW::kStateSlots == 1 && Adam::kStateSlots == 2 && KerasSgd::kStateSlots == 1);
    constexpr SgdW recipe{0.85, 5e-4, true};  // a recipe's optimizer is a constexpr value
    static_assert(recipe.momentum == 0.85);
    check_fields_round_trip(SgdW{0.85, 5e-4, false});
    check_fields_round_trip(MomentumSgd<WeightDecay::L2>{0.9, 1e-3, true});
    check_fields_round_trip(Adam{0.8, 0.95, 1e-6, 1e-4});
    check_fields_round_trip(AdamW{});
    check_fields_round_trip(KerasSgd{0.9, true});
    CHECK(std::string(SgdW::state_name(0)) == "momentum_buffer");
    CHECK(std::string(Adam::state_name(1)) == "exp_avg_sq");
    CHECK(std::string(KerasSgd::state_name(0)) == "velocity");  // the checkpoint's tensor prefix today

    SgdW sgd;
    CHECK_FALSE(sgd.set_field("nesterov", 0.5));  // not a flag
    CHECK(sgd.set_field("momentum", 1.0));
    CHECK(sgd.invalid() != nullptr);
    CHECK(SgdW{0.0, 0.0, true}.invalid() != nullptr);  // Nesterov without momentum, as PyTorch refuses
    CHECK(SgdW{0.9, -1e-4, true}.invalid() != nullptr);
    CHECK(Adam{0.9, 1.0, 1e-8, 0.0}.invalid() != nullptr);
    CHECK(Adam{0.9, 0.999, 0.0, 0.0}.invalid() != nullptr);
    CHECK(AdamW{}.weight_decay == 1e-2);  // PyTorch's defaults
    CHECK(Adam{}.weight_decay == 0.0);
}

// ---- Lookahead around an optimizer ----------------------------------------------------

TEST_CASE("Lookahead: the inner step, the average pulled in every k steps with a growing weight, the run ending "
          "on the average",
          "[optim][lookahead]") {
    using Inner = MomentumSgd<WeightDecay::L2>;
    using LA = Lookahead<Inner>;
    static_assert(is_optimizer_v<LA> && LA::kStateSlots == 2);
    CHECK(std::string(LA::kKind) == "sgd+lookahead");
    CHECK(std::string(LA::state_name(0)) == "momentum_buffer");
    CHECK(std::string(LA::state_name(1)) == "lookahead_average");
    const std::size_t n = 2 * LA::kChunk + 19;  // tasks and a tail
    constexpr int kSteps = 11;
    LA la{{0.85, 1e-3, true}, 3, 0.6, 2.0, 1};
    fit_optimizer_to_run(la, kSteps);
    CHECK(la.total_steps == double(kSteps));
    CHECK(la.invalid() == nullptr);
    Buffers<2> fast(n);
    Buffers<1> ref(n);
    fill_uniform(fast.params.data(), n, 5);
    std::memcpy(ref.params.data(), fast.params.data(), n * sizeof(float));
    std::vector<double> average(fast.params.data(), fast.params.data() + n);
    ThreadPool pool(2);
    int pulls = 0;
    for (int t = 0; t < kSteps; ++t) {
        fill_uniform(fast.grads.data(), n, 50 + std::uint64_t(t));
        std::memcpy(ref.grads.data(), fast.grads.data(), n * sizeof(float));
        la.step(pool, fast.arrays(), 0.05, t);
        reference_step(la.inner, ref.arrays(), 0.05, t);  // the inner optimizer alone
        const int s = t + 1;
        if (s % 3 == 0 || s == kSteps) {
            ++pulls;
            const double d = s >= kSteps ? 1.0 : 0.6 * std::pow(double(s) / kSteps, 2.0);
            for (std::size_t e = 0; e < n; ++e) {
                average[e] += (1.0 - d) * (double(ref.params[e]) - average[e]);
                ref.params[e] = float(average[e]);
            }
        }
        double worst = 0;
        for (std::size_t e = 0; e < n; ++e) worst = std::max(worst, std::fabs(double(fast.params[e]) - ref.params[e]));
        INFO("step " << t);
        CHECK(worst < 1e-5);
    }
    CHECK(pulls == 4);  // after steps 3, 6, 9 and the last (11)
    // The last step ends on the average.
    for (std::size_t e = 0; e < n; e += 101) CHECK(fast.params[e] == (*fast.state[1])[e]);
    // Fields: the inner ones by their names, its own, and refusals.
    CHECK(la.set_field("momentum", 0.9));
    CHECK(la.inner.momentum == 0.9);
    CHECK(la.set_field("lookahead_every", 0.5));
    CHECK(std::string(la.invalid()) == "lookahead_every must be a whole number of steps >= 1");
    CHECK_FALSE(la.set_field("beta1", 0.9));
}
