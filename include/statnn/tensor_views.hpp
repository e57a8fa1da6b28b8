// statnn/tensor_views.hpp — a network's tensors as xtensor views over its arena: no copy,
// shapes from the layers' types, reads and writes go to the network itself.
//
//   auto w = statnn::tensor(net, "conv1.kernel");                      // (3, 3, 3, 32), Keras HWIO
//   auto g = statnn::tensor(net, "conv1.kernel", statnn::Part::Gradient);
//   double norm = xt::sum(w * w)();                                   // any xtensor expression
//   statnn::tensor(other, "dense1.kernel") = statnn::tensor(net, "dense1.kernel");  // copies the values
//   auto a = statnn::activation(net, "conv1");                        // (batch, H, W, C): channels last
//
// Names are those of checkpoints (statnn/tensors.hpp). Looking a tensor up allocates (its
// name and shape); do it outside the training step, then use the view as long as the
// network lives. Needs xtensor (Debian: libxtensor-dev), which the rest of statnn does not.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xstrided_view.hpp>

#include "statnn/tensors.hpp"

namespace statnn {

// Which array of a parameter: its value, its gradient (after backward) or its SGD velocity.
// State tensors have a value only.
enum class Part { Value, Gradient, Velocity };

namespace detail {

// A strided view over a non-owning adaptor, not the adaptor itself: assigning one
// adaptor to another rebinds its pointer, assigning views copies the values, which is
// what `tensor(b, n) = tensor(a, n)` must do. (The pointer goes in as an rvalue: given
// an lvalue, xt::adapt keeps a reference to the variable.)
inline auto view_of(float* data, std::vector<std::size_t> shape) {
    std::size_t size = 1;
    for (std::size_t d : shape) size *= d;
    return xt::strided_view(xt::adapt(static_cast<float*>(data), size, xt::no_ownership(), std::move(shape)),
                            xt::xstrided_slice_vector{});
}

}  // namespace detail

// The names of every parameter and state tensor, in checkpoint order.
template <class Net>
std::vector<std::string> tensor_names(Net& net) {
    std::vector<std::string> names;
    for_each_tensor(net, [&](const std::string& name, auto&&...) { names.push_back(name); });
    return names;
}

// A parameter or state tensor by name ("conv1.kernel", "bn1.running_mean"). Throws
// std::invalid_argument naming the tensor when there is no such one, or when a part other
// than the value of a state tensor is asked for.
template <class Net>
auto tensor(Net& net, const std::string& name, Part part = Part::Value) {
    float* data = nullptr;
    std::vector<std::size_t> shape;
    bool found = false;
    for_each_tensor(net, [&](const std::string& n, const std::vector<std::uint32_t>& dims, float* values, std::size_t,
                             TensorRole role, std::size_t offset) {
        if (found || n != name) return;
        found = true;
        if (role != TensorRole::Parameter && part != Part::Value)
            throw std::invalid_argument("tensor '" + name + "' is " +
                                        (role == TensorRole::State ? "state" : "a frozen layer's") +
                                        ": it has no gradient or velocity");
        data = part == Part::Value ? values : part == Part::Gradient ? net.grads() + offset : net.velocity() + offset;
        shape.assign(dims.begin(), dims.end());
    });
    if (!found) {
        std::string all;
        for (const auto& n : tensor_names(net)) all += (all.empty() ? "" : ", ") + n;
        throw std::invalid_argument("no tensor '" + name + "' in this network (it has: " + all + ")");
    }
    return detail::view_of(data, std::move(shape));
}

// The output of layer k for the whole batch after the last forward pass, channels last:
// (batch, H, W, C), or (batch, C) after Flatten, global pooling and dense layers. A layer
// working in place (ReLU, Dropout) shares its input's buffer, so the view of the layer
// before it shows the activated values.
template <class Net>
auto activation(Net& net, int k) {
    if (k < 0 || k >= Net::kLayers)
        throw std::invalid_argument("no layer " + std::to_string(k) + ": the network has " + std::to_string(Net::kLayers));
    std::vector<std::size_t> shape;
    net.visit([&](auto i, auto& layer) {
        using Out = typename std::decay_t<decltype(layer)>::Out;
        if (int(i) != k) return;
        if constexpr (Out::is_flat)
            shape = {std::size_t(Net::kBatch), std::size_t(Out::C)};
        else
            shape = {std::size_t(Net::kBatch), std::size_t(Out::H), std::size_t(Out::W), std::size_t(Out::C)};
    });
    return detail::view_of(net.activation(k), std::move(shape));
}

// The same by the layer's name ("conv1", "dense2").
template <class Net>
auto activation(Net& net, const std::string& layer) {
    for (int k = 0; k < Net::kLayers; ++k)
        if (layer == net.layer_name(k)) return activation(net, k);
    throw std::invalid_argument("no layer '" + layer + "' in this network");
}

}  // namespace statnn
