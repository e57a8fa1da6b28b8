// tests/support/layer_view.hpp — a run-time description of every layer of a network,
// so tests can look layers up by name and compare them with a manifest.
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace statnn::test {

struct LayerView {
    int index = 0;
    std::string name, kind;
    int kernel_rank = 0;
    int kernel_dims[4] = {0, 0, 0, 0};
    std::size_t kernel_size = 0, bias_size = 0;
    float *kernel = nullptr, *bias = nullptr, *dkernel = nullptr, *dbias = nullptr;
    int out_c = 0, out_h = 0, out_w = 0;
    bool out_flat = false;
    int padding = -1;        // conv: input padding per side
    int pool = 0;            // max pooling window
    float dropout_rate = -1; // dropout
    float max_norm = 0;      // dense: max-norm limit, 0 = none
};

template <class L, class = void> struct has_pad : std::false_type {};
template <class L> struct has_pad<L, std::void_t<decltype(L::P)>> : std::true_type {};
template <class L, class = void> struct has_pool : std::false_type {};
template <class L> struct has_pool<L, std::void_t<decltype(L::kPool)>> : std::true_type {};
template <class L, class = void> struct has_rate : std::false_type {};
template <class L> struct has_rate<L, std::void_t<decltype(L::rate)>> : std::true_type {};
template <class L, class = void> struct has_max_norm : std::false_type {};
template <class L> struct has_max_norm<L, std::void_t<decltype(L::max_norm_value())>> : std::true_type {};

template <class Net>
std::vector<LayerView> describe_layers(Net& net) {
    std::vector<LayerView> views;
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        LayerView v;
        v.index = int(k);
        v.name = net.layer_name(int(k));
        v.kind = L::kind;
        v.kernel_rank = L::kKernelRank;
        for (int d = 0; d < 4; ++d) v.kernel_dims[d] = L::kKernelDims[d];
        v.kernel_size = L::kKernelSize;
        v.bias_size = L::kBiasSize;
        v.kernel = layer.kernel;
        v.bias = layer.bias;
        v.dkernel = layer.dkernel;
        v.dbias = layer.dbias;
        v.out_c = L::Out::C;
        v.out_h = L::Out::H;
        v.out_w = L::Out::W;
        v.out_flat = L::Out::is_flat;
        if constexpr (has_pad<L>::value) v.padding = L::P;
        if constexpr (has_pool<L>::value) v.pool = L::kPool;
        if constexpr (has_rate<L>::value) v.dropout_rate = L::rate;
        if constexpr (has_max_norm<L>::value) v.max_norm = L::max_norm_value();
        views.push_back(v);
    });
    return views;
}

inline const LayerView* find_layer(const std::vector<LayerView>& views, const std::string& name) {
    for (const auto& v : views)
        if (v.name == name) return &v;
    return nullptr;
}

}  // namespace statnn::test
