// src/export_c.hpp — a trained network as self-contained C99 inference source.
//
//   <model>.h   int <model>_infer(const uint8_t image[C*H*W], float probs[N], void *arena);
//               <MODEL>_ARENA_BYTES, <MODEL>_CLASSES; for an input other than 3 x 32 x 32
//               also <MODEL>_CHANNELS, <MODEL>_HEIGHT, <MODEL>_WIDTH
//   <model>.c   the weights as static const arrays (hexadecimal float literals: exact),
//               a handful of plain loops (convolution, pooling, dense, BatchNorm folded
//               for evaluation, activations, softmax), and the layer sequence.
//
// The image is the network's Input<C, H, W> as statnn's records hold it: C channel planes
// of H x W bytes (a CIFAR-10 record's pixels: R, G, B planes of 32 x 32); the function
// returns the top-1 class. A 3 x 32 x 32 export keeps the header it has always had, which
// names no shape macros. No heap, no threads, no globals written, nothing of libc but
// memset/memcpy; libm's expf (softmax) and erff/tanhf (GELU only). Activations are laid
// out as statnn lays them (channels last) and the weights in its Keras layouts, so the
// code is statnn's forward pass in evaluation mode, summed in another order: results
// equal statnn's to float rounding.
//
// The code of each layer type is one entry of the LayerCode table below. generate() on a
// network with a layer that has no entry does not compile; kSupports<Net> tells a caller
// that must compile for every network whether it may call it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "statnn/data/normalize.hpp"
#include "statnn/network.hpp"
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/patch_whitening.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "statnn/layers/residual.hpp"
#include "statnn/layers/scale.hpp"
#include "statnn/layers/softmax.hpp"

