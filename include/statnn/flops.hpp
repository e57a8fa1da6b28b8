// statnn/flops.hpp — floating-point work of a network, for FLOP/s figures.
//
// Multiply-adds of the convolution and dense layers only (a multiply-add = 2 FLOPs), as
// each layer states them (kMacs, kFrozenMacs: layers/layer.hpp), counted as the PyTorch
// peer script counts them: training = forward + kernel gradients + input gradients of
// every weighted layer but the first. A frozen layer (PatchWhitening: kFrozenMacs) counts
// in the forward pass only.
#pragma once

#include <cstdint>
#include <tuple>
#include <utility>

#include "statnn/layers/layer.hpp"

namespace statnn {

namespace detail {

// A layer's multiply-adds per image by trained weights (the per-layer profile reads them too).
template <class L>
constexpr std::uint64_t layer_macs() {
    static_assert(L::kMacs > 0 || L::kFrozenMacs > 0 || L::kKernelSize == 0 ||
                      (L::kOperation != Operation::Convolution && L::kOperation != Operation::Dense),
                  "flops: a convolution or dense layer states its multiply-adds per image (kMacs)");
    return L::kMacs;
}

template <class Net, std::size_t... K>
constexpr std::uint64_t trained_macs(std::index_sequence<K...>) {
    return (layer_macs<typename Net::template LayerAt<K>>() + ... + 0);
}

template <class Net, std::size_t... K>
constexpr std::uint64_t forward_macs(std::index_sequence<K...>) {
    return trained_macs<Net>(std::index_sequence<K...>{}) + (Net::template LayerAt<K>::kFrozenMacs + ... + 0);
}

template <class Net, std::size_t K = 0>
constexpr std::uint64_t first_layer_macs() {
    if constexpr (K >= std::size_t(Net::kLayers))
        return 0;
    else if constexpr (layer_macs<typename Net::template LayerAt<K>>() > 0)
        return layer_macs<typename Net::template LayerAt<K>>();
    else
        return first_layer_macs<Net, K + 1>();
}

}  // namespace detail

template <class Net>
constexpr std::uint64_t forward_flops_per_image() {
    return 2 * detail::forward_macs<Net>(std::make_index_sequence<Net::kLayers>{});
}

template <class Net>
constexpr std::uint64_t training_flops_per_image() {
    const std::uint64_t fwd = detail::forward_macs<Net>(std::make_index_sequence<Net::kLayers>{});
    const std::uint64_t trained = detail::trained_macs<Net>(std::make_index_sequence<Net::kLayers>{});
    return 2 * (fwd + trained + (trained - detail::first_layer_macs<Net>()));
}

}  // namespace statnn
