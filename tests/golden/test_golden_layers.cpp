// tests/golden/test_golden_layers.cpp — the layer kernels beyond the seed models against
// PyTorch: BatchNorm (training and evaluation, every affine option, running statistics),
// GELU (erf and tanh), average pooling (window and stride, global), convolution with
// stride and explicit padding, a residual block inside a Network, and the whitening stem's
// filters from data. The reference set is written by make_golden_layers.py
// (tests/golden/README.md, "Layer kernels"): $STATNN_GOLDEN_DIR/layers when that folder
// exists, else the committed tests/golden/reference/layers.
//
// Two comparisons per tensor, with the golden metric max|ours − ref| / max|ref|:
//   - the scalar reference kernels, run in double, must reproduce PyTorch's float64
//     results to their float32 rounding (2e-7);
//   - the kernels layers call (float32, xsimd where the build has it) must match to
//     1e-5 for outputs and statistics and 3e-5 for gradients, as the model golden tests.
// The residual block is the network's own forward and backward walk (its Add, the skip's
// gradient): statnn's float path only, its kernels being the ones checked above.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/kernels/avgpool.hpp"
#include "statnn/kernels/batchnorm.hpp"
#include "statnn/kernels/conv2d_strided.hpp"
#include "statnn/kernels/gelu.hpp"
#include "statnn/kernels/ref/conv2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/patch_whitening.hpp"
#include "statnn/network.hpp"
#include "statnn/thread_pool.hpp"
#include "support/golden.hpp"
#include "support/layouts.hpp"

using namespace statnn;
using namespace statnn::test;
namespace ref = statnn::kernels::ref;

namespace {

constexpr double kReferenceLimit = 2e-7;  // float64 reference kernels: the set's own rounding
constexpr double kOutputLimit = 1e-5;     // float32 kernels: outputs and statistics
constexpr double kGradientLimit = 3e-5;   // float32 kernels: gradients

std::string committed_layers_dir() { return std::string(STATNN_DEFAULT_GOLDEN_DIR) + "/layers"; }

std::string layers_dir() {
    if (const char* env = std::getenv("STATNN_GOLDEN_DIR"); env && *env) {
        const std::string dir = std::string(env) + "/layers";
        if (std::filesystem::is_directory(dir)) return dir;
    }
    return committed_layers_dir();
}

// A set, opened once, and each case's description by name.
class LayerSet {
public:
    explicit LayerSet(const std::string& dir) : set_(dir) {
        const Json& m = set_.manifest();
        if (m["format"].string != "statnn-golden-layers")
            throw std::runtime_error(set_.dir() + "/manifest.json: not a layer-kernel set (format '" + m["format"].string + "')");
    }
    const Json* find(const std::string& name) const {
        for (const auto& c : set_.manifest()["cases"].array)
            if (c["name"].string == name) return &c;
        return nullptr;
    }
    const GoldenSet& set() const { return set_; }

private:
    GoldenSet set_;
};

// The set of $STATNN_GOLDEN_DIR (or the committed one) holding the case. A set written
// before a case was added lacks it: that case comes from the committed set, and says so.
const LayerSet& layer_set_with(const std::string& name) {
    static const LayerSet chosen(layers_dir());
    if (chosen.find(name)) return chosen;
    static const LayerSet committed(committed_layers_dir());
    if (!committed.find(name))
        throw std::runtime_error(chosen.set().dir() + "/manifest.json: no case '" + name + "'");
    std::printf("  %s: not in %s, taken from the committed set\n", name.c_str(), chosen.set().dir().c_str());
    return committed;
}

// One case: its description, its arrays, and the comparisons with their worst errors.
class Case {
public:
    Case(const std::string& name, std::vector<int> shape)
        : name_(name), set_(layer_set_with(name)), c_(*set_.find(name)) {
        std::vector<int> stored;
        for (const auto& d : c_["shape"].array) stored.push_back(int(d.number));
        INFO("golden directory " << set_.set().dir());
        INFO("case " << name << ": the test instantiates its kernels for the shape make_golden_layers.py writes");
        REQUIRE(stored == shape);
    }
    const Json& operator[](const std::string& key) const { return c_[key]; }
    bool has(const std::string& role) const { return c_["arrays"].contains(role); }
    GoldenArray array(const std::string& role) const { return set_.set().load(c_["arrays"][role].string); }
    std::vector<float> values(const std::string& role) const { return array(role).f32; }

