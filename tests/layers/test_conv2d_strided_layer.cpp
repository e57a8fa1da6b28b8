// tests/layers/test_conv2d_strided_layer.cpp — the Conv2DStrided layer: shapes, memory,
// gradients against finite differences (strides 1 to 3, padding, 1x1, patches, no
// bias, fused ReLU), and stride 1 equal to the seed's Conv2D.
#include <cstdio>
#include <vector>

#include "catch.hpp"
#include "statnn/layers/conv2d.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

template <class Spec, class In, int N = 3>
void check_layer(const char* what) {
    using L = typename Spec::template bind<In, N>;
    LayerHarness<L> h(N, 2, 42);
    const GradCheckResult r = h.run(60);
    std::printf("  %-56s checked %3d, skipped %2d (kinks), worst error %.2e\n", what, r.checked, r.skipped, r.worst);
    CHECK(r.checked >= 45);
}

}  // namespace

TEST_CASE("Conv2DStrided: output shapes, parameters and memory", "[layers][conv2d_strided]") {
    using Patch = Conv2DStrided<24, 2, 2>::bind<Shape<3, 32, 32>, 8>;
    static_assert(std::is_same_v<Patch::Out, Shape<24, 16, 16>>);
    static_assert(Patch::kKernelSize == 2 * 2 * 3 * 24 && Patch::kBiasSize == 24 && Patch::kSavedBytes == 0);
    using Down = Conv2DStrided<128, 3, 2, 1, ReLU, NoBias>::bind<Shape<64, 32, 32>, 8>;
    static_assert(std::is_same_v<Down::Out, Shape<128, 16, 16>>);
    static_assert(Down::kBiasSize == 0 && Down::kSavedBytes == float_bytes(8 * 34 * 34 * 64));
    using Odd = Conv2DStrided<5, 3, 2, 1>::bind<Shape<2, 9, 8>, 1>;
    static_assert(std::is_same_v<Odd::Out, Shape<5, 5, 4>>);  // floor((9 + 2 - 3) / 2) + 1 = 5
    using Shortcut = Conv2DStrided<16, 1, 2>::bind<Shape<8, 7, 7>, 1>;
    static_assert(std::is_same_v<Shortcut::Out, Shape<16, 4, 4>>);
    SUCCEED();
}

TEST_CASE("Conv2DStrided gradients: strides, padding, 1x1, patches, no bias, ReLU", "[layers][conv2d_strided]") {
    check_layer<Conv2DStrided<24, 2, 2>, Shape<3, 6, 6>>("Conv2DStrided<24,2,2> (patches) on 3x6x6");
    check_layer<Conv2DStrided<5, 3, 2, 1>, Shape<4, 7, 6>>("Conv2DStrided<5,3,2,1> on 4x7x6");
    check_layer<Conv2DStrided<17, 3, 2, 1, ReLU, NoBias>, Shape<16, 6, 5>>("Conv2DStrided<17,3,2,1,ReLU,NoBias> on 16x6x5");
    check_layer<Conv2DStrided<6, 1, 2>, Shape<5, 7, 7>>("Conv2DStrided<6,1,2> (1x1 stride 2) on 5x7x7");
    check_layer<Conv2DStrided<4, 3, 3, 2>, Shape<3, 8, 7>>("Conv2DStrided<4,3,3,2> on 3x8x7");
    check_layer<Conv2DStrided<16, 3, 1, 1, Linear, NoBias>, Shape<3, 5, 5>>("Conv2DStrided<16,3,1,1,NoBias> (stride 1) on 3x5x5");
    check_layer<Conv2DStrided<4, 1, 1>, Shape<6, 4, 3>>("Conv2DStrided<4,1,1> (1x1 stride 1) on 6x4x3");
    check_layer<Conv2DStrided<3, 3, 1, 2>, Shape<2, 4, 4>, 1>("Conv2DStrided<3,3,1,2> (stride 1, pad 2), batch 1");
}

TEST_CASE("Conv2DStrided with stride 1 and padding K/2 equals Conv2D 'same'", "[layers][conv2d_strided]") {
    constexpr int N = 3;
    using A = Conv2DStrided<16, 3, 1, 1, ReLU>::bind<Shape<8, 6, 7>, N>;
    using B = Conv2D<16, 3, Same, ReLU>::bind<Shape<8, 6, 7>, N>;
    static_assert(std::is_same_v<A::Out, B::Out>);
    LayerHarness<A> ha(N, 2, 5);
    LayerHarness<B> hb(N, 2, 5);
    ha.analytic();
    hb.analytic();
    require_same_floats(ha.output(), hb.output(), N * A::Out::size);
    require_close_to(ha.input_grad(), hb.input_grad(), N * A::In::size, 1e-6);
}
