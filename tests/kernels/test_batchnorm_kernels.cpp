// tests/kernels/test_batchnorm_kernels.cpp — batch normalisation kernels: the reference
// against independent formulations (xtensor statistics, finite differences in double,
// PyTorch's running-statistics rule written out), and the task pipeline of
// kernels/batchnorm.hpp (xsimd phases where the build has them) against the reference,
// on odd channel counts, batches of 1 and 3 images and row counts spanning several tasks.
#include <cmath>
#include <cstring>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>

#include "catch.hpp"
#include "statnn/kernels/batchnorm.hpp"
#include "statnn/thread_pool.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;
namespace ref = statnn::kernels::ref;

namespace {

enum class Affine { ScaleAndShift, None };  // a frozen scale is γ given and dγ not wanted

// Loss Σ y·R of the reference in double, training or evaluation mode.
template <int C>
struct RefBatchNorm {
    std::size_t rows;
    std::vector<double> x, gamma, beta, r, running_mean, running_var;
    bool affine = true, train = true;
    double eps = 1e-3, momentum = 0.1;

    RefBatchNorm(std::size_t rows_, std::uint64_t seed) : rows(rows_) {
        x = random_doubles(rows * C, seed, -2.0, 3.0);
        gamma = random_doubles(C, seed + 1, 0.5, 1.5);
        beta = random_doubles(C, seed + 2);
        r = random_doubles(rows * C, seed + 3);
        running_mean = random_doubles(C, seed + 4);
        running_var = random_doubles(C, seed + 5, 0.5, 2.0);
    }
    const double* g() const { return affine ? gamma.data() : nullptr; }
    const double* b() const { return affine ? beta.data() : nullptr; }

