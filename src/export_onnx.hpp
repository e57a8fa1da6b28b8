// src/export_onnx.hpp — a trained network as an ONNX model (opset 17, inference graph).
//
// Input "input": float [N, C, H, W], the network's Input<C, H, W>: an image's bytes / 255 in
// channels-first order (its planes: a record's own order, e.g. a CIFAR-10 record's R, G, B
// planes of 32 x 32); output "probabilities": float [N, classes].
// Weights are initializers in ONNX's layouts (convolutions OIHW, transposed from statnn's
// HWIO; dense layers as Gemm with B = statnn's (in, out) kernel). Flatten is ONNX's
// channels-first Flatten, which is statnn's (Keras channels_first) order; dropout is left
// out (evaluation); GELU, absent from opset 17, is written with Erf (or Tanh) and arithmetic.
//
// The protobuf wire format is written by hand (varints and length-delimited fields), so the
// export needs no protobuf library.
//
// The nodes of each layer type are one entry of the Nodes table below. model() on a network
// with a layer that has no entry does not compile; kSupports<Net> tells a caller that must
// compile for every network whether it may call it.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "export_c.hpp"  // the layer types it includes; first_layer_without, kind_of_layer

namespace statnn::export_onnx {

// One protobuf message being written.
class Message {
public:
    void varint_field(int field, std::uint64_t v) {
        key(field, 0);
        varint(v);
    }
    void float_field(int field, float f) {
        key(field, 5);
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int i = 0; i < 4; ++i) bytes_ += char((bits >> (8 * i)) & 0xFF);
    }
    void bytes_field(int field, const std::string& b) {
        key(field, 2);
        varint(b.size());
        bytes_ += b;
    }
    void message_field(int field, const Message& m) { bytes_field(field, m.bytes_); }
    const std::string& bytes() const { return bytes_; }

private:
    void key(int field, int wire) { varint(std::uint64_t(field) << 3 | std::uint64_t(wire)); }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            bytes_ += char((v & 0x7F) | 0x80);
            v >>= 7;
        }
        bytes_ += char(v);
    }
    std::string bytes_;
};

namespace detail {

// ONNX field numbers (onnx.proto) and enum values used here.
enum : int { kFloat = 1, kAttrFloat = 1, kAttrInt = 2, kAttrInts = 7 };

// The graph being built: nodes, initializers, and fresh value names.
class Graph {
public:
    // A float initializer of the given shape (little-endian raw data).
    std::string constant(const std::string& name, const std::vector<std::int64_t>& dims, const float* data) {
        std::size_t count = 1;
        for (auto d : dims) count *= std::size_t(d);
        Message t;
        for (auto d : dims) t.varint_field(1, std::uint64_t(d));
        t.varint_field(2, kFloat);
        t.bytes_field(8, name);
        t.bytes_field(9, std::string(reinterpret_cast<const char*>(data), count * sizeof(float)));
        graph_.message_field(5, t);
        return name;
    }
    std::string scalar(const std::string& name, float v) { return constant(name, {}, &v); }

    struct Attribute {
        const char* name;
        int type;
        std::vector<std::int64_t> ints;
        float f = 0;
    };

    // A node of `op` on `inputs`; returns the name of its output.
    std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                     const std::vector<Attribute>& attributes = {}) {
        Message n;
        for (const auto& in : inputs) n.bytes_field(1, in);
        n.bytes_field(2, output);
        n.bytes_field(3, output);
        n.bytes_field(4, op);
        for (const auto& a : attributes) {
            Message m;
            m.bytes_field(1, a.name);
            if (a.type == kAttrFloat) m.float_field(2, a.f);
            if (a.type == kAttrInt) m.varint_field(3, std::uint64_t(a.ints.at(0)));
            if (a.type == kAttrInts)
                for (auto v : a.ints) m.varint_field(8, std::uint64_t(v));
            m.varint_field(20, std::uint64_t(a.type));
            n.message_field(5, m);
        }
        graph_.message_field(1, n);
        return output;
    }

    // A float tensor of shape [N, dims...] (N: the batch, symbolic) as graph input or output.
    static Message value_info(const std::string& name, const std::vector<std::int64_t>& dims) {
        Message shape;
        Message batch;
        batch.bytes_field(2, "N");
        shape.message_field(1, batch);
        for (auto d : dims) {
            Message dim;
            dim.varint_field(1, std::uint64_t(d));
            shape.message_field(1, dim);
        }
        Message tensor;
        tensor.varint_field(1, kFloat);
        tensor.message_field(2, shape);
        Message type;
        type.message_field(1, tensor);
        Message info;
        info.bytes_field(1, name);
        info.message_field(2, type);
        return info;
    }