    // `ours` against the stored array, in the stored layout.
    template <class T>
    void compare(const std::string& role, const std::vector<T>& ours, double limit) {
        const GoldenArray golden = array(role);
        REQUIRE(ours.size() == golden.count());
        const std::vector<float> as_float(ours.begin(), ours.end());
        const TensorError e = statnn::test::compare(as_float.data(), golden);
        const bool reference = std::is_same_v<T, double>;
        (reference ? worst_ref_ : worst_ours_) = std::max(reference ? worst_ref_ : worst_ours_, e.relative);
        references_ += reference;
        INFO("case " << name_ << ", " << role << (reference ? " (reference kernel, double)" : " (statnn, float)")
                     << ": max|ours - ref| / max|ref| = " << e.relative);
        CHECK(e.relative <= limit);
    }
    ~Case() {
        if (references_ > 0)
            std::printf("  %-22s reference kernels %.1e, statnn kernels %.1e\n", name_.c_str(), worst_ref_, worst_ours_);
        else
            std::printf("  %-22s statnn %.1e\n", name_.c_str(), worst_ours_);
    }

private:
    std::string name_;
    const LayerSet& set_;
    const Json& c_;
    double worst_ref_ = 0, worst_ours_ = 0;
    int references_ = 0;
};

// NCHW <-> NHWC for both float and double.
template <class T>
std::vector<T> to_nhwc(const std::vector<float>& nchw, int N, int C, int H, int W) {
    std::vector<float> out(nchw.size());
    nchw_to_nhwc(nchw.data(), out.data(), N, C, H, W);
    return std::vector<T>(out.begin(), out.end());
}
template <class T>
std::vector<T> to_nchw(const std::vector<T>& nhwc, int N, int C, int H, int W) {
    std::vector<T> out(nhwc.size());
    for (int n = 0; n < N; ++n)
        for (int c = 0; c < C; ++c)
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    out[((std::size_t(n) * C + c) * H + y) * W + x] = nhwc[((std::size_t(n) * H + y) * W + x) * C + c];
    return out;
}
// [kh][kw][I][O] -> [O][I][kh][kw], in the kernel's own precision.
template <class T>
std::vector<T> hwio_to_oihw(const std::vector<T>& hwio, int O, int I, int K) {
    std::vector<T> out(hwio.size());
    for (int o = 0; o < O; ++o)
        for (int i = 0; i < I; ++i)
            for (int k = 0; k < K * K; ++k) out[(std::size_t(o) * I + i) * K * K + k] = hwio[(std::size_t(k) * I + i) * O + o];
    return out;
}
template <class T>
std::vector<T> as(const std::vector<float>& v) {
    return std::vector<T>(v.begin(), v.end());
}

// ---- BatchNorm -----------------------------------------------------------------------

template <int N, int C, int H, int W>
void check_batchnorm(const std::string& name) {
    Case k(name, {N, C, H, W});
    const bool train = k["mode"].string == "train";
    const std::string affine = k["affine"].string;
    const bool has_affine = affine != "none", trains_scale = affine == "scale_and_shift";
    const double eps = k["eps"].number, momentum = k["momentum"].number;
    const std::size_t rows = std::size_t(N) * H * W;
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, C, H, W), dy = to_nhwc<float>(k.values("dy"), N, C, H, W);
    const std::vector<float> gamma = has_affine ? k.values("gamma") : std::vector<float>(C),
                             beta = has_affine ? k.values("beta") : std::vector<float>(C);
    const std::vector<float> rm_in = k.values("running_mean_in"), rv_in = k.values("running_var_in");

