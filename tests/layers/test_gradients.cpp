// tests/layers/test_gradients.cpp — every layer's backward pass against finite differences.
#include <cstdio>

#include "catch.hpp"
#include "statnn/network.hpp"
#include "support/gradcheck.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

template <class Spec, class In, int N = 3>
GradCheckResult check_layer(const char* what, int threads = 2, bool training = false, int samples = 60) {
    using L = typename Spec::template bind<In, N>;
    LayerHarness<L> h(N, threads, 42);
    h.set_training(training, 777);
    const GradCheckResult r = h.run(samples);
    std::printf("  %-44s checked %3d, skipped %2d (kinks), worst error %.2e\n", what, r.checked, r.skipped, r.worst);
    CHECK(r.checked >= (samples * 3) / 4);
    return r;
}

}  // namespace

TEST_CASE("Conv2D gradients: same and valid padding, linear and fused ReLU", "[layers][conv2d]") {
    check_layer<Conv2D<4, 3, Same>, Shape<3, 6, 5>>("Conv2D<4,3,Same> on 3x6x5");
    check_layer<Conv2D<5, 3, Valid>, Shape<2, 7, 6>>("Conv2D<5,3,Valid> on 2x7x6");
    check_layer<Conv2D<4, 3, Same, ReLU>, Shape<3, 5, 5>>("Conv2D<4,3,Same,ReLU> on 3x5x5");
    check_layer<Conv2D<16, 3, Same, ReLU>, Shape<16, 4, 4>>("Conv2D<16,3,Same,ReLU> on 16x4x4");
    check_layer<Conv2D<3, 1, Valid>, Shape<4, 3, 3>>("Conv2D<3,1,Valid> on 4x3x3");
    check_layer<Conv2D<2, 5, Same>, Shape<2, 6, 6>>("Conv2D<2,5,Same> on 2x6x6");
}

TEST_CASE("Dense gradients: linear and fused ReLU", "[layers][dense]") {
    check_layer<Dense<7>, Flat<13>>("Dense<7> on 13");
    check_layer<Dense<33, ReLU>, Flat<20>>("Dense<33,ReLU> on 20");
}

TEST_CASE("MaxPooling2D gradients, including odd sizes (floor)", "[layers][pool]") {
    check_layer<MaxPooling2D<2>, Shape<3, 6, 6>>("MaxPooling2D<2> on 3x6x6");
    check_layer<MaxPooling2D<2>, Shape<4, 7, 5>>("MaxPooling2D<2> on 4x7x5 (floor)");
    check_layer<MaxPooling2D<3>, Shape<2, 7, 7>>("MaxPooling2D<3> on 2x7x7");
}

TEST_CASE("ReLU, Dropout and Flatten gradients", "[layers][eltwise]") {
    check_layer<ReLU, Shape<3, 4, 4>>("ReLU on 3x4x4");
    check_layer<Dropout<30>, Shape<5, 3, 3>>("Dropout<30> training on 5x3x3", 2, true);
    check_layer<Dropout<30>, Shape<5, 3, 3>>("Dropout<30> inference on 5x3x3", 2, false);
    check_layer<Flatten, Shape<3, 4, 5>>("Flatten on 3x4x5");
}

TEST_CASE("Flatten orders elements channels-first, as Keras", "[layers][flatten]") {
    using L = FlattenLayer<Shape<2, 2, 3>, 1>;
    LayerHarness<L> h(1, 1, 1);
    // Channels-last input: element (c, y, x) holds 100c + 10y + x.
    for (int c = 0; c < 2; ++c)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x) h.input()[hwc_index<Shape<2, 2, 3>>(c, y, x)] = float(100 * c + 10 * y + x);
    h.loss();
    const float expected[12] = {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112};
    for (int e = 0; e < 12; ++e) CHECK(h.output()[e] == expected[e]);
}

TEST_CASE("Dropout keeps 1 - rate of the elements, scales them, and is the identity at inference", "[layers][dropout]") {
    using L = DropoutLayer<Flat<10000>, 1, 25, 100>;
    LayerHarness<L> h(1, 2, 5);
    for (int e = 0; e < 10000; ++e) h.input()[e] = 1.0f;
    h.set_training(true, 99);
    h.loss();
    int kept = 0;
    for (int e = 0; e < 10000; ++e) {
        const float v = h.output()[e];
        CHECK((v == 0.0f || v == Approx(1.0f / 0.75f)));
        kept += v != 0.0f;
    }
    CHECK(kept > 7300);
    CHECK(kept < 7700);
    h.set_training(false, 99);
    h.loss();
    for (int e = 0; e < 10000; ++e) REQUIRE(h.output()[e] == 1.0f);
}