    Message& message() { return graph_; }

private:
    Message graph_;
};

// GELU (erf form) or its tanh approximation from opset-17 operators.
inline std::string gelu(Graph& g, const std::string& x, const std::string& name, bool tanh_form) {
    const std::string half = g.scalar(name + "_half", 0.5f), one = g.scalar(name + "_one", 1.0f);
    std::string inner;
    if (!tanh_form) {
        const std::string r = g.scalar(name + "_inv_sqrt2", 0.70710678118654752f);
        inner = g.node("Erf", {g.node("Mul", {x, r}, name + "_scaled")}, name + "_erf");
    } else {
        const std::string k = g.scalar(name + "_k", 0.79788456080286536f), c = g.scalar(name + "_c", 0.044715f);
        const std::string x3 = g.node("Mul", {g.node("Mul", {x, x}, name + "_x2"), x}, name + "_x3");
        const std::string u = g.node("Mul", {g.node("Add", {x, g.node("Mul", {x3, c}, name + "_cx3")}, name + "_sum"), k},
                                     name + "_u");
        inner = g.node("Tanh", {u}, name + "_tanh");
    }
    const std::string factor = g.node("Add", {inner, one}, name + "_1p");
    return g.node("Mul", {g.node("Mul", {x, factor}, name + "_xf"), half}, name);
}

// The nodes of an activation fused into a weighted layer, after x.
template <class Act>
std::string activation(Graph& g, const std::string& x, const std::string& name) {
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU> || is_gelu<Act>,
                  "the ONNX export has no form for this activation: add it to activation() in src/export_onnx.hpp");
    if constexpr (std::is_same_v<Act, ReLU>)
        return g.node("Relu", {x}, name);
    else if constexpr (is_gelu<Act>)
        return gelu(g, x, name, std::is_same_v<Act, GELUTanh>);
    else
        return x;
}

// statnn's conv kernel (kh, kw, in, out) as ONNX's (out, in, kh, kw).
inline std::vector<float> oihw(const float* hwio, int k, int c, int f) {
    std::vector<float> w(std::size_t(k) * k * c * f);
    for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx)
            for (int ci = 0; ci < c; ++ci)
                for (int fo = 0; fo < f; ++fo)
                    w[((std::size_t(fo) * c + ci) * k + ky) * k + kx] = hwio[((std::size_t(ky) * k + kx) * c + ci) * f + fo];
    return w;
}

// Where a layer's nodes start: the value they read (x), the name of the layer, and for a
// residual block's end the value its block began with.
struct Step {
    std::string x, name, block_input;
};

template <class Act, class L>
std::string conv(Graph& g, const L& layer, const Step& s, int k, int stride, int pad, bool bias,
                 const float* kernel = nullptr) {
    constexpr int C = L::In::C, F = L::Out::C;
    const std::vector<float> w = oihw(kernel ? kernel : layer.kernel, k, C, F);
    std::vector<std::string> inputs = {s.x, g.constant(s.name + ".kernel", {F, C, k, k}, w.data())};
    if (bias) inputs.push_back(g.constant(s.name + ".bias", {F}, layer.bias));
    const std::string y = g.node("Conv", inputs, s.name + "_conv",
                                 {{"kernel_shape", kAttrInts, {k, k}},
                                  {"strides", kAttrInts, {stride, stride}},
                                  {"pads", kAttrInts, {pad, pad, pad, pad}}});
    return activation<Act>(g, y, s.name);
}

inline std::string pool(Graph& g, const Step& s, const char* op, int k, int stride) {
    return g.node(op, {s.x}, s.name, {{"kernel_shape", kAttrInts, {k, k}}, {"strides", kAttrInts, {stride, stride}}});
}

// The table: one entry per layer type, whose emit() adds the layer's node(s) and
// initializers and returns the name of its output (x itself for dropout). A layer type
// without an entry: model() does not compile.
template <class L>
struct Nodes;

template <class In, int B, int F, int K, Padding Pad, class Act>
struct Nodes<Conv2DLayer<In, B, F, K, Pad, Act>> {
    using L = Conv2DLayer<In, B, F, K, Pad, Act>;
    static std::string emit(Graph& g, const L& l, const Step& s) { return conv<Act>(g, l, s, K, 1, L::P, true); }
};

template <class In, int B, int F, int K, int S, int P, class Act, class Bias, class Init>
struct Nodes<Conv2DStridedLayer<In, B, F, K, S, P, Act, Bias, Init>> {
    using L = Conv2DStridedLayer<In, B, F, K, S, P, Act, Bias, Init>;
    static std::string emit(Graph& g, const L& l, const Step& s) { return conv<Act>(g, l, s, K, S, P, L::kBias); }
};