    // statnn: the task pipeline on two threads.
    using BN = kernels::BatchNorm<C>;
    ThreadPool pool(2);
    std::vector<float> scratch(BN::scratch_floats(rows)), y(rows * C), dx(rows * C), saved(BN::kSavedFloats), mean(C),
        invstd(C), dgamma(C), dbeta(C);
    std::vector<float> rm = rm_in, rv = rv_in;
    const float* g = has_affine ? gamma.data() : nullptr;
    const float* b = has_affine ? beta.data() : nullptr;
    if (train) {
        BN::train_forward(pool, x.data(), rows, g, b, float(eps), float(momentum), y.data(), saved.data(), rm.data(),
                          rv.data(), scratch.data());
        for (int c = 0; c < C; ++c) mean[c] = BN::batch_mean(saved.data(), c), invstd[c] = BN::batch_invstd(saved.data())[c];
        BN::train_backward(pool, x.data(), dy.data(), rows, g, saved.data(), dx.data(),
                           trains_scale ? dgamma.data() : nullptr, has_affine ? dbeta.data() : nullptr, scratch.data());
    } else {
        BN::eval_forward(pool, x.data(), rows, g, b, float(eps), rm.data(), rv.data(), y.data(), scratch.data());
        BN::eval_backward(pool, x.data(), dy.data(), rows, g, float(eps), rm.data(), rv.data(), dx.data(),
                          trains_scale ? dgamma.data() : nullptr, has_affine ? dbeta.data() : nullptr, scratch.data());
    }
    // The reference, in double.
    const std::vector<double> xd = as<double>(x), dyd = as<double>(dy), gd = as<double>(gamma), bd = as<double>(beta);
    std::vector<double> y_ref(rows * C), dx_ref(rows * C), mean_ref(C), invstd_ref(C), dgamma_ref(C), dbeta_ref(C);
    std::vector<double> rm_ref = as<double>(rm_in), rv_ref = as<double>(rv_in);
    const double* gr = has_affine ? gd.data() : nullptr;
    const double* br = has_affine ? bd.data() : nullptr;
    if (train) {
        ref::batchnorm_train_forward<C>(xd.data(), rows, gr, br, eps, momentum, y_ref.data(), mean_ref.data(),
                                        invstd_ref.data(), rm_ref.data(), rv_ref.data());
        ref::batchnorm_train_backward<C>(xd.data(), dyd.data(), rows, gr, mean_ref.data(), invstd_ref.data(), dx_ref.data(),
                                         dgamma_ref.data(), dbeta_ref.data());
    } else {
        ref::batchnorm_eval_forward<C>(xd.data(), rows, gr, br, eps, rm_ref.data(), rv_ref.data(), y_ref.data());
        ref::batchnorm_eval_backward<C>(xd.data(), dyd.data(), rows, gr, eps, rm_ref.data(), rv_ref.data(), dx_ref.data(),
                                        dgamma_ref.data(), dbeta_ref.data());
    }

    k.compare("y", to_nchw(y, N, C, H, W), kOutputLimit);
    k.compare("y", to_nchw(y_ref, N, C, H, W), kReferenceLimit);
    k.compare("dx", to_nchw(dx, N, C, H, W), kGradientLimit);
    k.compare("dx", to_nchw(dx_ref, N, C, H, W), kReferenceLimit);
    if (train) {
        k.compare("running_mean_out", rm, kOutputLimit);
        k.compare("running_mean_out", rm_ref, kReferenceLimit);
        k.compare("running_var_out", rv, kOutputLimit);
        k.compare("running_var_out", rv_ref, kReferenceLimit);
        k.compare("batch_mean", mean, kOutputLimit);
        k.compare("batch_mean", mean_ref, kReferenceLimit);
        k.compare("batch_invstd", invstd, kOutputLimit);
        k.compare("batch_invstd", invstd_ref, kReferenceLimit);
    }
    REQUIRE(k.has("dgamma") == trains_scale);
    REQUIRE(k.has("dbeta") == has_affine);
    if (trains_scale) {
        k.compare("dgamma", dgamma, kGradientLimit);
        k.compare("dgamma", dgamma_ref, kReferenceLimit);
    }
    if (has_affine) {
        k.compare("dbeta", dbeta, kGradientLimit);
        k.compare("dbeta", dbeta_ref, kReferenceLimit);
    }
}

// ---- GELU ----------------------------------------------------------------------------

template <int Size, kernels::GeluForm Form>
void check_gelu(const std::string& name) {
    Case k(name, {Size});
    REQUIRE(k["approximate"].string == (Form == kernels::GeluForm::Erf ? "none" : "tanh"));
    const std::vector<float> x = k.values("x"), dy = k.values("dy");
    std::vector<float> y(Size), dx(Size);
    kernels::gelu_forward<Form>(x.data(), y.data(), Size);
    kernels::gelu_backward<Form>(x.data(), dy.data(), dx.data(), Size);
    const std::vector<double> xd = as<double>(x), dyd = as<double>(dy);
    std::vector<double> y_ref(Size), dx_ref(Size);
    ref::gelu_forward<Form>(xd.data(), y_ref.data(), Size);
    ref::gelu_backward<Form>(xd.data(), dyd.data(), dx_ref.data(), Size);
    k.compare("y", y, kOutputLimit);
    k.compare("y", y_ref, kReferenceLimit);
    k.compare("dx", dx, kGradientLimit);
    k.compare("dx", dx_ref, kReferenceLimit);
}