namespace statnn::export_c {

// What the program reports when asked for an export the network has a layer without code
// for (kSupports<Net> is false).
struct UnsupportedLayer : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

inline void append(std::string& s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
inline void append(std::string& s, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s += buf;
}

// One array of floats, exactly (C99 hexadecimal literals), eight per line.
inline void emit_array(std::string& code, const std::string& name, const float* data, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
        if (!std::isfinite(data[i])) throw std::runtime_error("tensor " + name + " holds a value that is not finite");
    append(code, "static const float %s[%zu] = {\n", name.c_str(), count);
    for (std::size_t i = 0; i < count; ++i) {
        append(code, "%s%af,", i % 8 == 0 ? "    " : " ", double(data[i]));
        if (i % 8 == 7 || i + 1 == count) code += "\n";
    }
    code += "};\n";
}

// The plain loops exports use, by name (only those a network calls are emitted: unused
// static functions would fail -Wall -Werror). Channels last: element (y, x, c) of an
// H x W x C image is at (y * W + x) * C + c. Kernels (kh, kw, in, out); dense (in, out).
struct RuntimeFunction {
    const char* name;
    const char* code;
};
inline const RuntimeFunction kRuntime[] = {
    {"activate", R"(static float activate(float x, int kind) {
    switch (kind) {
    case 1: return x > 0.0f ? x : 0.0f;
    case 2: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case 3: return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    default: return x;
    }
}

)"},
    {"conv2d", R"(static void conv2d(const float *in, int h, int w, int c, const float *kernel, const float *bias, int k, int stride,
                   int pad, int f, int ho, int wo, int act, float *out) {
    int oy, ox, ky, kx, ci, fo;
    for (oy = 0; oy < ho; ++oy)
        for (ox = 0; ox < wo; ++ox) {
            float *o = out + (oy * wo + ox) * f;
            for (fo = 0; fo < f; ++fo) o[fo] = bias ? bias[fo] : 0.0f;
            for (ky = 0; ky < k; ++ky) {
                const int iy = oy * stride - pad + ky;
                if (iy < 0 || iy >= h) continue;
                for (kx = 0; kx < k; ++kx) {
                    const int ix = ox * stride - pad + kx;
                    if (ix < 0 || ix >= w) continue;
                    for (ci = 0; ci < c; ++ci) {
                        const float v = in[(iy * w + ix) * c + ci];
                        const float *kr = kernel + ((ky * k + kx) * c + ci) * f;
                        for (fo = 0; fo < f; ++fo) o[fo] += v * kr[fo];
                    }
                }
            }
            for (fo = 0; fo < f; ++fo) o[fo] = activate(o[fo], act);
        }
}

)"},
    {"pool2d", R"(static void pool2d(const float *in, int w, int c, int k, int stride, int average, int ho, int wo, float *out) {
    int oy, ox, ky, kx, ci;
    for (oy = 0; oy < ho; ++oy)
        for (ox = 0; ox < wo; ++ox)
            for (ci = 0; ci < c; ++ci) {
                float m = in[((oy * stride) * w + ox * stride) * c + ci], s = 0.0f;
                for (ky = 0; ky < k; ++ky)
                    for (kx = 0; kx < k; ++kx) {
                        const float v = in[((oy * stride + ky) * w + ox * stride + kx) * c + ci];
                        m = v > m ? v : m;
                        s += v;
                    }
                out[(oy * wo + ox) * c + ci] = average ? s / (float)(k * k) : m;
            }
}

)"},
    {"add_into", R"(static void add_into(float *x, const float *y, int n) {
    int i;
    for (i = 0; i < n; ++i) x[i] += y[i];
}

)"},
    {"global_average", R"(static void global_average(const float *in, int pixels, int c, float *out) {
    int p, ci;
    for (ci = 0; ci < c; ++ci) out[ci] = 0.0f;
    for (p = 0; p < pixels; ++p)
        for (ci = 0; ci < c; ++ci) out[ci] += in[p * c + ci];
    for (ci = 0; ci < c; ++ci) out[ci] /= (float)pixels;
}

)"},
    {"batchnorm", R"(static void batchnorm(float *x, int pixels, int c, const float *gamma, const float *beta, const float *mean,
                      const float *var, float eps) {
    int p, ci;
    for (ci = 0; ci < c; ++ci) {
        const float scale = (gamma ? gamma[ci] : 1.0f) / sqrtf(var[ci] + eps);
        const float shift = (beta ? beta[ci] : 0.0f) - mean[ci] * scale;
        for (p = 0; p < pixels; ++p) x[p * c + ci] = x[p * c + ci] * scale + shift;
    }
}

)"},
    {"activate_all", R"(static void activate_all(float *x, int n, int act) {
    int i;
    for (i = 0; i < n; ++i) x[i] = activate(x[i], act);
}

)"},
    {"scale_all", R"(static void scale_all(float *x, int n, float factor) {
    int i;
    for (i = 0; i < n; ++i) x[i] *= factor;
}

)"},
    {"flatten_channels_first", R"(static void flatten_channels_first(const float *in, int h, int w, int c, float *out) {
    int y, x, ci;
    for (y = 0; y < h; ++y)
        for (x = 0; x < w; ++x)
            for (ci = 0; ci < c; ++ci) out[(ci * h + y) * w + x] = in[(y * w + x) * c + ci];
}

)"},
    {"dense", R"(static void dense(const float *in, int n_in, const float *kernel, const float *bias, int n_out, int act, float *out) {
    int i, j;
    for (j = 0; j < n_out; ++j) out[j] = bias ? bias[j] : 0.0f;
    for (i = 0; i < n_in; ++i) {
        const float v = in[i];
        const float *kr = kernel + i * n_out;
        for (j = 0; j < n_out; ++j) out[j] += v * kr[j];
    }
    for (j = 0; j < n_out; ++j) out[j] = activate(out[j], act);
}

)"},
    {"quantize", R"(static void quantize(const float *x, int n, float inv_scale, int8_t *q) {
    int i;
    for (i = 0; i < n; ++i) {
        float v = x[i] * inv_scale;
        v = v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v;
        q[i] = (int8_t)(v >= 0.0f ? v + 0.5f : v - 0.5f);
    }
}
)"},
    {"conv2d_q8", R"(static void conv2d_q8(const int8_t *in, int h, int w, int c, const int8_t *kernel, const float *kernel_scale,
                      float in_scale, const float *bias, int k, int stride, int pad, int f, int ho, int wo, int act,
                      int32_t *acc, float *out) {
    int oy, ox, ky, kx, ci, fo;
    for (oy = 0; oy < ho; ++oy)
        for (ox = 0; ox < wo; ++ox) {
            float *o = out + (oy * wo + ox) * f;
            for (fo = 0; fo < f; ++fo) acc[fo] = 0;
            for (ky = 0; ky < k; ++ky) {
                const int iy = oy * stride - pad + ky;
                if (iy < 0 || iy >= h) continue;
                for (kx = 0; kx < k; ++kx) {
                    const int ix = ox * stride - pad + kx;
                    if (ix < 0 || ix >= w) continue;
                    for (ci = 0; ci < c; ++ci) {
                        const int32_t v = in[(iy * w + ix) * c + ci];
                        const int8_t *kr = kernel + ((ky * k + kx) * c + ci) * f;
                        for (fo = 0; fo < f; ++fo) acc[fo] += v * kr[fo];
                    }
                }
            }
            for (fo = 0; fo < f; ++fo)
                o[fo] = activate((float)acc[fo] * in_scale * kernel_scale[fo] + (bias ? bias[fo] : 0.0f), act);
        }
}
)"},
    {"dense_q8", R"(static void dense_q8(const int8_t *in, int n_in, const int8_t *kernel, const float *kernel_scale, float in_scale,
                     const float *bias, int n_out, int act, int32_t *acc, float *out) {
    int i, j;
    for (j = 0; j < n_out; ++j) acc[j] = 0;
    for (i = 0; i < n_in; ++i) {
        const int32_t v = in[i];
        const int8_t *kr = kernel + i * n_out;
        for (j = 0; j < n_out; ++j) acc[j] += v * kr[j];
    }
    for (j = 0; j < n_out; ++j) out[j] = activate((float)acc[j] * in_scale * kernel_scale[j] + (bias ? bias[j] : 0.0f), act);
}
)"},
    {"softmax", R"(static int softmax(const float *logits, int n, float *probs) {
    int i, best = 0;
    float m = logits[0], sum = 0.0f;
    for (i = 1; i < n; ++i)
        if (logits[i] > m) m = logits[i];
    for (i = 0; i < n; ++i) {
        probs[i] = expf(logits[i] - m);
        sum += probs[i];
    }
    for (i = 0; i < n; ++i) {
        probs[i] /= sum;
        if (probs[i] > probs[best]) best = i;
    }
    return best;
}
)"}};

