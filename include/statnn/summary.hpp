// statnn/summary.hpp — the architecture table and the memory plan of a network.
//
// The first table has the columns of the Keras tutorial's printout (OPERATION,
// DATA DIMENSIONS, WEIGHTS(N), WEIGHTS(%)): one row per operation, one per data shape.
// The second gives every byte of the arena, which is known at compile time, and which
// layers, if any, run a scalar reference kernel where vector kernels are built in.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#include "statnn/config.hpp"
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "statnn/network.hpp"
#include "statnn/simd_width.hpp"

namespace statnn {

// 1234567 -> "1,234,567"
inline std::string with_commas(unsigned long long v) {
    std::string digits = std::to_string(v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

namespace detail {

// The Keras tutorial's glyphs; operations it has none for share one.
constexpr const char* operation_glyph(Operation operation) {
    switch (operation) {
    case Operation::Convolution: return " \\|/ ";
    case Operation::Dropout: return " | ||";
    case Operation::MaxPooling: return "Y max";
    case Operation::Flatten: return "|||||";
    case Operation::Dense: return "XXXXX";
    case Operation::Add: return "  +  ";
    case Operation::FrozenConvolution:
    case Operation::AveragePooling:
    case Operation::Normalization:
    case Operation::Activation:
    case Operation::Scale:
    case Operation::Softmax: return " ~~~ ";
    }
    return " ~~~ ";
}

template <class S>
void print_data_row(std::FILE* out, const char* label) {
    if constexpr (S::is_flat)
        std::fprintf(out, "%20s   #####   %12d\n", label, S::C);
    else
        std::fprintf(out, "%20s   #####   %4d %4d %4d\n", label, S::C, S::H, S::W);
}

template <class Net, std::size_t K>
void print_layer_rows(std::FILE* out, double total) {
    using L = typename Net::template LayerAt<K>;
    const std::size_t n = L::kKernelSize + L::kBiasSize;
    std::fprintf(out, "%20s   %s -------------------%10s %9.1f%%\n", L::kind, operation_glyph(L::kOperation),
                 with_commas(n).c_str(), total > 0 ? 100.0 * double(n) / total : 0.0);
    print_data_row<typename L::Out>(out, std::strcmp(L::activation, "linear") ? L::activation : "");
}

template <class Net, std::size_t... K>
void print_all_layer_rows(std::FILE* out, double total, std::index_sequence<K...>) {
    (print_layer_rows<Net, K>(out, total), ...);
}

// Whether every kernel a layer runs is a vector kernel in this build, as its kernel
// families' dispatchers say for its shape; Backward: it computes its parameter gradients,
// InputGrad: its input's gradient. Layers without a choice between a vector and a
// reference kernel have nothing to report: Flatten, Scale, PatchWhitening's own loops,
// and Softmax, whose family is scalar by design (dispatch.hpp).
template <class Layer, bool Backward, bool InputGrad>
struct LayerRunsSimd : std::true_type {};

template <class In, int N, int F, int K, Padding Pad, class Act, bool Backward, bool InputGrad>
struct LayerRunsSimd<Conv2DLayer<In, N, F, K, Pad, Act>, Backward, InputGrad> {
    using L = Conv2DLayer<In, N, F, K, Pad, Act>;
    using ParamGrad = kernels::Conv2DParamGrad<L::Hp, L::Wp, L::C, K, F, L::Wq>;
    static constexpr bool value =
        L::Forward::kRunsSimd && (!InputGrad || L::InputGrad::kRunsSimd) && (!Backward || ParamGrad::kRunsSimd);
};

template <class In, int N, int F, int K, int S, int P, class Act, class Bias, class Init, bool Backward, bool InputGrad>
struct LayerRunsSimd<Conv2DStridedLayer<In, N, F, K, S, P, Act, Bias, Init>, Backward, InputGrad> {
    using Kern = typename Conv2DStridedLayer<In, N, F, K, S, P, Act, Bias, Init>::Kern;
    static constexpr bool value = Kern::kForwardRunsSimd && (!InputGrad || Kern::kInputGradRunsSimd) &&
                                  (!Backward || Kern::Weights::kRunsSimd);
};

template <class In, int N, int Units, class Act, class Constraint, bool Backward, bool InputGrad>
struct LayerRunsSimd<DenseLayer<In, N, Units, Act, Constraint>, Backward, InputGrad> {
    using L = DenseLayer<In, N, Units, Act, Constraint>;
    static constexpr bool value =
        L::Kernels::kRunsSimd && (!L::kHasConstraint || kernels::MaxNormConstraint<L::I, Units>::kRunsSimd);
};

template <class In, int N, int P, bool Backward, bool InputGrad>
struct LayerRunsSimd<MaxPooling2DLayer<In, N, P>, Backward, InputGrad>
    : std::bool_constant<kernels::maxpool_runs_simd<In::C>> {};

template <class In, int N, class Config, bool Backward, bool InputGrad>
struct LayerRunsSimd<BatchNormLayer<In, N, Config>, Backward, InputGrad>
    : std::bool_constant<BatchNormLayer<In, N, Config>::Kernels::kRunsSimd> {};

template <class In, int N, int K, int S, bool Backward, bool InputGrad>
struct LayerRunsSimd<AveragePooling2DLayer<In, N, K, S>, Backward, InputGrad>
    : std::bool_constant<kernels::kAvgpoolRunsSimd> {};

template <class In, int N, bool Backward, bool InputGrad>
struct LayerRunsSimd<GlobalAveragePooling2DLayer<In, N>, Backward, InputGrad>
    : std::bool_constant<kernels::kAvgpoolRunsSimd> {};

template <class In, int N, kernels::GeluForm Form, bool Backward, bool InputGrad>
struct LayerRunsSimd<GELULayer<In, N, Form>, Backward, InputGrad> : std::bool_constant<kernels::kGeluRunsSimd> {};

template <class In, int N, bool Backward, bool InputGrad>
struct LayerRunsSimd<ReLULayer<In, N>, Backward, InputGrad> : std::bool_constant<kernels::kEltwiseRunsSimd> {};

template <class In, int N, int Num, int Den, bool Backward, bool InputGrad>
struct LayerRunsSimd<DropoutLayer<In, N, Num, Den>, Backward, InputGrad>
    : std::bool_constant<kernels::kEltwiseRunsSimd> {};

template <class In, int N, int Span, bool Backward, bool InputGrad>
struct LayerRunsSimd<ResidualAddLayer<In, N, Span>, Backward, InputGrad>
    : std::bool_constant<kernels::kEltwiseRunsSimd> {};

// A Frozen<> layer runs its inner layer's forward pass only.
template <class Inner, bool Backward, bool InputGrad>
struct LayerRunsSimd<FrozenLayer<Inner>, Backward, InputGrad> : LayerRunsSimd<Inner, false, false> {};

// Layer K of Net as the network runs it: layers below the first trained one run forward only.
template <class Net, std::size_t K>
constexpr bool layer_runs_simd() {
    constexpr int k = int(K), first = Net::kFirstTrainedLayer;
    return LayerRunsSimd<typename Net::template LayerAt<K>, (k >= first), (k > first)>::value;
}

// The names of the layers that run a reference kernel, comma-separated ("" when none).
template <class Net, std::size_t... K>
std::string reference_kernel_layers(const Net& net, std::index_sequence<K...>) {
    std::string names;
    auto add = [&](const char* name) { names += (names.empty() ? "" : ", ") + std::string(name); };
    ((layer_runs_simd<Net, K>() ? void() : add(net.layer_name(int(K)))), ...);
    return names;
}

}  // namespace detail

// One line: which layers, if any, run a scalar reference kernel (a shape the vector
// kernels do not take); a build without SIMD runs the references everywhere.
template <class Net>
void print_kernel_choice(std::FILE* out, const Net& net) {
    if constexpr (!kHasSimd) {
        std::fprintf(out, "Kernels: the scalar references everywhere (a build without SIMD)\n");
    } else {
        const std::string names = detail::reference_kernel_layers(net, std::make_index_sequence<Net::kLayers>{});
        if (names.empty())
            std::fprintf(out, "Kernels: every layer runs a SIMD kernel\n");
        else
            std::fprintf(out, "Kernels: reference (scalar) kernels in %s\n", names.c_str());
    }
}

template <class Net>
void print_architecture(std::FILE* out) {
    std::fprintf(out, "%20s   %-25s%10s %10s\n\n", "OPERATION", "     DATA DIMENSIONS", "WEIGHTS(N)", "WEIGHTS(%)");
    detail::print_data_row<typename Net::InShape>(out, "Input");
    detail::print_all_layer_rows<Net>(out, double(Net::kParamCount + Net::kFrozenParamCount),
                                      std::make_index_sequence<Net::kLayers>{});
    if constexpr (Net::kFrozenParamCount > 0)
        std::fprintf(out, "\nTotal params: %s (%s trainable, %s frozen)\n",
                     with_commas(Net::kParamCount + Net::kFrozenParamCount).c_str(), with_commas(Net::kParamCount).c_str(),
                     with_commas(Net::kFrozenParamCount).c_str());
    else
        std::fprintf(out, "\nTotal params: %s (all trainable)\n", with_commas(Net::kParamCount).c_str());
    if constexpr (Net::kStateFloats > 0)
        std::fprintf(out, "Non-trainable state: %s floats (BatchNorm running statistics, frozen filters; with padding)\n",
                     with_commas(Net::kStateFloats).c_str());
    if constexpr (Net::kFirstTrainedLayer > 0)
        std::fprintf(out, "Frozen below layer %d: no backward pass through the first %d layers\n", Net::kFirstTrainedLayer + 1,
                     Net::kFirstTrainedLayer);
}

// The frozen weights, and the arena of the same network trained whole (without its Frozen<> marks).
template <class Net>
void print_unfrozen_arena(std::FILE* out) {
    constexpr std::size_t unfrozen =
        Network<UnfrozenArch<typename Net::Architecture>, Net::kBatch, Net::kOptimizerSlots>::kArenaBytes;
    std::fprintf(out, "  %-12s %14s  Frozen<> layers' weights, in the total; they have no grads or optimizer state\n",
                 "frozen", with_commas(Net::kPlan.frozen_bytes).c_str());
    std::fprintf(out, "  %-12s %14s  (%.1f MiB) the arena without the freeze, %.2fx this one\n", "unfrozen",
                 with_commas(unfrozen).c_str(), double(unfrozen) / (1024.0 * 1024.0), double(unfrozen) / double(Net::kArenaBytes));
}

template <class Net>
void print_memory_plan(std::FILE* out, Net& net) {
    constexpr auto& p = Net::kPlan;
    std::fprintf(out, "\nMemory plan, batch %d, bytes (one arena, allocated once):\n", Net::kBatch);
    std::fprintf(out, "  %-10s %12s %12s %12s %12s %12s\n", "LAYER", "OUTPUT", "PARAMS", "GRADS", "VELOCITY", "SAVED");
    std::fprintf(out, "  %-10s %12s\n", "input", with_commas(p.input_bytes).c_str());
    for (int k = 0; k < Net::kLayers; ++k) {
        const LayerPlan& l = p.layer[k];
        const std::size_t params = float_bytes(l.kernel_size) * (l.kernel_size > 0) + float_bytes(l.bias_size) * (l.bias_size > 0);
        const std::string outb = l.in_place ? std::string("(in place)") : with_commas(float_bytes(Net::kBatch * l.out_size));
        std::fprintf(out, "  %-10s %12s %12s %12s %12s %12s\n", net.layer_name(k), outb.c_str(),
                     with_commas(params).c_str(), with_commas(params).c_str(), with_commas(params).c_str(),
                     with_commas(l.saved_bytes).c_str());
    }
    auto region = [&](const char* name, std::size_t bytes, const char* what) {
        std::fprintf(out, "  %-12s %14s  %s\n", name, with_commas(bytes).c_str(), what);
    };
    std::fprintf(out, "\n");
    region("params", p.params_bytes, "weights and biases, 64-byte aligned tensors");
    region("grads", p.params_bytes, "d(loss)/d(parameter)");
    region("optimizer", Net::kOptimizerSlots * p.params_bytes,
           Net::kOptimizerSlots == 1 ? "optimizer state: one array like params (velocity, momentum)"
                                     : "optimizer state: one array like params per slot (Adam's two moments)");
    if (p.state_bytes > 0) region("state", p.state_bytes, "non-trainable: BatchNorm running statistics, frozen filters");
    region("activations", p.activations_bytes, "input batch and every layer output");
    region("saved", p.saved_bytes, "zero-padded conv inputs kept for the backward pass");
    region("scratch", p.scratch_bytes, "transient, shared by all layers");
    region("gradients", 2 * p.grad_bytes, "two ping-pong buffers for the backward pass");
    region("labels", p.labels_bytes, "int32 per image");
    std::fprintf(out, "  %-12s %14s  (%.1f MiB)\n", "arena total", with_commas(Net::kArenaBytes).c_str(),
                 double(Net::kArenaBytes) / (1024.0 * 1024.0));
    if constexpr (Net::kPlan.frozen_bytes > 0) print_unfrozen_arena<Net>(out);
    std::fprintf(out, "\nSIMD: %s, %zu float lane%s; threads: %d\n", simd_arch_name(), kFloatLanes,
                 kFloatLanes == 1 ? "" : "s", net.threads());
    if (const std::string note = narrow_build_note(); !note.empty()) std::fprintf(out, "%s\n", note.c_str());
    print_kernel_choice(out, net);
}

}  // namespace statnn