// ---- average pooling -----------------------------------------------------------------

template <int N, int C, int H, int W, int K, int S>
void check_avgpool(const std::string& name) {
    Case k(name, {N, C, H, W});
    REQUIRE((int(k["kernel"].number) == K && int(k["stride"].number) == S));
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    constexpr std::size_t in = std::size_t(H) * W * C, out = std::size_t(Ho) * Wo * C;
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, C, H, W), dy = to_nhwc<float>(k.values("dy"), N, C, Ho, Wo);
    std::vector<float> y(N * out), dx(N * in);
    const std::vector<double> xd = as<double>(x), dyd = as<double>(dy);
    std::vector<double> y_ref(N * out), dx_ref(N * in);
    for (int r = 0; r < N; ++r) {
        kernels::avgpool2d_forward<H, W, C, K, S>(x.data() + r * in, y.data() + r * out);
        kernels::avgpool2d_backward<H, W, C, K, S>(dy.data() + r * out, dx.data() + r * in);
        ref::avgpool2d_forward<H, W, C, K, S>(xd.data() + r * in, y_ref.data() + r * out);
        ref::avgpool2d_backward<H, W, C, K, S>(dyd.data() + r * out, dx_ref.data() + r * in);
    }
    k.compare("y", to_nchw(y, N, C, Ho, Wo), kOutputLimit);
    k.compare("y", to_nchw(y_ref, N, C, Ho, Wo), kReferenceLimit);
    k.compare("dx", to_nchw(dx, N, C, H, W), kGradientLimit);
    k.compare("dx", to_nchw(dx_ref, N, C, H, W), kReferenceLimit);
}

template <int N, int C, int H, int W>
void check_global_avgpool(const std::string& name) {
    Case k(name, {N, C, H, W});
    constexpr std::size_t in = std::size_t(H) * W * C;
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, C, H, W), dy = k.values("dy");  // dy: [N, C]
    std::vector<float> y(N * C), dx(N * in);
    const std::vector<double> xd = as<double>(x), dyd = as<double>(dy);
    std::vector<double> y_ref(N * C), dx_ref(N * in);
    for (int r = 0; r < N; ++r) {
        kernels::global_avgpool_forward<H, W, C>(x.data() + r * in, y.data() + r * C);
        kernels::global_avgpool_backward<H, W, C>(dy.data() + r * C, dx.data() + r * in);
        ref::global_avgpool_forward<H, W, C>(xd.data() + r * in, y_ref.data() + r * C);
        ref::global_avgpool_backward<H, W, C>(dyd.data() + r * C, dx_ref.data() + r * in);
    }
    k.compare("y", y, kOutputLimit);
    k.compare("y", y_ref, kReferenceLimit);
    k.compare("dx", to_nchw(dx, N, C, H, W), kGradientLimit);
    k.compare("dx", to_nchw(dx_ref, N, C, H, W), kReferenceLimit);
}

// ---- strided convolution -------------------------------------------------------------

