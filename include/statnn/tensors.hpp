// statnn/tensors.hpp — a network's named tensors: every parameter and state tensor of
// every layer, described once from the layers' own constants.
//
//   conv1.kernel (3, 3, 3, 32)   conv1.bias (32)   bn1.gamma (C)   bn1.running_mean (C) ...
//
// Checkpoints, tensor views (tensor_views.hpp) and whatever else needs "all the weights
// by name" iterate this description instead of knowing the layers by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace statnn {

// A parameter is trained (it has a gradient and optimizer state at the same offset of
// grads() and each optimizer_state(slot)); state is kept across steps without training (BatchNorm's
// running statistics); a frozen parameter is a Frozen<> layer's weight: named like a
// parameter, kept like state.
enum class TensorRole { Parameter, State, FrozenParameter };

// fn(name, dims, data, count, role, offset) for every parameter and state tensor, layer by
// layer: kernel, bias, then state. dims are the stored shape (Keras layouts: conv
// (kh, kw, in, out), dense (in, out)); offset is a parameter's index in params(), and so
// in grads() and optimizer_state(slot) (0 for state and frozen parameters).
template <class Net, class Fn>
void for_each_tensor(Net& net, Fn&& fn) {
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        const std::string name = net.layer_name(int(k));
        if constexpr (L::kKernelSize > 0) {
            std::vector<std::uint32_t> kdims;
            for (int d = 0; d < L::kKernelRank; ++d) kdims.push_back(std::uint32_t(L::kKernelDims[d]));
            constexpr TensorRole role = L::kFrozen ? TensorRole::FrozenParameter : TensorRole::Parameter;
            fn(name + "." + L::kKernelName, kdims, layer.kernel, std::size_t(L::kKernelSize), role,
               L::kFrozen ? std::size_t(0) : std::size_t(layer.kernel - net.params()));
            fn(name + "." + L::kBiasName, std::vector<std::uint32_t>{std::uint32_t(L::kBiasSize)}, layer.bias,
               std::size_t(L::kBiasSize), role, L::kFrozen ? std::size_t(0) : std::size_t(layer.bias - net.params()));
        }
        if constexpr (L::kStateTensors > 0) {
            constexpr std::size_t each = L::kStateFloats / L::kStateTensors;
            for (int t = 0; t < L::kStateTensors; ++t)
                fn(name + "." + L::kStateNames[t], std::vector<std::uint32_t>{std::uint32_t(each)}, layer.state + t * each,
                   each, TensorRole::State, std::size_t(0));
        }
    });
}

struct TensorCounts {
    std::size_t tensors = 0, parameters = 0;  // all tensors; those trained
};

template <class Net>
TensorCounts tensor_counts(Net& net) {
    TensorCounts c;
    for_each_tensor(net, [&](auto&&, auto&&, auto&&, auto&&, TensorRole role, auto&&) {
        ++c.tensors;
        c.parameters += role == TensorRole::Parameter;
    });
    return c;
}

}  // namespace statnn
