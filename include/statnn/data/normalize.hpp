// statnn/data/normalize.hpp — per-channel mean/std normalisation of input images.
//
// An option for recipes that want inputs centred and scaled per channel:
//   value = (byte / 255 - mean[c]) / stddev[c].
// Off by default: the seed models take byte / 255 exactly, as the Keras tutorial does.
// A recipe either gives the values (fastcifar: CIFAR-10's) or asks for them to be measured
// on its training records (kNormalizeFromTrainingData): `train` then computes them once,
// before the first step (channel_statistics), and the checkpoint keeps them, so evaluate,
// predict and export feed the network as it was trained.
// It applies to every image a network sees (training, validation, evaluate, predict, and
// inside the C and ONNX exports), after any augmentation, so the zero pixels a shift
// brings in become -mean / stddev.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "statnn/data/record_source.hpp"

namespace statnn::data {

// The most channels a normalisation holds values for (fixed arrays: no heap).
inline constexpr int kMaxNormalizedChannels = 16;

// Where a normalisation's values come from.
enum class NormalizationSource : std::uint8_t {
    Recipe,        // the recipe's own constants
    TrainingData,  // measured by train on the records it trains on
};

struct Normalization {
    bool enabled = false;
    float mean[kMaxNormalizedChannels] = {};  // of byte / 255, per channel in the records' order
    float stddev[kMaxNormalizedChannels] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};  // idem; positive
    // How many channels hold values. Three by default, so that {true, {r, g, b}, {r, g, b}}
    // reads as it always has; 0 while values to be measured are still to come.
    int channels = 3;
    NormalizationSource source = NormalizationSource::Recipe;

    // On, and to be measured on the training data first.
    bool awaits_statistics() const { return enabled && source == NormalizationSource::TrainingData && channels == 0; }
};

// What a recipe sets to have `train` measure the normalisation on its training records.
inline constexpr Normalization kNormalizeFromTrainingData{true, {}, {}, 0, NormalizationSource::TrainingData};

inline bool operator==(const Normalization& a, const Normalization& b) {
    if (a.enabled != b.enabled) return false;
    if (!a.enabled) return true;
    if (a.channels != b.channels || a.source != b.source) return false;
    for (int c = 0; c < a.channels && c < kMaxNormalizedChannels; ++c)
        if (a.mean[c] != b.mean[c] || a.stddev[c] != b.stddev[c]) return false;
    return true;
}
inline bool operator!=(const Normalization& a, const Normalization& b) { return !(a == b); }

// Why `n` cannot normalise images of `channels` channels (values missing, another channel
// count, a mean that is not finite or a deviation that is not positive), or "".
inline std::string normalization_problem(const Normalization& n, int channels) {
    if (!n.enabled) return {};
    if (n.awaits_statistics()) return "normalisation from the training data: not measured yet";
    if (n.channels < 1 || n.channels > kMaxNormalizedChannels)
        return "normalisation of " + std::to_string(n.channels) + " channels: expected 1 to " +
               std::to_string(kMaxNormalizedChannels);
    if (n.channels != channels)
        return "normalisation of " + std::to_string(n.channels) + " channel(s), but the images have " +
               std::to_string(channels);
    for (int c = 0; c < n.channels; ++c)
        if (!std::isfinite(n.mean[c]) || !std::isfinite(n.stddev[c]) || !(n.stddev[c] > 0.0f))
            return "normalisation of channel " + std::to_string(c) +
                   ": expected a finite mean and a positive standard deviation";
    return {};
}

// Throws std::invalid_argument when normalization_problem(n, channels) names one.
inline void check_normalization(const Normalization& n, int channels) {
    const std::string problem = normalization_problem(n, channels);
    if (!problem.empty()) throw std::invalid_argument(problem);
}

// Normalises the `pixels` pixels of `image` (channels-last, `channels` channels, float /
// 255) in place. `n` must have passed check_normalization for `channels`.
inline void normalize_channels(float* image, std::size_t pixels, int channels, const Normalization& n) {
    if (!n.enabled) return;
    const std::size_t stride = std::size_t(channels);
    for (std::size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < channels; ++c) {
            float& v = image[p * stride + std::size_t(c)];
            v = (v - n.mean[c]) / n.stddev[c];
        }
}