template <int N, int I, int H, int W, int O, int K, int S, int P, bool Bias>
void check_conv(const std::string& name) {
    Case k(name, {N, I, H, W});
    REQUIRE((int(k["out_channels"].number) == O && int(k["kernel"].number) == K && int(k["stride"].number) == S &&
             int(k["padding"].number) == P && k["bias"].boolean == Bias));
    using Conv = kernels::Conv2DStrided<H, W, I, K, O, S, P>;
    constexpr int Hp = Conv::Hp, Wp = Conv::Wp, Ho = Conv::Ho, Wo = Conv::Wo;
    constexpr std::size_t in = std::size_t(H) * W * I, pad = Conv::kPaddedFloats, out = std::size_t(Ho) * Wo * O;
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, I, H, W), dy = to_nhwc<float>(k.values("dy"), N, O, Ho, Wo);
    const std::vector<float> w_oihw = k.values("weight");
    std::vector<float> w(w_oihw.size());
    oihw_to_hwio(w_oihw.data(), w.data(), O, I, K, K);
    const std::vector<float> b = Bias ? k.values("bias") : std::vector<float>(O, 0.0f);

    // statnn: the layer's path through kernels::Conv2DStrided.
    std::vector<float> xp(N * pad), y(N * out), prepared(Conv::kPreparedKernelFloats), work(Conv::kInputGradWorkFloats + 1),
        dx(N * in), dw(w.size(), 0.0f), db(O, 0.0f);
    const float* wf = Conv::prepare_forward(w.data(), prepared.data());
    for (int r = 0; r < N; ++r) {
        Conv::pad(x.data() + r * in, xp.data() + r * pad);
        Conv::forward(xp.data() + r * pad, wf, Bias ? b.data() : nullptr, y.data() + r * out, false);
    }
    Conv::prepare_input_grad(w.data(), prepared.data());
    for (int r = 0; r < N; ++r) Conv::input_grad(dy.data() + r * out, prepared.data(), dx.data() + r * in, work.data());
    for (int t = 0; t < Conv::Weights::kTasks; ++t) Conv::Weights::run(t, xp.data(), pad, dy.data(), N, dw.data(), db.data());

    // The reference, in double.
    const std::vector<double> xd = as<double>(x), dyd = as<double>(dy), wd = as<double>(w), bd = as<double>(b);
    std::vector<double> xpd(N * pad), y_ref(N * out), wt(wd.size()), din_pad(pad), dx_ref(N * in), dw_ref(wd.size(), 0.0),
        db_ref(O, 0.0);
    ref::conv2d_swap_channels<I, K, O>(wd.data(), wt.data());
    for (int r = 0; r < N; ++r) {
        ref::pad_image<H, W, I, P>(xd.data() + r * in, xpd.data() + r * pad);
        ref::conv2d_strided_forward<Hp, Wp, I, K, O, S>(xpd.data() + r * pad, wd.data(), Bias ? bd.data() : nullptr,
                                                         y_ref.data() + r * out, false);
        ref::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(dyd.data() + r * out, wt.data(), din_pad.data());
        for (int yy = 0; yy < H; ++yy)
            for (int e = 0; e < W * I; ++e)
                dx_ref[r * in + std::size_t(yy) * W * I + e] = din_pad[(std::size_t(yy + P) * Wp + P) * I + e];
        ref::conv2d_strided_backward_weights<Hp, Wp, I, K, O, S>(xpd.data() + r * pad, dyd.data() + r * out, dw_ref.data(),
                                                                  db_ref.data());
    }
    k.compare("y", to_nchw(y, N, O, Ho, Wo), kOutputLimit);
    k.compare("y", to_nchw(y_ref, N, O, Ho, Wo), kReferenceLimit);
    k.compare("dx", to_nchw(dx, N, I, H, W), kGradientLimit);
    k.compare("dx", to_nchw(dx_ref, N, I, H, W), kReferenceLimit);
    k.compare("dweight", hwio_to_oihw(dw, O, I, K), kGradientLimit);
    k.compare("dweight", hwio_to_oihw(dw_ref, O, I, K), kReferenceLimit);
    REQUIRE(k.has("dbias") == Bias);
    if constexpr (Bias) {
        k.compare("dbias", db, kGradientLimit);
        k.compare("dbias", db_ref, kReferenceLimit);
    }
}

// ---- a residual block in a network ---------------------------------------------------

// The case's output gradient as d(loss)/d(logits): the logits are the Flatten output,
// the block's output in PyTorch's (C, H, W) order.
struct GivenOutputGradient {
    const float* dy;
    template <int Classes>
    double backward(const float*, const std::int32_t*, int n, float* dlogits) const {
        std::copy(dy, dy + std::size_t(n) * Classes, dlogits);
        return 0.0;
    }
};