// conv2d, dense, activate_all and the _q8 forms call activate; each _q8 layer is preceded
// by a quantize call.
inline std::string runtime_code(const std::set<std::string>& used) {
    std::string code;
    for (const auto& f : kRuntime) {
        const std::string name = f.name;
        const bool needed = used.count(name) ||
                            (name == "activate" && (used.count("conv2d") || used.count("dense") || used.count("activate_all") ||
                                                    used.count("conv2d_q8") || used.count("dense_q8"))) ||
                            (name == "quantize" && (used.count("conv2d_q8") || used.count("dense_q8")));
        if (needed) code += std::string(f.code) + "\n";
    }
    return code;
}

// The C code of an activation fused into a weighted layer (activate() in kRuntime).
template <class Act>
constexpr int activation_code() {
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU> || is_gelu<Act>,
                  "the C export has no code for this activation: add it to activate() and activation_code()");
    if constexpr (std::is_same_v<Act, ReLU>) return 1;
    else if constexpr (std::is_same_v<Act, GELU>) return 2;
    else if constexpr (std::is_same_v<Act, GELUTanh>) return 3;
    else return 0;
}

// What the code of one layer needs: where its input is, where its output goes.
struct Buffers {
    const char* in;
    const char* out;
    float in_scale;  // > 0: int8 weights, the input quantised with this scale (int8 export)
    int block;       // a residual block's end: the saved block input it adds back is s<block>
};

// The call of a weighted layer: float, or int8 (quantise the input into q, int32 sums in acc).
// in_shape are the arguments before the kernel (the input's shape), layer_shape those after
// the bias (the layer's own shape and activation).
inline void weighted_call(std::string& c, const char* fn, const std::string& name, const std::string& bias, Buffers b,
                          int in_count, const char* in_shape, const char* layer_shape) {
    if (b.in_scale > 0) {
        append(c, "    quantize(%s, %d, %af, q);\n", b.in, in_count, double(1.0f / b.in_scale));
        append(c, "    %s_q8(q, %s, %s_kernel_q, %s_kernel_scale, %af, %s, %s, acc, %s);\n", fn, in_shape, name.c_str(),
               name.c_str(), double(b.in_scale), bias.c_str(), layer_shape, b.out);
    } else {
        append(c, "    %s(%s, %s, %s_kernel, %s, %s, %s);\n", fn, b.in, in_shape, name.c_str(), bias.c_str(), layer_shape, b.out);
    }
}

// A convolution's call: k x k kernel, stride, padding, from In to Out.
template <class In, class Out>
void convolution_call(std::string& c, const std::string& name, const std::string& bias, Buffers b, int k, int stride,
                      int pad, int activation) {
    char in_shape[64], layer_shape[128];
    std::snprintf(in_shape, sizeof in_shape, "%d, %d, %d", In::H, In::W, In::C);
    std::snprintf(layer_shape, sizeof layer_shape, "%d, %d, %d, %d, %d, %d, %d", k, stride, pad, Out::C, Out::H, Out::W,
                  activation);
    weighted_call(c, "conv2d", name, bias, b, int(In::size), in_shape, layer_shape);
}

// Where a layer's output goes: the other of the two buffers, the buffer it read (in
// place), or the caller's probabilities (the softmax ends the function: its line returns).
enum class Output { NextBuffer, SameBuffer, Returned };

// The table: one entry per layer type, with its Output, whether an int8 export quantises
// its kernel and input (kInt8), and emit(), which appends the layer's lines to the body of
// <model>_infer. Its parameters and state are written as arrays named <layer>_<slot name>
// before (generate()). A layer type without an entry: generate() does not compile.
template <class L>
struct LayerCode;

