// tests/layers/test_gelu_layers.cpp — GELU as a layer and as the fused activation of
// Conv2D, Conv2DStrided and Dense: gradients against finite differences, and the fused
// forms against the layer stacked after a linear one.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "catch.hpp"
#include "statnn/layers/conv2d.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/dense.hpp"
#include "statnn/layers/gelu.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

template <class Spec, class In, int N = 3>
void check_layer(const char* what) {
    using L = typename Spec::template bind<In, N>;
    LayerHarness<L> h(N, 2, 42);
    // GELU is smooth, but curved: a step of 1e-3 keeps the one-sided slopes within the
    // harness's kink test (at its default 1e-2 the curvature alone trips it).
    const GradCheckResult r = h.run(60, 1e-3f);
    std::printf("  %-48s checked %3d, skipped %2d, worst error %.2e\n", what, r.checked, r.skipped, r.worst);
    CHECK(r.skipped <= r.checked / 20);
    CHECK(std::size_t(r.checked) >= std::min<std::size_t>(45, N * In::size));
}

// The fused layer's output equals the linear layer followed by the GELU layer.
template <class Fused, class Linear_, class Act, class In, int N = 3>
void check_fused_equals_stacked() {
    using F = typename Fused::template bind<In, N>;
    using Lin = typename Linear_::template bind<In, N>;
    using G = typename Act::template bind<typename Lin::Out, N>;
    LayerHarness<F> hf(N, 2, 42);
    LayerHarness<Lin> hl(N, 2, 42);  // same seed: same input, kernel and bias
    hf.loss();
    hl.loss();
    ThreadPool pool(1);
    StepContext ctx;
    ctx.pool = &pool;
    std::vector<float> stacked(N * G::Out::size);
    G gelu{};
    gelu.forward(hl.output(), stacked.data(), N, ctx);
    require_close_to(hf.output(), stacked.data(), stacked.size(), 1e-6);
}

}  // namespace

TEST_CASE("GELU layer gradients, both forms", "[layers][gelu]") {
    check_layer<GELU, Shape<5, 3, 4>>("GELU on 5x3x4");
    check_layer<GELUTanh, Shape<5, 3, 4>>("GELUTanh on 5x3x4");
    check_layer<GELU, Flat<37>>("GELU on 37, batch 3");
    check_layer<GELU, Flat<37>, 1>("GELU on 37, batch 1");
}

TEST_CASE("GELU fused into Conv2D, Conv2DStrided and Dense: gradients", "[layers][gelu]") {
    check_layer<Conv2D<4, 3, Same, GELU>, Shape<3, 5, 6>>("Conv2D<4,3,Same,GELU> on 3x5x6");
    check_layer<Conv2D<16, 3, Valid, GELUTanh>, Shape<16, 5, 5>>("Conv2D<16,3,Valid,GELUTanh> on 16x5x5");
    check_layer<Conv2DStrided<24, 2, 2, 0, GELU>, Shape<3, 6, 6>>("Conv2DStrided<24,2,2,0,GELU> on 3x6x6");
    check_layer<Conv2DStrided<5, 3, 2, 1, GELU, NoBias>, Shape<4, 7, 6>>("Conv2DStrided<5,3,2,1,GELU,NoBias> on 4x7x6");
    check_layer<Dense<7, GELU>, Flat<13>>("Dense<7,GELU> on 13");
    check_layer<Dense<33, GELUTanh>, Flat<20>>("Dense<33,GELUTanh> on 20");
}

TEST_CASE("a fused GELU equals the linear layer followed by a GELU layer", "[layers][gelu]") {
    check_fused_equals_stacked<Conv2D<8, 3, Same, GELU>, Conv2D<8, 3, Same>, GELU, Shape<3, 6, 5>>();
    check_fused_equals_stacked<Conv2DStrided<24, 2, 2, 0, GELUTanh>, Conv2DStrided<24, 2, 2>, GELUTanh, Shape<3, 8, 8>>();
    check_fused_equals_stacked<Dense<20, GELU>, Dense<20>, GELU, Flat<11>>();
}