template <int N, int I, int H, int W, int C>
void check_residual(const std::string& name) {
    Case k(name, {N, I, H, W});
    REQUIRE(int(k["channels"].number) == C);
    REQUIRE((k["momentum"].number == 0.1 && k["eps"].number == 1e-5));  // BatchNorm<>'s defaults
    using Block = Sequential<Input<I, H, W>, Conv2DStrided<C, 1, 1, 0>,
                             Residual<Conv2DStrided<C, 3, 1, 1, Linear, NoBias>, BatchNorm<>, GELU, Conv2DStrided<C, 1, 1, 0>>,
                             Flatten, Softmax>;
    using Net = Network<Block, N>;
    static_assert(Net::kLayers == 8 && Net::template LayerAt<5>::kSkipSpan == 4);
    auto net = std::make_unique<Net>(1, 2);
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, I, H, W);
    std::copy(x.begin(), x.end(), net->input());
    auto set_kernel = [&](float* dst, const std::string& role, int O, int In, int K) {
        const std::vector<float> w = k.values(role);
        oihw_to_hwio(w.data(), dst, O, In, K, K);
    };
    auto set = [&](float* dst, const std::string& role) {
        const std::vector<float> v = k.values(role);
        std::copy(v.begin(), v.end(), dst);
    };
    auto& stem = net->template layer<0>();
    auto& conv_a = net->template layer<1>();
    auto& bn = net->template layer<2>();
    auto& conv_b = net->template layer<4>();
    set_kernel(stem.kernel, "stem_weight", C, I, 1);
    set(stem.bias, "stem_bias");
    set_kernel(conv_a.kernel, "weight_a", C, C, 3);
    set(bn.kernel, "gamma");
    set(bn.bias, "beta");
    set_kernel(conv_b.kernel, "weight_b", C, C, 1);
    set(conv_b.bias, "bias_b");

    net->forward(N, true, 0);
    const float* y = net->activation(6);
    k.compare("y", std::vector<float>(y, y + std::size_t(N) * C * H * W), kOutputLimit);
    k.compare("running_mean_out", std::vector<float>(bn.running_mean(), bn.running_mean() + C), kOutputLimit);
    k.compare("running_var_out", std::vector<float>(bn.running_var(), bn.running_var() + C), kOutputLimit);
    const std::vector<float> dy = k.values("dy");
    net->backward(N, 0, GivenOutputGradient{dy.data()});
    auto kernel_grad = [](const float* g, int O, int In, int K) {
        return hwio_to_oihw(std::vector<float>(g, g + std::size_t(K) * K * In * O), O, In, K);
    };
    k.compare("dstem_weight", kernel_grad(stem.dkernel, C, I, 1), kGradientLimit);
    k.compare("dstem_bias", std::vector<float>(stem.dbias, stem.dbias + C), kGradientLimit);
    k.compare("dweight_a", kernel_grad(conv_a.dkernel, C, C, 3), kGradientLimit);
    k.compare("dgamma", std::vector<float>(bn.dkernel, bn.dkernel + C), kGradientLimit);
    k.compare("dbeta", std::vector<float>(bn.dbias, bn.dbias + C), kGradientLimit);
    k.compare("dweight_b", kernel_grad(conv_b.dkernel, C, C, 1), kGradientLimit);
    k.compare("dbias_b", std::vector<float>(conv_b.dbias, conv_b.dbias + C), kGradientLimit);
}

// ---- PatchWhitening ------------------------------------------------------------------

// The filters a whitening stem sets from images, and its output, against PyTorch's
// eigendecomposition of the same patch covariance. An eigenvector is defined up to its
// sign: each of statnn's is turned to the reference's before comparing (its negated twin,
// channel D + k, then matches the reference's D + k). The eigenvalues come back from the
// filters' norms, |v_k / sqrt(λ_k + eps)|² = 1 / (λ_k + eps).
template <int N, int C, int H, int W, int P>
void check_whitening(const std::string& name) {
    Case k(name, {N, C, H, W});
    REQUIRE(int(k["patch"].number) == P);
    REQUIRE(float(k["eps"].number) == PatchWhiteningDefaults::eps);
    using L = PatchWhiteningLayer<Shape<C, H, W>, N, PatchWhiteningDefaults>;
    constexpr int D = L::D, F = L::F, Ho = L::Out::H, Wo = L::Out::W;
    constexpr std::size_t kOutFloats = std::size_t(N) * L::Out::size;
    std::vector<float> state(L::kStateFloats), out(kOutFloats);
    L layer;
    layer.state = state.data();
    const std::vector<float> x = to_nhwc<float>(k.values("x"), N, C, H, W);
    layer.begin_data_init();
    layer.observe(x.data(), N / 2);
    layer.observe(x.data() + std::size_t(N / 2) * L::In::size, N - N / 2);  // in two batches
    REQUIRE(layer.finish_data_init());

    const std::vector<float> ours = hwio_to_oihw(state, F, C, P), reference = k.values("filters");
    REQUIRE(reference.size() == ours.size());
    constexpr std::size_t kFilter = std::size_t(C) * P * P;
    auto channel_of = [&](int f, bool flip) { return flip ? (f < D ? f + D : f - D) : f; };
    std::vector<bool> flip(D);
    std::vector<float> aligned(ours.size()), eigenvalues(D);
    for (int e = 0; e < D; ++e) {
        double dot = 0, norm2 = 0;
        for (std::size_t j = 0; j < kFilter; ++j) {
            dot += double(ours[e * kFilter + j]) * reference[e * kFilter + j];
            norm2 += double(ours[e * kFilter + j]) * ours[e * kFilter + j];
        }
        flip[std::size_t(e)] = dot < 0;
        eigenvalues[std::size_t(e)] = float(1.0 / norm2 - double(PatchWhiteningDefaults::eps));
    }
    for (int f = 0; f < F; ++f) {
        const int from = channel_of(f, flip[std::size_t(f % D)]);
        std::copy_n(ours.begin() + std::ptrdiff_t(from * kFilter), kFilter, aligned.begin() + std::ptrdiff_t(f * kFilter));
    }
    k.compare("filters", aligned, kOutputLimit);
    k.compare("eigenvalues", eigenvalues, kOutputLimit);

    ThreadPool pool(2);
    StepContext ctx;
    ctx.pool = &pool;
    layer.forward(x.data(), out.data(), N, ctx);
    std::vector<float> y(out.size());
    for (std::size_t p = 0; p < std::size_t(N) * Ho * Wo; ++p)
        for (int f = 0; f < F; ++f) y[p * F + std::size_t(f)] = out[p * F + std::size_t(channel_of(f, flip[std::size_t(f % D)]))];
    k.compare("y", to_nchw(y, N, F, Ho, Wo), kOutputLimit);
}

}  // namespace