    std::vector<double> forward(std::vector<double>* mean = nullptr, std::vector<double>* invstd = nullptr) const {
        std::vector<double> y(rows * C), m(C), inv(C), rm = running_mean, rv = running_var;
        if (train)
            ref::batchnorm_train_forward<C>(x.data(), rows, g(), b(), eps, momentum, y.data(), m.data(), inv.data(), rm.data(),
                                            rv.data());
        else
            ref::batchnorm_eval_forward<C>(x.data(), rows, g(), b(), eps, running_mean.data(), running_var.data(), y.data());
        if (mean) *mean = m;
        if (invstd) *invstd = inv;
        return y;
    }
    double loss() const { return dot(forward(), r); }
};

template <int C>
void check_reference_gradients(std::size_t rows, bool affine, bool train) {
    INFO("C " << C << ", rows " << rows << (affine ? ", affine" : ", no affine") << (train ? ", training" : ", evaluation"));
    RefBatchNorm<C> bn(rows, 17 + rows);
    bn.affine = affine;
    bn.train = train;
    std::vector<double> mean, invstd;
    bn.forward(&mean, &invstd);
    std::vector<double> dx(rows * C), dgamma(C), dbeta(C);
    if (train)
        ref::batchnorm_train_backward<C>(bn.x.data(), bn.r.data(), rows, bn.g(), mean.data(), invstd.data(), dx.data(),
                                         dgamma.data(), dbeta.data());
    else
        ref::batchnorm_eval_backward<C>(bn.x.data(), bn.r.data(), rows, bn.g(), bn.eps, bn.running_mean.data(),
                                        bn.running_var.data(), dx.data(), dgamma.data(), dbeta.data());
    auto loss = [&] { return bn.loss(); };
    check_gradient_fd(bn.x, dx, loss, 1e-6);
    // dγ and dβ are the gradients of the affine parameters whether they exist or not.
    bn.affine = true;
    if (!affine) std::fill(bn.gamma.begin(), bn.gamma.end(), 1.0), std::fill(bn.beta.begin(), bn.beta.end(), 0.0);
    check_gradient_fd(bn.gamma, dgamma, loss, 1e-6);
    check_gradient_fd(bn.beta, dbeta, loss, 1e-6);
}

// The task pipeline (float, vector phases when the build has them) against the reference
// (float in, double inside), every output.
template <int C>
void check_pipeline(int images, int H, int W, Affine affine, float eps, float momentum) {
    const std::size_t rows = std::size_t(images) * H * W;
    INFO("C " << C << ", " << images << " image(s) of " << H << "x" << W << " (" << rows << " rows, "
              << kernels::BatchNorm<C>::blocks(rows) << " block(s), " << kernels::BatchNorm<C>::tasks(rows)
              << " task(s)), affine option " << int(affine));
    using BN = kernels::BatchNorm<C>;
    AlignedFloats x(rows * C), dy(rows * C), gamma(C), beta(C), scratch(BN::scratch_floats(rows));
    fill_uniform(x, 1, -1.0f, 4.0f);
    fill_uniform(dy, 2);
    fill_uniform(gamma, 3, 0.5f, 1.5f);
    fill_uniform(beta, 4);
    const float* g = affine == Affine::None ? nullptr : gamma.data();
    const float* b = affine == Affine::None ? nullptr : beta.data();
    std::vector<float> rm0(C), rv0(C);
    for (int c = 0; c < C; ++c) rm0[c] = 0.1f * float(c % 5), rv0[c] = 1.0f + 0.05f * float(c % 7);

    // Training: the pipeline on two threads and on one, and the reference.
    std::vector<float> y(rows * C), y1(rows * C), y_ref(rows * C), saved(BN::kSavedFloats), saved1(BN::kSavedFloats),
        mean(C), mean_ref(C), invstd_ref(C);
    std::vector<float> rm = rm0, rv = rv0, rm1 = rm0, rv1 = rv0, rm_ref = rm0, rv_ref = rv0;
    ThreadPool pool(2);
    kernels::SerialRunner serial;
    BN::train_forward(pool, x.data(), rows, g, b, eps, momentum, y.data(), saved.data(), rm.data(), rv.data(), scratch.data());
    BN::train_forward(serial, x.data(), rows, g, b, eps, momentum, y1.data(), saved1.data(), rm1.data(), rv1.data(),
                      scratch.data());
    for (int c = 0; c < C; ++c) mean[c] = BN::batch_mean(saved.data(), c);
    ref::batchnorm_train_forward<C>(x.data(), rows, g, b, eps, momentum, y_ref.data(), mean_ref.data(), invstd_ref.data(),
                                    rm_ref.data(), rv_ref.data());
    require_close_to(y.data(), y_ref.data(), y.size(), 2e-6);
    require_close_to(mean.data(), mean_ref.data(), C, 1e-6);
    require_close_to(BN::batch_invstd(saved.data()), invstd_ref.data(), C, 1e-5);
    require_close_to(rm.data(), rm_ref.data(), C, 1e-6);
    require_close_to(rv.data(), rv_ref.data(), C, 1e-5);
    require_same_floats(y.data(), y1.data(), y.size());  // the thread count changes nothing
    require_same_floats(rv.data(), rv1.data(), C);

    // Training backward, every gradient, then without dx (first layer) and dγ (frozen).
    std::vector<float> dx(rows * C), dx_ref(rows * C), dgamma(C), dbeta(C), dgamma_ref(C), dbeta_ref(C);
    BN::train_backward(pool, x.data(), dy.data(), rows, g, saved.data(), dx.data(), dgamma.data(), dbeta.data(),
                       scratch.data());
    ref::batchnorm_train_backward<C>(x.data(), dy.data(), rows, g, mean_ref.data(), invstd_ref.data(), dx_ref.data(),
                                     dgamma_ref.data(), dbeta_ref.data());
    require_close_to(dx.data(), dx_ref.data(), dx.size(), 1e-5);
    require_close_to(dgamma.data(), dgamma_ref.data(), C, 1e-5);
    require_close_to(dbeta.data(), dbeta_ref.data(), C, 1e-5);
    std::vector<float> dbeta_only(C, -7.0f);
    BN::train_backward(pool, x.data(), dy.data(), rows, g, saved.data(), nullptr, nullptr, dbeta_only.data(), scratch.data());
    require_same_floats(dbeta_only.data(), dbeta.data(), C);

    // Evaluation: running statistics in, nothing updated.
    const std::vector<float> rm_before = rm, rv_before = rv;
    BN::eval_forward(pool, x.data(), rows, g, b, eps, rm.data(), rv.data(), y.data(), scratch.data());
    ref::batchnorm_eval_forward<C>(x.data(), rows, g, b, eps, rm.data(), rv.data(), y_ref.data());
    require_close_to(y.data(), y_ref.data(), y.size(), 2e-6);
    require_same_floats(rm.data(), rm_before.data(), C);
    require_same_floats(rv.data(), rv_before.data(), C);
    BN::eval_backward(pool, x.data(), dy.data(), rows, g, eps, rm.data(), rv.data(), dx.data(), dgamma.data(), dbeta.data(),
                      scratch.data());
    ref::batchnorm_eval_backward<C>(x.data(), dy.data(), rows, g, eps, rm.data(), rv.data(), dx_ref.data(),
                                    dgamma_ref.data(), dbeta_ref.data());
    require_close_to(dx.data(), dx_ref.data(), dx.size(), 1e-6);
    require_close_to(dgamma.data(), dgamma_ref.data(), C, 1e-5);
    require_close_to(dbeta.data(), dbeta_ref.data(), C, 1e-5);
}

template <int C>
void check_pipeline_shapes(Affine affine) {
    check_pipeline<C>(1, 1, 3, affine, 1e-5f, 0.1f);   // batch 1, three pixels
    check_pipeline<C>(3, 5, 4, affine, 1e-3f, 0.6f);   // batch 3
    check_pipeline<C>(3, 17, 19, affine, 1e-12f, 0.1f);  // rows spanning several tasks
}

}  // namespace

