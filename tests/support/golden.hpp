// tests/support/golden.hpp — reads a golden reference set (manifest.json + arrays stored
// whole, sampled or generated; tests/golden/README.md gives the format) and compares
// tensors with the metric the sets use:
//   error = max|a - ref| / max|ref|   (per tensor)
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "statnn/rng.hpp"
#include "support/json.hpp"

#ifndef STATNN_DEFAULT_GOLDEN_DIR
#define STATNN_DEFAULT_GOLDEN_DIR "tests/golden/reference"
#endif

namespace statnn::test {

// $STATNN_GOLDEN_DIR, else the directory configured at build time (the set committed in
// tests/golden/reference).
inline std::string golden_dir() {
    if (const char* env = std::getenv("STATNN_GOLDEN_DIR"); env && *env) return env;
    return STATNN_DEFAULT_GOLDEN_DIR;
}

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct GoldenArray {
    std::string name, dtype, layout;
    std::vector<int> shape;         // of the whole array, also when only a sample is stored
    std::vector<float> f32;         // float32 arrays: every element, or the sample
    std::vector<std::int32_t> i32;  // int32 arrays
    std::vector<std::uint8_t> u8;   // uint8 arrays
    std::size_t stride = 1;         // f32[k] is element k * stride (1: the whole array)
    double max_abs = 0;             // of the whole array, when sampled
    bool sampled() const { return stride != 1; }
    std::size_t count() const {
        std::size_t n = 1;
        for (int d : shape) n *= std::size_t(d);
        return n;
    }
};

// The "splitmix64_uniform" generator of a set's initial parameters: element e is drawn
// from splitmix64(K + e * golden gamma) and mapped to float32((L * (2u - 1)) * s), each
// step one correctly rounded operation, so make_golden.py and this function agree bit
// for bit (tests/golden/README.md).
inline std::vector<float> generate_uniform(const Json& gen, const std::vector<int>& shape, const std::string& where) {
    if (gen["kind"].string != "splitmix64_uniform") throw std::runtime_error(where + ": unknown generator " + gen["kind"].string);
    const double seed = gen["seed"].number, limit = gen["limit"].number;
    if (!(seed >= 0 && seed < 9007199254740992.0 && seed == std::floor(seed)))
        throw std::runtime_error(where + ": generator seed must be an integer below 2^53");
    const std::uint64_t key = std::uint64_t(seed);
    std::size_t n = 1;
    for (int d : shape) n *= std::size_t(d);
    const int last = shape.empty() ? 1 : shape.back();
    std::vector<double> column_scale(std::size_t(last), 1.0);
    if (gen.contains("column_scale")) {
        const Json& cs = gen["column_scale"];
        const int period = int(cs["period"].number);
        if (period <= 0) throw std::runtime_error(where + ": column_scale period must be positive");
        for (int j = 0; j < last; ++j)
            if (cs["scale"].contains(std::to_string(j % period))) column_scale[std::size_t(j)] = cs["scale"][std::to_string(j % period)].number;
    }
    std::vector<float> out(n);
    for (std::size_t e = 0; e < n; ++e) {
        const std::uint64_t bits = splitmix64(key + std::uint64_t(e) * 0x9E3779B97F4A7C15ull);
        const double u = double(bits >> 11) * 0x1p-53;
        // volatile: each product rounded on its own, never fused into another operation
        volatile double scaled = limit * (2.0 * u - 1.0);
        volatile double value = scaled * column_scale[e % std::size_t(last)];
        out[e] = float(value);
    }
    // The writer's checksum, when it left one: sum of bits(value_e) * (2e + 1), mod 2^64.
    if (gen.contains("checksum")) {
        std::uint64_t sum = 0;
        for (std::size_t e = 0; e < n; ++e) {
            std::uint32_t bits = 0;
            std::memcpy(&bits, &out[e], 4);
            sum += std::uint64_t(bits) * (2 * std::uint64_t(e) + 1);
        }
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(sum));
        if (gen["checksum"].string != hex)
            throw std::runtime_error(where + ": generated values have checksum " + hex + ", the manifest says " +
                                     gen["checksum"].string);
    }
    return out;
}

