// tests/golden/test_golden.cpp — cnn4 and cnn6 against a framework reference.
//
// The reference set (tests/golden/reference by default, or $STATNN_GOLDEN_DIR) holds, for
// one batch, every activation, the loss, every parameter gradient and the parameters after
// a few Keras-SGD steps; large tensors may be stored as a strided sample and initial
// parameters as a generator (tests/golden/README.md). Shapes, batch size, layers and
// optimizer settings are read from its manifest. Metric, per tensor:
// max|ours - ref| / max|ref|.
//
// Two links make the chain. A float64 oracle written from the set's README formulas
// (support/reference_net.hpp) must reproduce every reference tensor to its float32
// rounding. statnn, in float32 with its xsimd kernels, must then match that oracle at
// every step — activations, logits, probabilities, loss 1e-5; gradients 3e-5;
// parameters 1e-5 and max|ours - ref| <= 1e-6 — with the oracle following statnn's
// ReLU and max-pool decisions, each of which may differ from the oracle's own only for
// a unit within rounding of its kink. (Without that, one unit whose ReLU input is 1e-7
// of the layer's scale can send a float32 trajectory's gradient 1e-3 away from a
// float64 one, and whether that happens depends on summation order, not correctness.)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "cnn6.hpp"
#include "support/golden.hpp"
#include "support/keras_sgd_oracle.hpp"
#include "support/layer_view.hpp"
#include "support/layouts.hpp"
#include "support/reference_net.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

constexpr int kMaxBatch = 32;
constexpr double kActivationLimit = 1e-5;
constexpr double kGradientLimit = 3e-5;
constexpr double kParamLimit = 1e-5;
constexpr double kParamAbsLimit = 1e-6;
// The float64 oracle against the reference: the reference's own float32 rounding.
constexpr double kOracleLimit = 2e-7;
// How close to its kink a unit must be for statnn's float32 decision to differ from the
// float64 one: statnn's activations may differ by kActivationLimit of the tensor's
// largest value, so may the values a decision compares.
constexpr double kDecisionLimit = kActivationLimit;

struct Worst {
    double activation = 0, gradient = 0, param = 0, param_abs = 0, loss = 0;
};

void report(const char* model, const std::string& what, TensorError e, double limit) {
    const bool ok = e.relative <= limit;
    std::printf("  %-6s %-34s rel %.3e  abs %.3e  limit %.0e  %s\n", model, what.c_str(), e.relative, e.absolute, limit,
                ok ? "OK" : "NOT OK");
    INFO(model << " " << what << ": relative error " << e.relative << " > " << limit);
    CHECK(ok);
}

// Our copy of a parameter or gradient in the reference layout.
std::vector<float> to_reference_layout(const LayerView& v, const float* ours, bool kernel) {
    std::vector<float> out(kernel ? v.kernel_size : v.bias_size);
    if (kernel && v.kernel_rank == 4)
        hwio_to_oihw(ours, out.data(), v.kernel_dims[3], v.kernel_dims[2], v.kernel_dims[0], v.kernel_dims[1]);
    else
        std::copy(ours, ours + out.size(), out.begin());
    return out;
}

// Checks that the manifest's layer list is the network we compiled.
void check_architecture(const GoldenSet& g, const std::vector<LayerView>& views) {
    for (const auto& ml : g.manifest()["layers"].array) {
        const std::string name = ml["name"].string, kind = ml["kind"].string;
        if (kind == "flat") continue;
        const LayerView* v = find_layer(views, name);
        INFO("manifest layer " << name);
        REQUIRE(v != nullptr);
        if (kind == "conv") {
            CHECK(v->kind == "Conv2D");
            CHECK(v->kernel_dims[2] == int(ml["in_channels"].number));
            CHECK(v->kernel_dims[3] == int(ml["out_channels"].number));
            CHECK(v->kernel_dims[0] == int(ml["kernel"][0].number));
            CHECK(v->kernel_dims[1] == int(ml["kernel"][1].number));
            CHECK(v->padding == (ml["padding"].string == "same" ? v->kernel_dims[0] / 2 : 0));
        } else if (kind == "dense") {
            CHECK(v->kind == "Dense");
            CHECK(v->kernel_dims[0] == int(ml["in"].number));
            CHECK(v->kernel_dims[1] == int(ml["out"].number));
        } else if (kind == "pool") {
            CHECK(v->kind == "MaxPooling2D");
            CHECK(v->pool == int(ml["pool"][0].number));
        } else if (kind == "drop") {
            CHECK(v->kind == "Dropout");
            CHECK(v->dropout_rate == Approx(ml["rate_in_training"].number));
        }
    }
}

