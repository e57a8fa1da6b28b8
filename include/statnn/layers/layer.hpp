// statnn/layers/layer.hpp — what every layer shares: the step context and its arena views.
//
// A layer type is a specification (Conv2D<32, 3, Same, ReLU>); bound to the shape of its
// input and to the batch size it becomes an implementation (`Spec::bind<In, Batch>`),
// whose constexpr members give its output shape and every byte it needs. It owns no
// memory: the network points it at slices of its arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "statnn/arena.hpp"
#include "statnn/layers/mode.hpp"
#include "statnn/shape.hpp"
#include "statnn/thread_pool.hpp"

namespace statnn {

enum class Padding { Valid, Same };
inline constexpr Padding Valid = Padding::Valid;
inline constexpr Padding Same = Padding::Same;

// What a layer computes, one value per layer type (its kOperation). The summary draws
// its glyph from it; a switch over it is checked for every value by -Wswitch.
enum class Operation {
    Convolution,        // a trained kernel slid over the image (Conv2D, Conv2DStrided)
    FrozenConvolution,  // a convolution by filters no optimizer moves (PatchWhitening)
    Dense,              // a trained kernel times a flat vector
    MaxPooling,
    AveragePooling,     // over windows or over the whole image
    Normalization,      // BatchNorm
    Activation,         // ReLU, GELU as layers of their own
    Scale,
    Dropout,
    Flatten,
    Add,                // the end of a residual block
    Softmax,
};

// No activation (the default of Conv2D and Dense).
struct Linear {
    static constexpr const char* name = "linear";
};

// No kernel constraint (the default of Dense).
struct NoConstraint {};

// Per-step information every layer may need.
struct StepContext {
    ThreadPool* pool = nullptr;    // never null inside a network
    Mode mode = Mode::Eval;        // BatchNorm: batch statistics (Train) or running ones (Eval)
    bool dropout = false;          // dropout active: in Train mode, unless switched off for reference runs
    std::uint64_t dropout_key = 0; // differs per step; layers mix in their index
    int first_row = 0;             // global row of the batch's first image (data-parallel shards)
};

// The arena slices of one layer. Unused ones stay null.
struct LayerSlices {
    float* kernel = nullptr;
    float* bias = nullptr;
    float* dkernel = nullptr;
    float* dbias = nullptr;
    std::byte* saved = nullptr;    // kept from forward to backward
    std::byte* scratch = nullptr;  // transient; shared by all layers
    float* state = nullptr;        // non-trainable, kept across steps and in checkpoints (BatchNorm's running statistics)
    std::uint64_t layer_key = 0;   // distinct per layer; mixed into random streams
};

// Defaults for layers without parameters, state or constraints.
struct LayerDefaults : LayerSlices {
    static constexpr std::size_t kKernelSize = 0;
    static constexpr std::size_t kBiasSize = 0;
    static constexpr std::size_t kSavedBytes = 0;
    static constexpr std::size_t kScratchBytes = 0;
    static constexpr std::size_t kStateFloats = 0;
    // Names of the kernel and bias slots in checkpoints; the state, when there is some,
    // is kStateTensors vectors of equal length, named by kStateNames.
    static constexpr const char* kKernelName = "kernel";
    static constexpr const char* kBiasName = "bias";
    static constexpr int kStateTensors = 0;
    static constexpr const char* kStateNames[1] = {""};
    static constexpr bool kInPlace = false;
    static constexpr const char* activation = "";
    // Kernel shape as stored (Keras layout); rank 0 when there is no kernel.
    static constexpr int kKernelRank = 0;
    static constexpr int kKernelDims[4] = {0, 0, 0, 0};
    static constexpr float fan_in = 0, fan_out = 0;
    static constexpr bool kHasConstraint = false;
    // True when the bias slot is a normalisation's shift (BatchNorm's β): a recipe may
    // train those with a learning rate of their own (train/recipe.hpp).
    static constexpr bool kBiasIsNormShift = false;
    // True for a layer whose state is set from training images before the first step
    // (PatchWhitening); it must be the network's first layer.
    static constexpr bool kInitFromData = false;
    // True for a Frozen<> layer (frozen.hpp): weights without gradient or optimizer state.
    static constexpr bool kFrozen = false;
    // Multiply-adds per image of the forward pass, for the FLOP count (flops.hpp): the
    // products of a convolution or dense layer, by trained weights (kMacs: also done again
    // by the kernel and input gradients) or fixed ones (kFrozenMacs: forward only).
    // Per-element work (BatchNorm, activations, pooling) is not counted.
    static constexpr std::uint64_t kMacs = 0;
    static constexpr std::uint64_t kFrozenMacs = 0;
    // Initial values of the parameters and state, when not Glorot-uniform kernels and
    // zero biases (the network calls it after those, with kHasOwnInit).
    static constexpr bool kHasOwnInit = false;
    void initialize() {}
    int apply_constraint(ThreadPool&) { return 0; }
};

// Run fn(image) for every image of the batch on the pool.
template <class Fn>
void for_each_image(const StepContext& ctx, int n, Fn&& fn) {
    ctx.pool->run(n, fn);
}

// Images per chunk of a parameter-gradient pass: as many as keep their inputs and output
// gradients (`bytes_per_image`) within about half a megabyte, at least one.
constexpr int gradient_chunk_images(std::size_t bytes_per_image) {
    constexpr std::size_t kCacheBytes = std::size_t(512) * 1024;
    return bytes_per_image >= kCacheBytes ? 1 : int(kCacheBytes / bytes_per_image);
}

// Runs the `tasks` of a parameter-gradient pass chunk of images by chunk of images:
// fn(task, first_image, count). Every tile of the kernel gradient reads every image; a
// chunk read by all tiles stays in cache, where a batch of 1024 would stream from memory
// once per tile. Each task adds image after image into outputs of its own, so the sums
// keep the images' order: the same bits for any chunk size and thread count.
//
// The tasks are split into one contiguous part per thread, and a part walks all the chunks
// by itself: no barrier between chunks (a batch of 1024 has hundreds of them, each a
// fraction of a millisecond of work per thread), and each core keeps the chunk it reads in
// its own cache. (Against a barrier per chunk, 2 threads: fastcifar's training step +4% on
// a quiet machine and +15% beside a busy neighbour, where every barrier waited for the
// slower core; cnn4 and cnn6 level to +9%. Four parts per thread, for balance, gained less.)
template <class Fn>
void run_in_image_chunks(const StepContext& ctx, int tasks, int n, int chunk, Fn&& fn) {
    const int parts = tasks < ctx.pool->size() ? tasks : ctx.pool->size();
    ctx.pool->run(parts, [&](int part) {
        const int begin = int(std::int64_t(tasks) * part / parts), end = int(std::int64_t(tasks) * (part + 1) / parts);
        for (int first = 0; first < n; first += chunk) {
            const int count = n - first < chunk ? n - first : chunk;
            for (int task = begin; task < end; ++task) fn(task, first, count);
        }
    });
}

}  // namespace statnn