template <class In, int B, int F, int K, Padding Pad, class Act>
struct LayerCode<Conv2DLayer<In, B, F, K, Pad, Act>> {
    using L = Conv2DLayer<In, B, F, K, Pad, Act>;
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = true;
    static void emit(std::string& c, const std::string& name, Buffers b) {
        convolution_call<In, typename L::Out>(c, name, name + "_bias", b, K, 1, L::P, activation_code<Act>());
    }
};

template <class In, int B, int F, int K, int S, int P, class Act, class Bias, class Init>
struct LayerCode<Conv2DStridedLayer<In, B, F, K, S, P, Act, Bias, Init>> {
    using L = Conv2DStridedLayer<In, B, F, K, S, P, Act, Bias, Init>;
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = true;
    static void emit(std::string& c, const std::string& name, Buffers b) {
        convolution_call<In, typename L::Out>(c, name, L::kBias ? name + "_bias" : "0", b, K, S, P, activation_code<Act>());
    }
};

// A convolution whose kernel is the layer's state ("kernel"); it stays in float in an
// int8 export (its input scale is not calibrated).
template <class In, int B, class Config>
struct LayerCode<PatchWhiteningLayer<In, B, Config>> {
    using L = PatchWhiteningLayer<In, B, Config>;
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string& name, Buffers b) {
        convolution_call<In, typename L::Out>(c, name, "0", b, L::P, 1, 0, activation_code<Linear>());
    }
};

template <class In, int B, int P>
struct LayerCode<MaxPooling2DLayer<In, B, P>> {
    using L = MaxPooling2DLayer<In, B, P>;
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    pool2d(%s, %d, %d, %d, %d, 0, %d, %d, %s);\n", b.in, In::W, In::C, P, P, L::Out::H, L::Out::W, b.out);
    }
};

template <class In, int B, int K, int S>
struct LayerCode<AveragePooling2DLayer<In, B, K, S>> {
    using L = AveragePooling2DLayer<In, B, K, S>;
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    pool2d(%s, %d, %d, %d, %d, 1, %d, %d, %s);\n", b.in, In::W, In::C, K, S, L::Out::H, L::Out::W, b.out);
    }
};

template <class In, int B>
struct LayerCode<GlobalAveragePooling2DLayer<In, B>> {
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    global_average(%s, %d, %d, %s);\n", b.in, In::H * In::W, In::C, b.out);
    }
};

template <class In, int B, class Config>
struct LayerCode<BatchNormLayer<In, B, Config>> {
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string& name, Buffers b) {
        constexpr bool affine = Config::affine != BatchNormAffine::None;
        const std::string gamma = affine ? name + "_gamma" : "0", beta = affine ? name + "_beta" : "0";
        append(c, "    batchnorm(%s, %d, %d, %s, %s, %s_running_mean, %s_running_var, %af);\n", b.in, In::H * In::W, In::C,
               gamma.c_str(), beta.c_str(), name.c_str(), name.c_str(), double(Config::eps));
    }
};

template <class In, int B>
struct LayerCode<ReLULayer<In, B>> {
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    activate_all(%s, %d, %d);\n", b.in, int(In::size), activation_code<ReLU>());
    }
};

template <class In, int B, kernels::GeluForm Form>
struct LayerCode<GELULayer<In, B, Form>> {
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        constexpr int code = Form == kernels::GeluForm::Erf ? activation_code<GELU>() : activation_code<GELUTanh>();
        append(c, "    activate_all(%s, %d, %d);\n", b.in, int(In::size), code);
    }
};

template <class In, int B, int Num, int Den>
struct LayerCode<ScaleLayer<In, B, Num, Den>> {
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    scale_all(%s, %d, %af);\n", b.in, int(In::size), double(ScaleLayer<In, B, Num, Den>::kFactor));
    }
};

template <class In, int B, int Num, int Den>
struct LayerCode<DropoutLayer<In, B, Num, Den>> {  // evaluation: the identity
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string&, const std::string&, Buffers) {}
};

template <class In, int B>
struct LayerCode<FlattenLayer<In, B>> {
    static constexpr Output kOutput = In::is_flat ? Output::SameBuffer : Output::NextBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        if constexpr (!In::is_flat) append(c, "    flatten_channels_first(%s, %d, %d, %d, %s);\n", b.in, In::H, In::W, In::C, b.out);
    }
};