// The reference set in `dir`; a missing or unreadable one fails the test.
std::unique_ptr<GoldenSet> open_golden(const std::string& dir) {
    std::unique_ptr<GoldenSet> g;
    REQUIRE_NOTHROW(g = std::make_unique<GoldenSet>(dir));
    return g;
}

// The oracle's parameter tensors from the reference's initial parameters.
void load_params(ReferenceNet& oracle, const GoldenSet& g) {
    for (auto& [name, p] : oracle.params()) {
        const GoldenArray a = g.load("params/" + name);
        REQUIRE(a.count() == p.size());
        REQUIRE_FALSE(a.sampled());
        std::copy(a.f32.begin(), a.f32.end(), p.begin());
    }
}

std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// statnn's output of manifest layer `l` (after its ReLU), NCHW.
template <class Net>
std::vector<float> ours_nchw(Net& net, const std::vector<LayerView>& views, const ReferenceNet::Layer& l, int n) {
    const LayerView* v = find_layer(views, l.name);
    REQUIRE(v != nullptr);
    const float* a = net.activation(v->index);
    std::vector<float> out(std::size_t(n) * l.out_size());
    if (l.out_h * l.out_w > 1)
        nhwc_to_nchw(a, out.data(), n, l.out_c, l.out_h, l.out_w);
    else
        std::copy(a, a + out.size(), out.begin());
    return out;
}

// The ReLU and max-pool decisions statnn made in its last forward pass: a unit passed
// its ReLU when its output is positive; a pool window's gradient goes to the first
// maximum (row-major) of statnn's own values, the rule every max-pool kernel follows.
template <class Net>
Decisions decisions_of(Net& net, const std::vector<LayerView>& views, const ReferenceNet& oracle, int n) {
    Decisions d;
    const ReferenceNet::Layer* producer = nullptr;  // the last layer whose output is stored
    for (const auto& l : oracle.layers()) {
        if (l.relu) {
            const std::vector<float> a = ours_nchw(net, views, l, n);
            auto& mask = d.relu[l.name];
            mask.resize(a.size());
            for (std::size_t e = 0; e < a.size(); ++e) mask[e] = a[e] > 0.0f;
        }
        if (l.kind == "pool") {
            REQUIRE(producer != nullptr);
            const std::vector<float> in = ours_nchw(net, views, *producer, n);
            auto& arg = d.pool[l.name];
            arg.resize(std::size_t(n) * l.out_size());
            const int P = l.pool;
            for (int plane = 0; plane < n * l.out_c; ++plane)
                for (int y = 0; y < l.out_h; ++y)
                    for (int x = 0; x < l.out_w; ++x)
                        arg[(std::size_t(plane) * l.out_h + y) * l.out_w + x] =
                            window_argmax(&in[std::size_t(plane) * l.in_h * l.in_w], l.in_w, y, x, P);
        }
        if (l.kind == "conv" || l.kind == "dense" || l.kind == "pool") producer = &l;
    }
    return d;
}

