// tests/layers/test_avgpool_layers.cpp — AveragePooling2D and GlobalAveragePooling2D:
// shapes and gradients against finite differences.
#include <cstdio>

#include "catch.hpp"
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "support/gradcheck.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

template <class Spec, class In, int N = 3>
void check_layer(const char* what) {
    using L = typename Spec::template bind<In, N>;
    LayerHarness<L> h(N, 2, 42);
    const GradCheckResult r = h.run(60);
    std::printf("  %-48s checked %3d, worst error %.2e\n", what, r.checked, r.worst);
    CHECK(r.skipped == 0);  // linear
    CHECK(r.checked >= 45);
}

}  // namespace

TEST_CASE("average pooling: output shapes (floor) and flat global output", "[layers][avgpool]") {
    static_assert(std::is_same_v<AveragePooling2D<2>::bind<Shape<7, 9, 8>, 1>::Out, Shape<7, 4, 4>>);
    static_assert(std::is_same_v<AveragePooling2D<3, 2>::bind<Shape<5, 9, 8>, 1>::Out, Shape<5, 4, 3>>);
    static_assert(std::is_same_v<AveragePooling2D<3, 1>::bind<Shape<2, 5, 5>, 1>::Out, Shape<2, 3, 3>>);
    static_assert(std::is_same_v<GlobalAveragePooling2D::bind<Shape<256, 4, 4>, 1>::Out, Flat<256>>);
    SUCCEED();
}

TEST_CASE("average pooling gradients: tiling, floor, overlap, global", "[layers][avgpool]") {
    check_layer<AveragePooling2D<2>, Shape<3, 6, 6>>("AveragePooling2D<2> on 3x6x6");
    check_layer<AveragePooling2D<2>, Shape<5, 7, 5>>("AveragePooling2D<2> on 5x7x5 (floor)");
    check_layer<AveragePooling2D<3, 2>, Shape<17, 7, 7>>("AveragePooling2D<3,2> on 17x7x7 (overlap)");
    check_layer<AveragePooling2D<3, 1>, Shape<2, 5, 6>, 1>("AveragePooling2D<3,1> on 2x5x6, batch 1");
    check_layer<GlobalAveragePooling2D, Shape<19, 3, 4>>("GlobalAveragePooling2D on 19x3x4");
    check_layer<GlobalAveragePooling2D, Shape<24, 4, 4>, 1>("GlobalAveragePooling2D on 24x4x4, batch 1");
}