TEST_CASE("reference BatchNorm training: batch statistics, normalised channels, PyTorch's running update",
          "[kernels][batchnorm]") {
    constexpr int C = 4;
    const std::size_t rows = 30;
    const auto x = random_doubles(rows * C, 5, -1.0, 5.0);
    const auto gamma = random_doubles(C, 6, 0.5, 2.0), beta = random_doubles(C, 7);
    std::vector<double> y(rows * C), mean(C), invstd(C), rm(C, 0.25), rv(C, 2.0);
    const double eps = 1e-5, momentum = 0.3;
    ref::batchnorm_train_forward<C>(x.data(), rows, gamma.data(), beta.data(), eps, momentum, y.data(), mean.data(),
                                    invstd.data(), rm.data(), rv.data());
    // Independent: xtensor's mean and (biased) variance over the rows.
    const auto X = xt::adapt(x, std::vector<std::size_t>{rows, std::size_t(C)});
    const auto Y = xt::adapt(y, std::vector<std::size_t>{rows, std::size_t(C)});
    const xt::xtensor<double, 1> mu = xt::mean(X, {0}), var = xt::variance(X, {0});
    const xt::xtensor<double, 1> y_mean = xt::mean(Y, {0}), y_var = xt::variance(Y, {0});
    for (int c = 0; c < C; ++c) {
        CHECK(mean[c] == Approx(mu(c)).epsilon(1e-12));
        CHECK(invstd[c] == Approx(1.0 / std::sqrt(var(c) + eps)).epsilon(1e-12));
        CHECK(y_mean(c) == Approx(beta[c]).margin(1e-12));                                    // shifted to β
        CHECK(y_var(c) == Approx(gamma[c] * gamma[c] * var(c) / (var(c) + eps)).epsilon(1e-12));  // scaled by γ
        CHECK(rm[c] == Approx(0.7 * 0.25 + 0.3 * mu(c)).epsilon(1e-12));
        CHECK(rv[c] == Approx(0.7 * 2.0 + 0.3 * var(c) * double(rows) / double(rows - 1)).epsilon(1e-12));  // unbiased
    }
}

TEST_CASE("reference BatchNorm evaluation uses the running statistics", "[kernels][batchnorm]") {
    constexpr int C = 3;
    const double x[6] = {1, 2, 3, -1, 0, 5}, rm[3] = {1, 0, 2}, rv[3] = {4, 1, 0.25}, gamma[3] = {2, 1, 1},
                 beta[3] = {0, 1, -1};
    double y[6];
    ref::batchnorm_eval_forward<C>(x, 2, gamma, beta, 0.0, rm, rv, y);
    const double expected[6] = {0, 3, 1, -2, 1, 5};
    for (int e = 0; e < 6; ++e) CHECK(y[e] == Approx(expected[e]));
    ref::batchnorm_eval_forward<C>(x, 2, static_cast<const double*>(nullptr), static_cast<const double*>(nullptr), 0.0, rm, rv,
                                   y);  // no affine
    CHECK(y[0] == Approx(0.0));
    CHECK(y[5] == Approx(6.0));
}