template <class In, int B, int Units, class Act, class Constraint>
struct LayerCode<DenseLayer<In, B, Units, Act, Constraint>> {
    static constexpr Output kOutput = Output::NextBuffer;
    static constexpr bool kInt8 = true;
    static void emit(std::string& c, const std::string& name, Buffers b) {
        char in_shape[16], layer_shape[64];
        std::snprintf(in_shape, sizeof in_shape, "%d", In::C);
        std::snprintf(layer_shape, sizeof layer_shape, "%d, %d", Units, activation_code<Act>());
        weighted_call(c, "dense", name, name + "_bias", b, In::C, in_shape, layer_shape);
    }
};

template <class In, int B, int Span>
struct LayerCode<ResidualAddLayer<In, B, Span>> {
    static constexpr Output kOutput = Output::SameBuffer;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    add_into(%s, s%d, %d);\n", b.in, b.block, int(In::size));
    }
};

template <class In, int B>
struct LayerCode<SoftmaxLayer<In, B>> {
    static constexpr Output kOutput = Output::Returned;
    static constexpr bool kInt8 = false;
    static void emit(std::string& c, const std::string&, Buffers b) {
        append(c, "    return softmax(%s, %d, probs);\n", b.in, int(In::size));
    }
};

// A Frozen<> layer computes as its inner layer does at inference.
template <class Inner>
struct LayerCode<FrozenLayer<Inner>> : LayerCode<Inner> {};

template <class L, class = void>
struct has_code : std::false_type {};
template <class L>
struct has_code<L, std::void_t<decltype(LayerCode<L>::kOutput)>> : std::true_type {};

// Instantiated with the layer type, so the compiler's note under the message names it.
template <class L>
struct CodeFor {
    static_assert(has_code<L>::value,
                  "the C export has no code for this layer: add its entry to LayerCode in src/export_c.hpp "
                  "(docs/extending.md)");
    static constexpr bool value = has_code<L>::value;
};

// An int8 export quantises this layer's kernel and input.
template <class L>
constexpr bool int8_layer() {
    if constexpr (has_code<L>::value)
        return LayerCode<L>::kInt8;
    else
        return false;
}

// The index of Net's first layer without an entry in an export's table (Has<L>), or -1.
template <class Net, template <class, class = void> class Has, std::size_t... K>
constexpr int first_layer_without(std::index_sequence<K...>) {
    constexpr bool has[] = {Has<typename Net::template LayerAt<K>>::value...};
    for (std::size_t k = 0; k < sizeof...(K); ++k)
        if (!has[k]) return int(k);
    return -1;
}

// The kind of Net's layer k, "" for -1.
template <class Net, std::size_t... K>
constexpr const char* kind_of_layer(int k, std::index_sequence<K...>) {
    constexpr const char* kinds[] = {Net::template LayerAt<K>::kind...};
    return k < 0 ? "" : kinds[k];
}

}  // namespace detail

// The index of Net's first layer the C export has no code for; -1 when it has code for all.
template <class Net>
inline constexpr int kFirstUnsupportedLayer =
    detail::first_layer_without<Net, detail::has_code>(std::make_index_sequence<Net::kLayers>{});
// Whether generate() compiles for Net; the program checks it before calling generate().
template <class Net>
inline constexpr bool kSupports = kFirstUnsupportedLayer<Net> < 0;
// The kind of that layer (e.g. "Conv2D"); "" when kSupports<Net>.
template <class Net>
inline constexpr const char* kUnsupportedKind =
    detail::kind_of_layer<Net>(kFirstUnsupportedLayer<Net>, std::make_index_sequence<Net::kLayers>{});

namespace detail {

inline std::string upper(const std::string& s) {
    std::string u = s;
    for (char& ch : u) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    return u;
}

}  // namespace detail

// The two files of an export.
struct CSource {
    std::string header, source;
    std::size_t arena_bytes = 0, weight_bytes = 0;
};

// Post-training int8 quantisation: per-output-channel symmetric int8 kernels (scale =
// max |w| / 127 over the channel), each convolution's and dense layer's input quantised
// with one symmetric scale (max |input| / 127 over calibration images), int32 sums,
// float between layers (bias, activation, pooling, BatchNorm). input_max[k] is layer k's
// largest input magnitude (calibrate() measures it); empty: float32 export.
struct Options {
    data::Normalization normalization;
    std::vector<float> input_max;
};

// The largest |input| of every convolution and dense layer over `images` images of
// `next_batch` (which fills net.input() and returns the count, 0 at the end), evaluated.
template <class Net, class NextBatch>
std::vector<float> calibrate(Net& net, NextBatch&& next_batch, long images) {
    std::vector<float> input_max(Net::kLayers, 0.0f);
    long seen = 0;
    for (int n; seen < images && (n = next_batch()) > 0; seen += n) {
        net.forward(n, false);
        net.visit([&](auto k, auto& layer) {
            using L = std::decay_t<decltype(layer)>;
            if constexpr (detail::int8_layer<L>()) {
                const float* x = net.activation_input(int(k));
                for (std::size_t e = 0; e < std::size_t(n) * L::In::size; ++e)
                    input_max[k] = std::max(input_max[k], std::fabs(x[e]));
            }
        });
    }
    return input_max;
}