// The mean and (population) standard deviation of byte / 255 per channel over some records.
struct ChannelStatistics {
    int channels = 0;
    long records = 0;
    double mean[kMaxNormalizedChannels] = {}, stddev[kMaxNormalizedChannels] = {};
};

// Over the first `limit` records (0: all) of `source`, the records a training reader with
// that limit reads, one at a time into one buffer. The sums of bytes and of squared bytes
// are integers, exact whatever the order, and become double once at the end: the result
// does not depend on the machine, and a channel that never varies has deviation 0 exactly.
// Throws DataError for records that cannot be read and std::invalid_argument for no records
// or more than kMaxNormalizedChannels channels.
inline ChannelStatistics channel_statistics(const RecordSource& source, long limit) {
    const RecordShape shape = source.shape();
    const long records = limit > 0 && limit < source.records() ? limit : source.records();
    if (records <= 0) throw std::invalid_argument("normalisation from the training data: there are no training records");
    if (shape.channels < 1 || shape.channels > kMaxNormalizedChannels)
        throw std::invalid_argument("normalisation: records of " + std::to_string(shape.channels) + " channels, at most " +
                                    std::to_string(kMaxNormalizedChannels) + " are normalised");
    std::vector<unsigned char> pixels(shape.bytes());
    std::uint64_t sum[kMaxNormalizedChannels] = {}, squares[kMaxNormalizedChannels] = {};
    for (long i = 0; i < records; ++i) {
        std::int32_t label = 0;
        source.read(i, pixels.data(), label);
        for (int c = 0; c < shape.channels; ++c) {
            const unsigned char* plane = pixels.data() + std::size_t(c) * shape.pixels();
            for (std::size_t p = 0; p < shape.pixels(); ++p) {
                sum[c] += plane[p];
                squares[c] += std::uint64_t(plane[p]) * plane[p];
            }
        }
    }
    ChannelStatistics s;
    s.channels = shape.channels;
    s.records = records;
    const double values = double(records) * double(shape.pixels());
    for (int c = 0; c < shape.channels; ++c) {
        const double mean = double(sum[c]) / values;                       // in bytes
        const double variance = std::fmax(0.0, double(squares[c]) / values - mean * mean);
        s.mean[c] = mean / 255.0;
        s.stddev[c] = std::sqrt(variance) / 255.0;
    }
    return s;
}

// The normalisation `s` gives. A channel that never varies is only centred (stddev 1).
inline Normalization normalization_from(const ChannelStatistics& s) {
    Normalization n;
    n.enabled = true;
    n.source = NormalizationSource::TrainingData;
    n.channels = s.channels;
    for (int c = 0; c < s.channels; ++c) {
        n.mean[c] = float(s.mean[c]);
        n.stddev[c] = float(s.stddev[c]) > 0.0f ? float(s.stddev[c]) : 1.0f;
    }
    return n;
}

// "mean 0.4914 0.4822 0.4465, standard deviation 0.247 0.2435 0.2616 (the recipe's
// values)", or "off". `images`: how many training images the values were measured on, when known.
inline std::string describe_normalization(const Normalization& n, long images = 0) {
    if (!n.enabled) return "off";
    if (n.awaits_statistics()) return "to be measured on the training images";
    std::string means, deviations;
    char value[32];
    for (int c = 0; c < n.channels && c < kMaxNormalizedChannels; ++c) {
        std::snprintf(value, sizeof value, " %.4g", double(n.mean[c]));
        means += value;
        std::snprintf(value, sizeof value, " %.4g", double(n.stddev[c]));
        deviations += value;
    }
    std::string source = "the recipe's values";
    if (n.source == NormalizationSource::TrainingData)
        source = images > 0 ? "measured on " + std::to_string(images) + " training images"
                            : "measured on the training images";
    return "mean" + means + ", standard deviation" + deviations + " (" + source + ")";
}

}  // namespace statnn::data