template <class In, int B, class Config>
struct Nodes<PatchWhiteningLayer<In, B, Config>> {  // a convolution with its frozen kernel
    using L = PatchWhiteningLayer<In, B, Config>;
    static std::string emit(Graph& g, const L& l, const Step& s) {
        return conv<Linear>(g, l, s, L::P, 1, 0, false, l.filters());
    }
};

template <class In, int B, int P>
struct Nodes<MaxPooling2DLayer<In, B, P>> {
    static std::string emit(Graph& g, const MaxPooling2DLayer<In, B, P>&, const Step& s) {
        return pool(g, s, "MaxPool", P, P);
    }
};

template <class In, int B, int K, int S>
struct Nodes<AveragePooling2DLayer<In, B, K, S>> {
    static std::string emit(Graph& g, const AveragePooling2DLayer<In, B, K, S>&, const Step& s) {
        return pool(g, s, "AveragePool", K, S);
    }
};

template <class In, int B>
struct Nodes<GlobalAveragePooling2DLayer<In, B>> {  // statnn's output is flat: [N, C]
    static std::string emit(Graph& g, const GlobalAveragePooling2DLayer<In, B>&, const Step& s) {
        return g.node("Flatten", {g.node("GlobalAveragePool", {s.x}, s.name + "_pool")}, s.name, {{"axis", kAttrInt, {1}}});
    }
};

template <class In, int B, class Config>
struct Nodes<BatchNormLayer<In, B, Config>> {
    static std::string emit(Graph& g, const BatchNormLayer<In, B, Config>& l, const Step& s) {
        constexpr int C = In::C;
        std::vector<float> ones(C, 1.0f), zeros(C, 0.0f);
        const bool affine = Config::affine != BatchNormAffine::None;
        const std::string scale = g.constant(s.name + ".gamma", {C}, affine ? l.kernel : ones.data());
        const std::string shift = g.constant(s.name + ".beta", {C}, affine ? l.bias : zeros.data());
        const std::string mean = g.constant(s.name + ".running_mean", {C}, l.running_mean());
        const std::string var = g.constant(s.name + ".running_var", {C}, l.running_var());
        Graph::Attribute eps{"epsilon", kAttrFloat, {}, Config::eps};
        return g.node("BatchNormalization", {s.x, scale, shift, mean, var}, s.name, {eps});
    }
};

template <class In, int B>
struct Nodes<ReLULayer<In, B>> {
    static std::string emit(Graph& g, const ReLULayer<In, B>&, const Step& s) { return activation<ReLU>(g, s.x, s.name); }
};

template <class In, int B, kernels::GeluForm Form>
struct Nodes<GELULayer<In, B, Form>> {
    static std::string emit(Graph& g, const GELULayer<In, B, Form>&, const Step& s) {
        return gelu(g, s.x, s.name, Form != kernels::GeluForm::Erf);
    }
};

template <class In, int B, int Num, int Den>
struct Nodes<ScaleLayer<In, B, Num, Den>> {
    static std::string emit(Graph& g, const ScaleLayer<In, B, Num, Den>&, const Step& s) {
        const float factor = ScaleLayer<In, B, Num, Den>::kFactor;
        return g.node("Mul", {s.x, g.constant(s.name + ".factor", {1}, &factor)}, s.name);
    }
};

template <class In, int B, int Num, int Den>
struct Nodes<DropoutLayer<In, B, Num, Den>> {  // evaluation: the identity
    static std::string emit(Graph&, const DropoutLayer<In, B, Num, Den>&, const Step& s) { return s.x; }
};

template <class In, int B>
struct Nodes<FlattenLayer<In, B>> {
    static std::string emit(Graph& g, const FlattenLayer<In, B>&, const Step& s) {
        // Always: a 1x1 map (after a pool to one pixel) is flat in statnn's memory but still
        // rank 4 in the graph, and Gemm wants rank 2. On a rank-2 tensor it is the identity.
        return g.node("Flatten", {s.x}, s.name, {{"axis", kAttrInt, {1}}});
    }
};

template <class In, int B, int Units, class Act, class Constraint>
struct Nodes<DenseLayer<In, B, Units, Act, Constraint>> {
    static std::string emit(Graph& g, const DenseLayer<In, B, Units, Act, Constraint>& l, const Step& s) {
        const std::string w = g.constant(s.name + ".kernel", {In::C, Units}, l.kernel);
        const std::string b = g.constant(s.name + ".bias", {Units}, l.bias);
        return activation<Act>(g, g.node("Gemm", {s.x, w, b}, s.name + "_gemm"), s.name);
    }
};