namespace detail {

// A kernel (..., out) as int8 with one scale per output channel (the last dimension).
inline void emit_int8_kernel(std::string& code, const std::string& name, const float* w, std::size_t count, int out) {
    std::vector<float> scale(std::size_t(out), 0.0f);
    for (std::size_t i = 0; i < count; ++i) scale[i % out] = std::max(scale[i % out], std::fabs(w[i]));
    for (float& sc : scale) sc = sc > 0.0f ? sc / 127.0f : 1.0f;
    append(code, "static const int8_t %s_q[%zu] = {\n", name.c_str(), count);
    for (std::size_t i = 0; i < count; ++i) {
        const long q = std::lround(double(w[i]) / double(scale[i % out]));
        append(code, "%s%ld,", i % 16 == 0 ? "    " : " ", std::max(-127L, std::min(127L, q)));
        if (i % 16 == 15 || i + 1 == count) code += "\n";
    }
    code += "};\n";
    emit_array(code, name + "_scale", scale.data(), scale.size());
}

// The names of the functions a stretch of generated body calls (lines "    name(" and
// "    return name(").
inline void note_calls(const std::string& text, std::set<std::string>& used) {
    for (std::size_t at = 0; (at = text.find("\n    ", at)) != std::string::npos; at += 5) {
        std::size_t begin = at + 5;
        if (text.compare(begin, 7, "return ") == 0) begin += 7;
        const std::size_t open = text.find('(', begin);
        const std::string name = text.substr(begin, open - begin);
        if (!name.empty() && name.find(' ') == std::string::npos && name.find('/') == std::string::npos) used.insert(name);
    }
}

// The bytes of a layer's arrays in the export: its kernel (int8 with a float scale per
// output channel, or float), bias and state.
template <class L>
constexpr std::size_t exported_weight_bytes(bool int8) {
    std::size_t bytes = 0;
    if constexpr (L::kKernelSize > 0) {
        if (int8 && int8_layer<L>())
            bytes += L::kKernelSize + std::size_t(L::kKernelDims[L::kKernelRank - 1]) * sizeof(float);
        else
            bytes += L::kKernelSize * sizeof(float);
        bytes += L::kBiasSize * sizeof(float);
    }
    if constexpr (L::kStateTensors > 0) bytes += L::kStateFloats * sizeof(float);
    return bytes;
}

// The work memory of <model>_infer: two float buffers as large as the largest activation,
// used in turn, and one more per nesting depth of residual blocks (the input of each open
// block is copied aside when its branch begins, s0, s1, ..., and added back at its end);
// int8: the int32 sums of one output pixel and the quantised input of one layer.
struct Layout {
    std::size_t largest = 0, widest = 1, largest_input = 1;
    int deepest = 0;
    std::vector<int> blocks_beginning, blocks_ending;  // per layer

    std::size_t arena_bytes(bool int8) const {
        const std::size_t int8_bytes = int8 ? widest * sizeof(std::int32_t) + largest_input : 0;
        return std::size_t(2 + deepest) * largest * sizeof(float) + int8_bytes;
    }
};

template <class Net>
Layout layout_of(Net& net) {
    Layout l;
    l.largest = Net::InShape::size;
    l.blocks_beginning.assign(std::size_t(Net::kLayers), 0);
    l.blocks_ending.assign(std::size_t(Net::kLayers), 0);
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        l.largest = std::max<std::size_t>(l.largest, L::Out::size);
        if constexpr (int8_layer<L>()) {
            l.widest = std::max<std::size_t>(l.widest, std::size_t(L::kKernelDims[L::kKernelRank - 1]));
            l.largest_input = std::max<std::size_t>(l.largest_input, L::In::size);
        }
        if constexpr (statnn::detail::skip_span<L>::value > 0) {
            ++l.blocks_beginning[std::size_t(k - L::kSkipSpan)];
            l.blocks_ending[std::size_t(k)] = 1;
        }
    });
    for (int k = 0, depth = 0; k < Net::kLayers; ++k) {
        depth += l.blocks_beginning[std::size_t(k)];
        l.deepest = std::max(l.deepest, depth);
        depth -= l.blocks_ending[std::size_t(k)];
    }
    return l;
}

// The weights' arrays and the body of <model>_infer, layer by layer.
class BodyWriter {
public:
    BodyWriter(const Options& options, const Layout& layout) : options_(options), layout_(layout) {}