// Part 1: the float64 oracle, making its own decisions, against the reference: every
// tensor to the reference's float32 rounding. This pins the semantics — layer formulas,
// layouts, loss, Keras SGD with decay, momentum and nesterov, max-norm — exactly.
void oracle_matches_reference(const char* model) {
    const std::string dir = golden_dir() + "/" + model;
    INFO("golden directory " << dir << " (set STATNN_GOLDEN_DIR to change it)");
    const auto gp = open_golden(dir);
    const GoldenSet& g = *gp;
    const auto& m = g.manifest();
    const int n = int(m["batch"].number);
    const GoldenArray input = g.load("input"), labels_array = g.load("labels");
    REQUIRE(input.shape == std::vector<int>{n, 3, 32, 32});
    REQUIRE(labels_array.count() == std::size_t(n));
    REQUIRE_FALSE(input.sampled());
    const std::vector<double> x(input.f32.begin(), input.f32.end());
    const std::vector<std::int32_t>& labels = labels_array.i32;
    ReferenceNet oracle(m, {3, 32, 32});
    load_params(oracle, g);
    double worst = 0;
    auto check = [&](const std::string& what, const std::vector<double>& mine) {
        const GoldenArray ref = g.load(what);
        REQUIRE(ref.count() == mine.size());
        const TensorError e = compare(to_float(mine).data(), ref);
        worst = std::max(worst, e.relative);
        INFO(model << " float64 oracle, " << what << ": relative error " << e.relative << " > " << kOracleLimit);
        CHECK(e.relative <= kOracleLimit);
    };
    auto check_scalar = [&](const std::string& what, double mine, double ref) {
        const double e = std::fabs(mine - ref) / std::fabs(ref);
        worst = std::max(worst, e);
        INFO(model << " float64 oracle, " << what << ": " << mine << " vs " << ref);
        CHECK(e <= kOracleLimit);
    };
    oracle.forward(x.data(), n);
    for (const auto& a : m["arrays"].array) {
        const std::string name = a["name"].string;
        if (name.rfind("acts/", 0) == 0) check(name, oracle.activation(name.substr(5)));
    }
    check("logits", oracle.logits());
    check("probs", oracle.probabilities());
    check_scalar("loss", oracle.backward(labels.data()), g.load("loss").f32[0]);
    for (const auto& [name, grad] : oracle.grads()) check("grads/" + name, grad);
    const auto& scalars = m["scalars"];
    const int steps = int(m["optimizer"]["steps"].number);
    for (int s = 0; s < steps; ++s) {
        if (s > 0) {
            oracle.forward(x.data(), n);
            check_scalar("loss before step " + std::to_string(s + 1), oracle.backward(labels.data()),
                         scalars["loss_before_step"][std::size_t(s)].number);
        }
        check_scalar("lr_t of step " + std::to_string(s + 1), oracle.learning_rate(),
                     scalars["lr_t_per_step"][std::size_t(s)].number);
        const int clipped = oracle.sgd_step();
        if (scalars.contains("maxnorm_clipped_columns_per_step")) {
            int expected = 0;
            for (const auto& kv : scalars["maxnorm_clipped_columns_per_step"][std::size_t(s)].object)
                expected += int(kv.second.number);
            INFO(model << " float64 oracle, max-norm columns clipped at step " << s + 1);
            CHECK(clipped == expected);
        }
    }
    oracle.forward(x.data(), n);
    check_scalar("loss after the steps", oracle.loss(labels.data()), scalars["loss_after_steps"].number);
    for (const auto& [name, p] : oracle.params()) check("params_after_" + std::to_string(steps) + "/" + name, p);
    std::printf("  %-6s float64 oracle vs reference, worst tensor: %.3e (limit %.0e)\n", model, worst, kOracleLimit);
}