template <class In, int B, int Span>
struct Nodes<ResidualAddLayer<In, B, Span>> {
    static std::string emit(Graph& g, const ResidualAddLayer<In, B, Span>&, const Step& s) {
        return g.node("Add", {s.x, s.block_input}, s.name);
    }
};

template <class In, int B>
struct Nodes<SoftmaxLayer<In, B>> {
    static std::string emit(Graph& g, const SoftmaxLayer<In, B>&, const Step& s) {
        return g.node("Softmax", {s.x}, "probabilities", {{"axis", kAttrInt, {1}}});
    }
};

// A Frozen<> layer computes as its inner layer does at inference.
template <class Inner>
struct Nodes<FrozenLayer<Inner>> {
    static std::string emit(Graph& g, const FrozenLayer<Inner>& l, const Step& s) { return Nodes<Inner>::emit(g, l, s); }
};

template <class L, class = void>
struct has_nodes : std::false_type {};
template <class L>
struct has_nodes<L, std::void_t<decltype(&Nodes<L>::emit)>> : std::true_type {};

// Instantiated with the layer type, so the compiler's note under the message names it.
template <class L>
struct NodesFor {
    static_assert(has_nodes<L>::value,
                  "the ONNX export has no form for this layer: add its entry to Nodes in src/export_onnx.hpp "
                  "(docs/extending.md)");
    static constexpr bool value = has_nodes<L>::value;
};

// The graph's input, normalised as the network's training normalised its images: a Sub and
// a Div by constants of one value per channel (checked by model()).
inline std::string normalized_input(Graph& g, const data::Normalization& normalization, int channels) {
    if (!normalization.enabled) return "input";
    const std::vector<std::int64_t> dims = {1, channels, 1, 1};
    return g.node("Div", {g.node("Sub", {"input", g.constant("mean", dims, normalization.mean)}, "centred"),
                          g.constant("stddev", dims, normalization.stddev)},
                  "normalised");
}

// The model around a finished graph: its inputs and outputs, the opset, the producer.
template <class Net>
std::string model_bytes(Graph& g, const std::string& name) {
    using In = typename Net::InShape;
    g.message().bytes_field(2, name);
    g.message().message_field(11, Graph::value_info("input", {In::C, In::H, In::W}));
    g.message().message_field(12, Graph::value_info("probabilities", {Net::kClasses}));
    Message opset;
    opset.bytes_field(1, "");
    opset.varint_field(2, 17);
    Message m;
    m.varint_field(1, 8);  // IR version 8 (ONNX 1.10 and later)
    m.bytes_field(2, "statnn");
    m.bytes_field(3, kVersion);
    m.message_field(7, g.message());
    m.message_field(8, opset);
    return m.bytes();
}

}  // namespace detail

// The index of Net's first layer the ONNX export has no form for; -1 when it has all.
template <class Net>
inline constexpr int kFirstUnsupportedLayer =
    export_c::detail::first_layer_without<Net, detail::has_nodes>(std::make_index_sequence<Net::kLayers>{});
// Whether model() compiles for Net; the program checks it before calling model().
template <class Net>
inline constexpr bool kSupports = kFirstUnsupportedLayer<Net> < 0;
// The kind of that layer (e.g. "Conv2D"); "" when kSupports<Net>.
template <class Net>
inline constexpr const char* kUnsupportedKind =
    export_c::detail::kind_of_layer<Net>(kFirstUnsupportedLayer<Net>, std::make_index_sequence<Net::kLayers>{});

// The ONNX model of `net`'s current weights and state, serialised. Compiles only for a
// network whose every layer has an entry in Nodes (kSupports<Net>). Throws
// std::invalid_argument for a normalisation that is not one of the network's channels.
template <class Net>
std::string model(Net& net, const std::string& name, const data::Normalization& normalization) {
    using namespace detail;
    data::check_normalization(normalization, Net::InShape::C);
    Graph g;
    std::string x = normalized_input(g, normalization, Net::InShape::C);
    std::vector<std::string> layer_input(std::size_t(Net::kLayers));  // a residual block's end reads its block's input
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        (void)NodesFor<L>::value;
        layer_input[std::size_t(k)] = x;
        if constexpr (has_nodes<L>::value) {
            Step s{x, net.layer_name(int(k)), ""};
            if constexpr (statnn::detail::skip_span<L>::value > 0)
                s.block_input = layer_input[std::size_t(k - L::kSkipSpan)];
            x = Nodes<L>::emit(g, layer, s);
        }
    });
    return model_bytes<Net>(g, name);
}

}  // namespace statnn::export_onnx