    template <class L>
    void layer(std::size_t k, const std::string& name, const L& layer) {
        (void)CodeFor<L>::value;
        if constexpr (has_code<L>::value) {
            for (int b = 0; b < layout_.blocks_beginning[k]; ++b, ++depth_)
                append(body, "    memcpy(s%d, %s, %zu * sizeof(float)); /* input of a residual block */\n", depth_,
                       buffer(current_), std::size_t(L::In::size));
            if constexpr (statnn::detail::skip_span<L>::value > 0) --depth_;
            const float in_scale = parameters(k, name, layer);
            const std::size_t at = body.size();
            if constexpr (LayerCode<L>::kOutput != Output::Returned)
                append(body, "    /* %s: %s -> %dx%dx%d */\n", name.c_str(), L::kind, L::Out::C, L::Out::H, L::Out::W);
            LayerCode<L>::emit(body, name, Buffers{buffer(current_), buffer(1 - current_), in_scale, depth_});
            note_calls("\n" + body.substr(at), used);
            if constexpr (LayerCode<L>::kOutput == Output::NextBuffer) current_ = 1 - current_;
        }
    }

    std::string weights, body;
    std::set<std::string> used;  // runtime functions the layers call
    std::size_t weight_bytes = 0;

private:
    static const char* buffer(int which) { return which == 0 ? "a" : "b"; }

    // Writes the layer's kernel, bias and state; returns the scale of its int8 input (0: float).
    template <class L>
    float parameters(std::size_t k, const std::string& name, const L& layer) {
        float in_scale = 0.0f;
        if constexpr (L::kKernelSize > 0) {
            if (!options_.input_max.empty() && int8_layer<L>()) {
                constexpr int outputs = L::kKernelDims[L::kKernelRank - 1];
                emit_int8_kernel(weights, name + "_" + L::kKernelName, layer.kernel, L::kKernelSize, outputs);
                const float m = options_.input_max.at(k);
                in_scale = m > 0.0f ? m / 127.0f : 1.0f;
            } else {
                emit_array(weights, name + "_" + L::kKernelName, layer.kernel, L::kKernelSize);
            }
            if constexpr (L::kBiasSize > 0) emit_array(weights, name + "_" + L::kBiasName, layer.bias, L::kBiasSize);
        }
        if constexpr (L::kStateTensors > 0) {
            constexpr std::size_t each = L::kStateFloats / L::kStateTensors;
            for (int t = 0; t < L::kStateTensors; ++t)
                emit_array(weights, name + "_" + L::kStateNames[t], layer.state + t * each, each);
        }
        weight_bytes += exported_weight_bytes<L>(!options_.input_max.empty());
        return in_scale;
    }

    const Options& options_;
    const Layout& layout_;
    int current_ = 0;  // the buffer holding the current activation
    int depth_ = 0;    // residual blocks open
};

// The network's input image, C planes of H x W bytes.
struct ImageShape {
    int channels, height, width;

    int pixels() const { return height * width; }
    int bytes() const { return channels * pixels(); }
    // A CIFAR-10 record's: its export keeps its earlier text, byte for byte.
    bool cifar10() const { return channels == 3 && height == 32 && width == 32; }
};

inline std::string header_file(const std::string& model, const std::string& origin, bool int8, std::size_t arena_bytes,
                               int classes, const ImageShape& image) {
    const std::string M = upper(model);
    const char* m = M.c_str();
    std::string h;
    append(h, "/* %s.h: %s inference in C99%s, generated by `%s export` from %s. */\n", model.c_str(), model.c_str(),
           int8 ? " with int8 weights" : "", model.c_str(), origin.c_str());
    append(h, "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n", m, m);
    append(h, "/* Bytes of the work memory %s_infer needs (aligned for float). */\n", model.c_str());
    append(h, "#define %s_ARENA_BYTES %zu\n#define %s_CLASSES %d\n", m, arena_bytes, m, classes);
    if (image.cifar10()) {
        h += "\n/* image: a CIFAR-10 record's pixels, R, G and B planes of 32x32 bytes.\n";
    } else {
        append(h, "#define %s_CHANNELS %d\n#define %s_HEIGHT %d\n#define %s_WIDTH %d\n\n", m, image.channels, m,
               image.height, m, image.width);
        append(h, "/* image: %s_CHANNELS planes of %s_HEIGHT x %s_WIDTH bytes, one per channel, row by row.\n", m, m, m);
    }
    append(h,
           "   probs: the %d class probabilities. arena: %s_ARENA_BYTES bytes.\n"
           "   Returns the most probable class. */\n",
           classes, m);
    append(h, "int %s_infer(const uint8_t image[%d], float probs[%d], void *arena);\n\n#endif\n", model.c_str(),
           image.bytes(), classes);
    return h;
}