template <class Arch>
void run_golden(const char* model) {
    const std::string dir = golden_dir() + "/" + model;
    INFO("golden directory " << dir << " (set STATNN_GOLDEN_DIR to change it)");
    const auto gp = open_golden(dir);
    const GoldenSet& g = *gp;
    const int n = int(g.manifest()["batch"].number);
    REQUIRE(n >= 1);
    REQUIRE(n <= kMaxBatch);

    using Net = Network<Arch, kMaxBatch>;
    auto net = std::make_unique<Net>(1, 2);
    net->set_dropout_enabled(false);  // the reference runs with dropout as the identity
    const auto views = describe_layers(*net);
    check_architecture(g, views);

    // Parameters.
    for (const auto& v : views) {
        if (v.kernel_size == 0) continue;
        const GoldenArray k = g.load("params/" + v.name + ".kernel");
        const GoldenArray b = g.load("params/" + v.name + ".bias");
        REQUIRE(k.count() == v.kernel_size);
        REQUIRE(b.count() == v.bias_size);
        REQUIRE_FALSE(k.sampled());
        REQUIRE_FALSE(b.sampled());
        if (v.kernel_rank == 4) {
            REQUIRE(k.shape == std::vector<int>{v.kernel_dims[3], v.kernel_dims[2], v.kernel_dims[0], v.kernel_dims[1]});
            oihw_to_hwio(k.f32.data(), v.kernel, v.kernel_dims[3], v.kernel_dims[2], v.kernel_dims[0], v.kernel_dims[1]);
        } else {
            REQUIRE(k.shape == std::vector<int>{v.kernel_dims[0], v.kernel_dims[1]});
            std::copy(k.f32.begin(), k.f32.end(), v.kernel);
        }
        std::copy(b.f32.begin(), b.f32.end(), v.bias);
    }

    // Input: the reference's float input is float32(u8) / 255, the conversion statnn's reader uses.
    const GoldenArray input = g.load("input"), input_u8 = g.load("input_u8"), labels = g.load("labels");
    REQUIRE(input.shape == std::vector<int>{n, 3, 32, 32});
    REQUIRE_FALSE(input.sampled());
    for (std::size_t e = 0; e < input.count(); ++e) REQUIRE(float(input_u8.u8[e]) / 255.0f == input.f32[e]);
    nchw_to_nhwc(input.f32.data(), net->input(), n, 3, 32, 32);
    std::copy(labels.i32.begin(), labels.i32.end(), net->labels());
    const std::vector<double> x(input.f32.begin(), input.f32.end());

    // Part 2 (part 1 is oracle_matches_reference): statnn (float32, its xsimd kernels)
    // against the float64 oracle, which follows statnn's ReLU and max-pool decisions —
    // each one that differs from the oracle's own must lie within kDecisionLimit of its
    // kink, i.e. within rounding. Everything else must agree to float32 tolerances, at
    // every step.
    ReferenceNet oracle(g.manifest(), {3, 32, 32});
    load_params(oracle, g);
    Worst worst;
    std::size_t changed = 0;
    double changed_margin = 0;
    auto follow = [&](int pass) {
        const Decisions d = decisions_of(*net, views, oracle, n);
        oracle.forward(x.data(), n, &d);
        DecisionChange far;
        std::size_t beyond = 0;
        for (const DecisionChange& c : oracle.changes()) {
            if (c.margin > far.margin) far = c;
            beyond += c.margin > kDecisionLimit;
        }
        INFO(model << ", forward pass " << pass << ": " << beyond << " of statnn's ReLU/max-pool decisions differ from the "
                   << "float64 oracle's farther than " << kDecisionLimit << " from the kink (farthest: " << far.layer
                   << ", " << far.margin << " of the tensor's largest value)");
        CHECK(beyond == 0);
        changed += oracle.changes().size();
        changed_margin = std::max(changed_margin, far.margin);
    };
    auto compare_to_oracle = [&](const std::string& what, const float* mine, const std::vector<double>& ref, double limit,
                                 double& worst_of_kind) {
        const TensorError e = compare(mine, to_float(ref).data(), ref.size());
        worst_of_kind = std::max(worst_of_kind, e.relative);
        report(model, what, e, limit);
        return e;
    };

    // Forward pass: every recorded activation.
    net->forward(n, true, 0);
    follow(1);
    for (const auto& a : g.manifest()["arrays"].array) {
        const std::string name = a["name"].string;
        if (name.rfind("acts/", 0) != 0) continue;
        const auto l = std::find_if(oracle.layers().begin(), oracle.layers().end(),
                                    [&](const auto& layer) { return layer.name == name.substr(5); });
        INFO("reference array " << name);
        REQUIRE(l != oracle.layers().end());
        compare_to_oracle(name, ours_nchw(*net, views, *l, n).data(), oracle.activation(l->name), kActivationLimit,
                          worst.activation);
    }
    compare_to_oracle("logits", net->activation(Net::kLayers - 2), oracle.logits(), kActivationLimit, worst.activation);
    compare_to_oracle("probs", net->probabilities(), oracle.probabilities(), kActivationLimit, worst.activation);

    // Loss and gradients.
    const float loss = float(net->backward(n, 0));
    compare_to_oracle("loss", &loss, {oracle.backward(labels.i32.data())}, kActivationLimit, worst.loss);
    for (const auto& v : views) {
        if (v.kernel_size == 0) continue;
        for (bool kernel : {true, false}) {
            const std::string name = v.name + (kernel ? ".kernel" : ".bias");
            const auto mine = to_reference_layout(v, kernel ? v.dkernel : v.dbias, kernel);
            compare_to_oracle("grads/" + name, mine.data(), oracle.grads().at(name), kGradientLimit, worst.gradient);
        }
    }

    // Optimizer steps on the same batch, as the reference did.
    const auto& opt = g.manifest()["optimizer"];
    SgdConfig cfg;
    cfg.lr = opt["lr"].number;
    cfg.momentum = opt["momentum"].number;
    cfg.decay = opt["decay"].number;
    cfg.nesterov = opt["nesterov"].boolean;
    for (const auto& v : views) {
        if (v.kind != "Dense") continue;
        const std::string key = v.name + ".kernel";
        const float expected = opt["maxnorm"].contains(key) ? float(opt["maxnorm"][key].number) : 0.0f;
        INFO("max-norm constraint of " << key);
        CHECK(v.max_norm == expected);
    }
    if (opt.contains("maxnorm_epsilon")) CHECK(MaxNorm<3>::epsilon == float(opt["maxnorm_epsilon"].number));
    const int steps = int(opt["steps"].number);
    KerasSgdOracle sgd(cfg);
    for (int s = 0; s < steps; ++s) {
        if (s > 0) {
            net->forward(n, true, std::uint64_t(s));
            follow(s + 1);
            const float ls = float(net->backward(n, std::uint64_t(s)));
            compare_to_oracle("loss before step " + std::to_string(s + 1), &ls, {oracle.backward(labels.i32.data())},
                              kActivationLimit, worst.loss);
        }
        CHECK(sgd.learning_rate() == Approx(oracle.learning_rate()).epsilon(1e-12));
        std::vector<std::vector<float>> before;  // constrained kernels before the step
        for (const auto& v : views)
            if (v.max_norm > 0) before.emplace_back(v.kernel, v.kernel + v.kernel_size);
        const int clipped = sgd.step(*net);
        const int expected = oracle.sgd_step();
        if (before.empty()) continue;
        // A column clipped at the previous step sits at the limit to within float32
        // rounding; if this step barely moves it, whether it lands a few ulp above or
        // below the limit is rounding, not semantics. Only such columns may differ.
        int at_limit = 0, i = 0;
        for (const auto& v : views) {
            if (v.max_norm <= 0) continue;
            const auto& k0 = before[std::size_t(i++)];
            const int rows = v.kernel_dims[0], cols = v.kernel_dims[1];
            for (int j = 0; j < cols; ++j) {
                double norm = 0, moved = 0;
                for (int r = 0; r < rows; ++r) {
                    const std::size_t e = std::size_t(r) * cols + j;
                    norm += double(k0[e]) * k0[e];
                    moved = std::max(moved, std::fabs(double(v.kernel[e]) - k0[e]));
                }
                norm = std::sqrt(norm);
                at_limit += std::fabs(norm - v.max_norm) <= 1e-6 * v.max_norm && moved <= 1e-6;
            }
        }
        std::printf("  %-6s step %d: %d max-norm columns clipped (float64 oracle %d; %d at the limit, unmoved)\n", model,
                    s + 1, clipped, expected, at_limit);
        CHECK(std::abs(clipped - expected) <= at_limit);
    }
    net->forward(n, true, std::uint64_t(steps));
    follow(steps + 1);
    const float after = float(net->loss(n));
    compare_to_oracle("loss after steps", &after, {oracle.loss(labels.i32.data())}, kActivationLimit, worst.loss);
    for (const auto& v : views) {
        if (v.kernel_size == 0) continue;
        for (bool kernel : {true, false}) {
            const std::string name = v.name + (kernel ? ".kernel" : ".bias");
            const auto mine = to_reference_layout(v, kernel ? v.kernel : v.bias, kernel);
            const TensorError e = compare_to_oracle("params_after_" + std::to_string(steps) + "/" + name, mine.data(),
                                                    oracle.params().at(name), kParamLimit, worst.param);
            worst.param_abs = std::max(worst.param_abs, e.absolute);
            INFO(name << ": absolute error " << e.absolute);
            CHECK(e.absolute <= kParamAbsLimit);
        }
    }
    std::printf("  %-6s %zu ReLU/max-pool decisions of statnn differ from the float64 oracle's (farthest %.1e from "
                "the kink, limit %.0e)\n",
                model, changed, changed_margin, kDecisionLimit);
    std::printf("  %-6s worst: activations %.3e, loss %.3e, gradients %.3e, params after %d steps %.3e (abs %.3e)\n",
                model, worst.activation, worst.loss, worst.gradient, steps, worst.param, worst.param_abs);
}

}  // namespace