TEST_CASE("BatchNorm kernels match PyTorch: training, evaluation, every affine option", "[golden][layers][batchnorm]") {
    check_batchnorm<3, 5, 4, 3>("bn_train_affine");
    check_batchnorm<1, 24, 3, 5>("bn_train_frozen_scale");
    check_batchnorm<2, 16, 5, 3>("bn_train_no_affine");
    check_batchnorm<2, 64, 4, 4>("bn_train_wide");
    check_batchnorm<3, 7, 3, 3>("bn_eval_affine");
    check_batchnorm<1, 19, 2, 2>("bn_eval_no_affine");
}

TEST_CASE("GELU kernels match PyTorch: exact (erf) and tanh approximation", "[golden][layers][gelu]") {
    check_gelu<301, kernels::GeluForm::Erf>("gelu_erf");
    check_gelu<301, kernels::GeluForm::Tanh>("gelu_tanh");
}

TEST_CASE("average pooling kernels match PyTorch", "[golden][layers][avgpool]") {
    check_avgpool<3, 5, 7, 6, 2, 2>("avgpool_k2_s2");
    check_avgpool<1, 17, 9, 8, 3, 2>("avgpool_k3_s2");
    check_avgpool<2, 3, 5, 5, 3, 1>("avgpool_k3_s1");
    check_avgpool<1, 4, 8, 7, 2, 3>("avgpool_k2_s3");
    check_global_avgpool<3, 20, 4, 5>("global_avgpool");
}

TEST_CASE("strided convolution kernels match PyTorch", "[golden][layers][conv2d_strided]") {
    check_conv<2, 3, 8, 8, 24, 2, 2, 0, true>("conv_patch_k2_s2");
    check_conv<3, 5, 9, 8, 7, 3, 2, 1, true>("conv_k3_s2_p1");
    check_conv<2, 16, 6, 6, 32, 3, 2, 1, false>("conv_k3_s2_p1_wide");
    check_conv<1, 17, 7, 7, 19, 1, 2, 0, false>("conv_k1_s2");
    check_conv<1, 3, 10, 9, 4, 3, 3, 2, true>("conv_k3_s3_p2");
    check_conv<2, 6, 5, 4, 16, 1, 1, 0, true>("conv_k1_s1");
    check_conv<1, 4, 6, 5, 16, 3, 1, 1, false>("conv_k3_s1_p1");
}

TEST_CASE("a residual block in a network matches PyTorch: output, running statistics, every gradient through the skip",
          "[golden][layers][residual]") {
    check_residual<2, 3, 5, 5, 8>("residual_block");
}

TEST_CASE("a whitening stem's filters from data match PyTorch's eigendecomposition of the patch covariance",
          "[golden][layers][whitening]") {
    check_whitening<16, 3, 8, 8, 2>("whitening_p2");
}