TEST_CASE("reference BatchNorm gradients match finite differences in double", "[kernels][batchnorm][gradients]") {
    for (bool train : {true, false})
        for (bool affine : {true, false}) {
            check_reference_gradients<3>(7, affine, train);
            check_reference_gradients<5>(12, affine, train);
        }
    check_reference_gradients<2>(2, true, true);  // two rows: the smallest batch that trains
}

TEST_CASE("BatchNorm task pipeline matches the reference (odd channels, batches of 1 and 3, several tasks)",
          "[kernels][simd][batchnorm]") {
    constexpr int Lw = int(kFloatLanes);
    for (Affine affine : {Affine::ScaleAndShift, Affine::None}) {
        check_pipeline_shapes<1>(affine);
        check_pipeline_shapes<3>(affine);
        check_pipeline_shapes<5>(affine);
        check_pipeline_shapes<Lw>(affine);
        check_pipeline_shapes<Lw + 1>(affine);
        check_pipeline_shapes<24>(affine);
        check_pipeline_shapes<2 * Lw + 3>(affine);
        check_pipeline_shapes<64>(affine);
    }
    check_pipeline<256>(2, 8, 8, Affine::ScaleAndShift, 1e-12f, 0.6f);  // airbench's widest group
    check_pipeline<64>(3, 40, 40, Affine::ScaleAndShift, 1e-5f, 0.1f);  // more blocks than tasks: several per task
}

TEST_CASE("BatchNorm vector phases match the reference phases", "[kernels][simd][batchnorm]") {
    constexpr int C = 2 * int(kFloatLanes) + 7;
    const std::size_t rows = 37;
    AlignedFloats x(rows * C), dy(rows * C), center(C), scale(C), shift(C), d(C);
    fill_uniform(x, 1);
    fill_uniform(dy, 2);
    fill_uniform(center, 3);
    fill_uniform(scale, 4);
    fill_uniform(shift, 5);
    fill_uniform(d, 6);
    std::vector<float> s(C), q(C), s_ref(C), q_ref(C), y(rows * C), y_ref(rows * C);
    kernels::simd::batchnorm_sums<C>(x.data(), rows, center.data(), s.data(), q.data());
    ref::batchnorm_sums<C>(x.data(), rows, center.data(), s_ref.data(), q_ref.data());
    require_close_to(s.data(), s_ref.data(), C, 1e-6);
    require_close_to(q.data(), q_ref.data(), C, 1e-6);
    kernels::simd::batchnorm_grad_sums<C>(x.data(), dy.data(), rows, center.data(), s.data(), q.data());
    ref::batchnorm_grad_sums<C>(x.data(), dy.data(), rows, center.data(), s_ref.data(), q_ref.data());
    require_close_to(s.data(), s_ref.data(), C, 1e-6);
    require_close_to(q.data(), q_ref.data(), C, 1e-6);
    kernels::simd::batchnorm_normalize<C>(x.data(), rows, center.data(), scale.data(), shift.data(), y.data());
    ref::batchnorm_normalize<C>(x.data(), rows, center.data(), scale.data(), shift.data(), y_ref.data());
    require_close_to(y.data(), y_ref.data(), y.size(), 1e-6);  // one rounding apart at most (fused multiply-add)
    kernels::simd::batchnorm_input_grad<C>(x.data(), dy.data(), rows, center.data(), scale.data(), shift.data(), d.data(),
                                           y.data());
    ref::batchnorm_input_grad<C>(x.data(), dy.data(), rows, center.data(), scale.data(), shift.data(), d.data(), y_ref.data());
    require_close_to(y.data(), y_ref.data(), y.size(), 1e-6);
}