// The oracle's own check runs no statnn code, so cross builds leave it to the native suite.
TEST_CASE("the float64 oracle reproduces the cnn6 reference", "[golden][oracle][cnn6]") { oracle_matches_reference("cnn6"); }

TEST_CASE("the float64 oracle reproduces the cnn4 reference", "[golden][oracle][cnn4]") { oracle_matches_reference("cnn4"); }

TEST_CASE("cnn6 matches the framework reference", "[golden][cnn6]") { run_golden<models::Cnn6>("cnn6"); }

TEST_CASE("cnn4 matches the framework reference", "[golden][cnn4]") { run_golden<models::Cnn4>("cnn4"); }

// The format's two compact forms, on known answers, so a reader that drifts from
// tests/golden/README.md fails here before it fails on a reference set.
TEST_CASE("golden format: generated parameters follow the specified splitmix64 stream", "[golden][format]") {
    CHECK(splitmix64(0) == 0xE220A8397B1DCDAFull);  // the stream's published first value
    const Json gen = Json::parse(R"({"kind": "splitmix64_uniform", "seed": 12345, "limit": 0.0625,
                                     "column_scale": {"period": 3, "scale": {"1": 3.0}}})");
    const std::vector<float> v = generate_uniform(gen, {2, 3}, "test");
    // Worked out independently in float64 (numpy) from the README's formula.
    const std::vector<float> expected = {-0x1.77b9f6p-5f, -0x1.c566d2p-4f, -0x1.8596a2p-5f,
                                         -0x1.4ba7c6p-5f, 0x1.522d26p-9f,  -0x1.4dc0d6p-6f};
    CHECK(v == expected);
    CHECK_THROWS(generate_uniform(Json::parse(R"({"kind": "normal", "seed": 1, "limit": 1})"), {2}, "test"));
}

TEST_CASE("golden format: a sampled reference is compared where it was sampled, against the whole array's scale",
          "[golden][format]") {
    GoldenArray ref;
    ref.shape = {10};
    ref.stride = 3;  // elements 0, 3, 6, 9
    ref.max_abs = 8;
    ref.f32 = {1, 2, 3, 4};
    std::vector<float> ours = {1, 100, 100, 2, 100, 100, 3, 100, 100, 4};
    CHECK(compare(ours.data(), ref).relative == 0);
    ours[6] = 5;  // 2 away from the sample, 2 / 8 of the array's scale
    CHECK(compare(ours.data(), ref).relative == Approx(0.25));
    CHECK(compare(ours.data(), ref).absolute == Approx(2));
}
