// tests/support/golden.hpp — reads a golden reference set (manifest.json + raw arrays)
// and compares tensors with the metric the set's README recommends:
//   error = max|a - ref| / max|ref|   (per tensor)
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/json.hpp"

#ifndef STATNN_DEFAULT_GOLDEN_DIR
#define STATNN_DEFAULT_GOLDEN_DIR "../shared/golden"
#endif

namespace statnn::test {

// $STATNN_GOLDEN_DIR, else the directory configured at build time.
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
    std::vector<int> shape;
    std::vector<float> f32;        // float32 arrays
    std::vector<std::int32_t> i32; // int32 arrays
    std::vector<std::uint8_t> u8;  // uint8 arrays
    std::size_t count() const {
        std::size_t n = 1;
        for (int d : shape) n *= std::size_t(d);
        return n;
    }
};

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
            const std::string path = dir_ + "/" + a["file"].string;
            const std::string bytes = read_text_file(path);
            const std::size_t n = g.count();
            auto expect_size = [&](std::size_t elem) {
                if (bytes.size() != n * elem)
                    throw std::runtime_error(path + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                                             std::to_string(n * elem));
            };
            // The files are little-endian; so are the machines statnn targets.
            if (g.dtype == "float32") {
                expect_size(4);
                g.f32.resize(n);
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

}  // namespace statnn::test
