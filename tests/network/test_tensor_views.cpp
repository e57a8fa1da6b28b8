// tests/network/test_tensor_views.cpp — a network's tensors by name as xtensor views over
// its arena (statnn/tensor_views.hpp): shapes, reads and writes reaching the network,
// gradients, state, activations, copying weights between networks, and bad names.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "catch.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/network.hpp"
#include "statnn/tensor_views.hpp"

using namespace statnn;

namespace {

using Small = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, BatchNorm<>, MaxPooling2D<2>, Flatten, Dense<12, ReLU>,
                         Dense<10>, Softmax>;
using Net = Network<Small, 3>;

template <class View>
std::vector<std::size_t> shape_of(const View& v) {
    return std::vector<std::size_t>(v.shape().begin(), v.shape().end());
}

template <class View>
const float* first(const View& v) {
    return v.data() + v.data_offset();
}

void fill(Net& net, std::uint64_t seed) {
    Rng rng(seed);
    for (std::size_t e = 0; e < 3 * Net::InShape::size; ++e) net.input()[e] = rng.uniform(-1.0f, 1.0f);
    for (int r = 0; r < 3; ++r) net.labels()[r] = r;
}

}  // namespace

TEST_CASE("tensor views: names, shapes, and writes that reach the network", "[network][tensors]") {
    auto net = std::make_unique<Net>(1);
    CHECK(tensor_names(*net) == std::vector<std::string>{"conv1.kernel", "conv1.bias", "bn1.gamma", "bn1.beta",
                                                          "bn1.running_mean", "bn1.running_var", "dense1.kernel",
                                                          "dense1.bias", "dense2.kernel", "dense2.bias"});
    auto w = tensor(*net, "conv1.kernel");
    CHECK(shape_of(w) == std::vector<std::size_t>{3, 3, 3, 4});
    CHECK(shape_of(tensor(*net, "dense1.kernel")) == std::vector<std::size_t>{4 * 4 * 4, 12});
    CHECK(shape_of(tensor(*net, "bn1.running_var")) == std::vector<std::size_t>{4});
    CHECK(first(w) >= net->params());
    CHECK(first(w) < net->params() + Net::kParamFloats);

    // Element (kh, kw, in, out) is the Keras layout's: kernel[((kh * 3 + kw) * 3 + in) * 4 + out].
    CHECK(w(1, 2, 0, 3) == first(w)[((1 * 3 + 2) * 3 + 0) * 4 + 3]);
    double sum_sq = 0;
    for (std::size_t e = 0; e < w.size(); ++e) sum_sq += double(first(w)[e]) * first(w)[e];
    CHECK(double(xt::sum(w * w)()) == Approx(sum_sq).epsilon(1e-6));

    // A write through the view is a write to the network: its output changes.
    fill(*net, 2);
    net->forward(3, false);
    const std::vector<float> before(net->probabilities(), net->probabilities() + 30);
    auto bias = tensor(*net, "dense2.bias");
    bias(7) = 3.0f;
    net->forward(3, false);
    CHECK(net->probabilities()[7] > before[7]);
    CHECK(tensor(*net, "dense2.bias")(7) == 3.0f);
    auto mean = tensor(*net, "bn1.running_mean");
    CHECK(xt::all(xt::equal(mean, 0.0f)));
    CHECK(xt::all(xt::equal(tensor(*net, "bn1.running_var"), 1.0f)));
}

TEST_CASE("tensor views: gradients and velocity at the parameter's place", "[network][tensors]") {
    auto net = std::make_unique<Net>(3);
    fill(*net, 4);
    net->forward(3, true, 0);
    net->backward(3, 0);
    auto g = tensor(*net, "dense1.kernel", Part::Gradient);
    auto w = tensor(*net, "dense1.kernel");
    CHECK(shape_of(g) == shape_of(w));
    CHECK(first(g) - net->grads() == first(w) - net->params());
    CHECK(double(xt::sum(xt::abs(g))()) > 0.0);
    CHECK(first(tensor(*net, "dense1.kernel", Part::Velocity)) - net->velocity() == first(w) - net->params());
    CHECK_THROWS_WITH(tensor(*net, "bn1.running_mean", Part::Gradient),
                      "tensor 'bn1.running_mean' is state: it has no gradient or velocity");
}

TEST_CASE("tensor views: copying every tensor moves a trained network into another", "[network][tensors]") {
    auto a = std::make_unique<Net>(5), b = std::make_unique<Net>(6);
    fill(*a, 7);
    a->forward(3, true, 0);  // moves the running statistics
    for (const auto& name : tensor_names(*a)) tensor(*b, name) = tensor(*a, name);
    // A named view assigned from another copies values too; it does not start pointing elsewhere.
    auto to = tensor(*b, "conv1.bias");
    const auto from = tensor(*a, "conv1.bias");
    to = from;
    CHECK(first(to) != first(from));
    std::copy(a->input(), a->input() + 3 * Net::InShape::size, b->input());
    a->forward(3, false);
    b->forward(3, false);
    CHECK(std::equal(a->probabilities(), a->probabilities() + 30, b->probabilities()));
}

TEST_CASE("tensor views: activations, channels last, by index or layer name", "[network][tensors]") {
    auto net = std::make_unique<Net>(8);
    fill(*net, 9);
    net->forward(3, false);
    auto conv = activation(*net, "conv1");
    CHECK(shape_of(conv) == std::vector<std::size_t>{3, 8, 8, 4});
    CHECK(conv(2, 5, 6, 1) == net->activation(0)[2 * 256 + (5 * 8 + 6) * 4 + 1]);
    CHECK(xt::all(conv >= 0.0f));  // the fused ReLU
    auto probs = activation(*net, Net::kLayers - 1);
    CHECK(shape_of(probs) == std::vector<std::size_t>{3, 10});
    for (int r = 0; r < 3; ++r) CHECK(double(xt::sum(xt::view(probs, r, xt::all()))()) == Approx(1.0).epsilon(1e-5));
    CHECK(shape_of(activation(*net, "flatten1")) == std::vector<std::size_t>{3, 64});
}

TEST_CASE("tensor views: a name the network does not have is one clear error", "[network][tensors]") {
    auto net = std::make_unique<Net>(1);
    CHECK_THROWS_WITH(tensor(*net, "conv9.kernel"),
                      Catch::StartsWith("no tensor 'conv9.kernel' in this network (it has: conv1.kernel, conv1.bias,"));
    CHECK_THROWS_WITH(activation(*net, "conv9"), "no layer 'conv9' in this network");
    CHECK_THROWS_WITH(activation(*net, 99), "no layer 99: the network has 7");
}