// The start of <model>_infer: its buffers in the arena, the image into the first one.
inline std::string infer_prologue(const std::string& model, const Layout& layout, bool int8, int classes,
                                  const ImageShape& image, const data::Normalization& normalization) {
    std::string c;
    append(c, "\nint %s_infer(const uint8_t image[%d], float probs[%d], void *arena) {\n", model.c_str(), image.bytes(),
           classes);
    append(c, "    float *a = (float *)arena, *b = a + %zu;\n", layout.largest);
    for (int d = 0; d < layout.deepest; ++d)
        append(c, "    float *s%d = a + %zu;\n", d, std::size_t(2 + d) * layout.largest);
    if (int8)
        append(c, "    int32_t *acc = (int32_t *)(a + %zu);\n    int8_t *q = (int8_t *)(acc + %zu);\n",
               std::size_t(2 + layout.deepest) * layout.largest, layout.widest);
    c += "    int p, ch;\n";
    c += "    /* bytes / 255, channels last, as statnn's reader */\n";
    append(c, "    for (p = 0; p < %d; ++p)\n        for (ch = 0; ch < %d; ++ch) {\n", image.pixels(), image.channels);
    append(c, "            float v = (float)image[ch * %d + p] / 255.0f;\n", image.pixels());
    if (normalization.enabled) {  // one value per channel: checked by generate()
        std::string mean, stddev;
        for (int ch = 0; ch < image.channels; ++ch) {
            append(mean, "%s%af", ch ? ", " : "", double(normalization.mean[ch]));
            append(stddev, "%s%af", ch ? ", " : "", double(normalization.stddev[ch]));
        }
        append(c, "            static const float mean[%d] = {%s}, stddev[%d] = {%s};\n", image.channels, mean.c_str(),
               image.channels, stddev.c_str());
        c += "            v = (v - mean[ch]) / stddev[ch];\n";
    }
    append(c, "            a[p * %d + ch] = v;\n        }\n", image.channels);
    return c;
}

inline std::string source_file(const std::string& model, const std::string& origin, bool int8, const BodyWriter& written,
                               const std::string& prologue) {
    std::string c;
    append(c, "/* %s.c: %s inference in C99, generated by `%s export` from %s.\n", model.c_str(), model.c_str(),
           model.c_str(), origin.c_str());
    if (int8)
        c += "   int8 kernels (one scale per output channel), int8 inputs of the convolution and dense layers\n"
             "   (scales calibrated on training images), int32 sums, float in between.\n";
    c += "   No heap, no threads; libm for expf (and erff/tanhf for GELU). */\n";
    append(c, "#include <math.h>\n#include <stdint.h>\n#include <string.h>\n\n#include \"%s.h\"\n\n", model.c_str());
    c += runtime_code(written.used);
    c += written.weights;
    c += prologue;
    c += written.body;
    c += "}\n";
    return c;
}

}  // namespace detail

// What an export of `net` needs on a board: flash for its weights, RAM for its work memory.
struct Footprint {
    std::size_t weight_bytes = 0, arena_bytes = 0;
};

template <class Net>
Footprint footprint(Net& net, bool int8) {
    Footprint f;
    net.visit([&](auto, auto& layer) {
        f.weight_bytes += detail::exported_weight_bytes<std::decay_t<decltype(layer)>>(int8);
    });
    f.arena_bytes = detail::layout_of(net).arena_bytes(int8);
    return f;
}

// C99 inference source for `net`'s current weights and state. `model` names the files'
// functions and macros (a C identifier: letters, digits, '_'). Compiles only for a
// network whose every layer has an entry in LayerCode (kSupports<Net>). Throws
// std::invalid_argument for a normalisation that is not one of the network's channels.
template <class Net>
CSource generate(Net& net, const std::string& model, const Options& options, const std::string& origin) {
    using namespace detail;
    using In = typename Net::InShape;
    data::check_normalization(options.normalization, In::C);
    const ImageShape image{In::C, In::H, In::W};
    const bool int8 = !options.input_max.empty();
    const Layout layout = layout_of(net);
    BodyWriter written(options, layout);
    net.visit([&](auto k, auto& layer) { written.layer(std::size_t(k), net.layer_name(int(k)), layer); });
    CSource out;
    out.arena_bytes = layout.arena_bytes(int8);
    out.weight_bytes = written.weight_bytes;
    out.header = header_file(model, origin, int8, out.arena_bytes, Net::kClasses, image);
    out.source = source_file(model, origin, int8, written,
                             infer_prologue(model, layout, int8, Net::kClasses, image, options.normalization));
    return out;
}

}  // namespace statnn::export_c