class GoldenSet {
public:
    explicit GoldenSet(const std::string& dir) : dir_(dir) {
        manifest_ = Json::parse(read_text_file(dir + "/manifest.json"));
    }
    const Json& manifest() const { return manifest_; }
    const std::string& dir() const { return dir_; }

    bool has(const std::string& name) const {
        for (const auto& a : manifest_["arrays"].array)
            if (a["name"].string == name) return true;
        return false;
    }

    GoldenArray load(const std::string& name) const {
        for (const auto& a : manifest_["arrays"].array) {
            if (a["name"].string != name) continue;
            GoldenArray g;
            g.name = name;
            g.dtype = a["dtype"].string;
            g.layout = a.contains("layout") ? a["layout"].string : "";
            for (const auto& d : a["shape"].array) g.shape.push_back(int(d.number));
            const std::size_t n = g.count();
            if (a.contains("generator")) {
                if (g.dtype != "float32") throw std::runtime_error(dir_ + ": generated array " + name + " must be float32");
                g.f32 = generate_uniform(a["generator"], g.shape, dir_ + "/manifest.json, array " + name);
                return g;
            }
            std::size_t stored = n;
            if (a.contains("sample")) {
                const double stride = a["sample"]["stride"].number;
                if (g.dtype != "float32" || !(stride >= 1 && stride == std::floor(stride)))
                    throw std::runtime_error(dir_ + ": sampled array " + name + " needs float32 and an integer stride >= 1");
                g.stride = std::size_t(stride);
                g.max_abs = a["sample"]["max_abs"].number;
                stored = (n + g.stride - 1) / g.stride;
            }
            const std::string path = dir_ + "/" + a["file"].string;
            const std::string bytes = read_text_file(path);
            auto expect_size = [&](std::size_t elem) {
                if (bytes.size() != stored * elem)
                    throw std::runtime_error(path + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                                             std::to_string(stored * elem));
            };
            // The files are little-endian; so are the machines statnn targets.
            if (g.dtype == "float32") {
                expect_size(4);
                g.f32.resize(stored);
                std::memcpy(g.f32.data(), bytes.data(), bytes.size());
            } else if (g.dtype == "int32") {
                expect_size(4);
                g.i32.resize(n);
                std::memcpy(g.i32.data(), bytes.data(), bytes.size());
            } else if (g.dtype == "uint8") {
                expect_size(1);
                g.u8.assign(bytes.begin(), bytes.end());
            } else {
                throw std::runtime_error(path + ": unsupported dtype " + g.dtype);
            }
            return g;
        }
        throw std::runtime_error(dir_ + "/manifest.json: no array named '" + name + "'");
    }

private:
    std::string dir_;
    Json manifest_;
};

struct TensorError {
    double relative = 0;  // max|a - ref| / max|ref|
    double absolute = 0;  // max|a - ref|
};

inline TensorError compare(const float* a, const float* ref, std::size_t n) {
    double max_diff = 0, max_ref = 0;
    for (std::size_t e = 0; e < n; ++e) {
        const double d = std::fabs(double(a[e]) - double(ref[e]));
        if (std::isnan(d)) return {INFINITY, INFINITY};  // a NaN anywhere fails the comparison
        max_diff = std::fmax(max_diff, d);
        max_ref = std::fmax(max_ref, std::fabs(double(ref[e])));
    }
    return {max_ref > 0 ? max_diff / max_ref : max_diff, max_diff};
}

// `a` (every element of the array) against a reference array stored whole or sampled;
// a sampled reference is compared where it was sampled, relative to the whole array's
// largest magnitude.
inline TensorError compare(const float* a, const GoldenArray& ref) {
    if (!ref.sampled()) return compare(a, ref.f32.data(), ref.f32.size());
    double max_diff = 0;
    for (std::size_t k = 0; k < ref.f32.size(); ++k) {
        const double d = std::fabs(double(a[k * ref.stride]) - double(ref.f32[k]));
        if (std::isnan(d)) return {INFINITY, INFINITY};
        max_diff = std::fmax(max_diff, d);
    }
    return {ref.max_abs > 0 ? max_diff / ref.max_abs : max_diff, max_diff};
}

}  // namespace statnn::test