TEST_CASE("BatchNorm stays accurate when the mean dwarfs the spread", "[kernels][batchnorm]") {
    constexpr int C = 19;
    const std::size_t rows = 3 * 16 * 16;
    using BN = kernels::BatchNorm<C>;
    AlignedFloats x(rows * C), dy(rows * C), scratch(BN::scratch_floats(rows));
    fill_uniform(x, 9, -0.01f, 0.01f);
    fill_uniform(dy, 10);
    for (std::size_t e = 0; e < x.size(); ++e) x[e] += 1000.0f;  // mean / std ≈ 1.7e5
    std::vector<float> y(rows * C), saved(BN::kSavedFloats), rm(C), rv(C, 1.0f), dx(rows * C), dgamma(C), dbeta(C);
    kernels::SerialRunner serial;
    BN::train_forward(serial, x.data(), rows, nullptr, nullptr, 1e-12f, 0.1f, y.data(), saved.data(), rm.data(), rv.data(),
                      scratch.data());
    BN::train_backward(serial, x.data(), dy.data(), rows, nullptr, saved.data(), dx.data(), dgamma.data(), dbeta.data(),
                       scratch.data());
    // The reference in double, from the same float inputs.
    const std::vector<double> xd(x.data(), x.data() + x.size()), dyd(dy.data(), dy.data() + dy.size());
    std::vector<double> y_ref(rows * C), mean_ref(C), invstd_ref(C), rm_ref(C), rv_ref(C, 1.0), dx_ref(rows * C),
        dgamma_ref(C), dbeta_ref(C);
    ref::batchnorm_train_forward<C>(xd.data(), rows, static_cast<const double*>(nullptr), static_cast<const double*>(nullptr),
                                    1e-12, 0.1, y_ref.data(), mean_ref.data(), invstd_ref.data(), rm_ref.data(), rv_ref.data());
    ref::batchnorm_train_backward<C>(xd.data(), dyd.data(), rows, static_cast<const double*>(nullptr), mean_ref.data(),
                                     invstd_ref.data(), dx_ref.data(), dgamma_ref.data(), dbeta_ref.data());
    std::vector<double> invstd(BN::batch_invstd(saved.data()), BN::batch_invstd(saved.data()) + C), relative(C);
    for (int c = 0; c < C; ++c) relative[c] = invstd[c] / invstd_ref[c] - 1.0;
    require_close_to(relative.data(), std::vector<double>(C, 0.0).data(), C, 1e-5);
    require_close_to(y.data(), y_ref.data(), y.size(), 1e-5);
    require_close_to(dx.data(), dx_ref.data(), dx.size(), 1e-4);  // |dx| up to ≈ 170 · |dy|: relative to that scale
    require_close_to(dgamma.data(), dgamma_ref.data(), C, 1e-5);
    require_close_to(rv.data(), rv_ref.data(), C, 1e-6);
}

TEST_CASE("BatchNorm running statistics follow the momentum recurrence over steps", "[kernels][batchnorm]") {
    constexpr int C = 5;
    const std::size_t rows = 24;
    using BN = kernels::BatchNorm<C>;
    AlignedFloats scratch(BN::scratch_floats(rows));
    kernels::SerialRunner serial;
    for (float momentum : {0.0f, 0.1f, 0.6f, 1.0f}) {
        INFO("momentum " << momentum);
        std::vector<float> rm(C, 0.0f), rv(C, 1.0f), y(rows * C), saved(BN::kSavedFloats);
        std::vector<double> expect_mean(C, 0.0), expect_var(C, 1.0);
        for (int step = 0; step < 3; ++step) {
            AlignedFloats x(rows * C);
            fill_uniform(x, 100 + step, -1.0f + step, 2.0f * step + 1.0f);
            BN::train_forward(serial, x.data(), rows, nullptr, nullptr, 1e-5f, momentum, y.data(), saved.data(), rm.data(),
                              rv.data(), scratch.data());
            for (int c = 0; c < C; ++c) {
                double s = 0, q = 0;
                for (std::size_t r = 0; r < rows; ++r) s += x[r * C + c];
                for (std::size_t r = 0; r < rows; ++r) q += (x[r * C + c] - s / rows) * (x[r * C + c] - s / rows);
                expect_mean[c] = (1 - double(momentum)) * expect_mean[c] + double(momentum) * s / rows;
                expect_var[c] = (1 - double(momentum)) * expect_var[c] + double(momentum) * q / (rows - 1);
            }
        }
        require_close_to(rm.data(), expect_mean.data(), C, 1e-6);
        require_close_to(rv.data(), expect_var.data(), C, 1e-6);
        if (momentum == 0.0f)
            for (int c = 0; c < C; ++c) CHECK((rm[c] == 0.0f && rv[c] == 1.0f));
    }
}
