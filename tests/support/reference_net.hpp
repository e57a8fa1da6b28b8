// tests/support/reference_net.hpp — the network a golden manifest describes, in float64
// and NCHW, written from the reference set's README formulas (not from statnn's layouts
// or kernels): an oracle for the golden tests.
//
// Why float64: a float32 implementation computes a ReLU input or a max-pool window to
// about 1e-7 of the tensor's scale, so a unit that sits that close to a kink may fall
// on either side of it — a legitimate difference that no tolerance on values can absorb,
// since the gradient jumps there. In float64 no decision of the reference data is in
// doubt, so this oracle reproduces the reference trajectory to its float32 rounding.
// It can also run with its ReLU and max-pool decisions taken from another (float32)
// implementation, and then reports every decision that differs from its own and how far
// from the kink it was: the tests accept such a difference only within rounding.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/json.hpp"

namespace statnn::test {

// The ReLU and max-pool decisions of one forward pass, by manifest layer name: a ReLU
// passes a unit or not; a pool window sends its gradient to one element (0 .. P*P-1,
// row-major within the window).
struct Decisions {
    std::map<std::string, std::vector<std::uint8_t>> relu;
    std::map<std::string, std::vector<int>> pool;
};

// A decision taken from outside that the oracle would have made otherwise. `margin` is
// the distance from the kink relative to the tensor's largest magnitude: |z| / max|z|
// for a ReLU, (max - chosen) / max|x| for a pool window.
struct DecisionChange {
    std::string layer;
    double margin = 0;
};

// The first maximum, in row-major order, of the P x P window at output (y, x) of one
// plane `width` wide: the element a max-pool window sends its gradient to (0 .. P*P-1).
template <class T>
int window_argmax(const T* plane, int width, int y, int x, int P) {
    auto at = [&](int w) { return plane[(y * P + w / P) * width + x * P + w % P]; };
    int best = 0;
    for (int w = 1; w < P * P; ++w)
        if (at(w) > at(best)) best = w;
    return best;
}

class ReferenceNet {
public:
    struct Layer {
        std::string name, kind;                 // conv pool drop flat dense
        int in_c = 0, in_h = 0, in_w = 0;       // input shape (flat: in_c = features, in_h = in_w = 1)
        int out_c = 0, out_h = 0, out_w = 0;
        int k = 0, pad = 0, pool = 0;
        bool relu = false;
        double max_norm = 0;                    // dense kernel constraint, 0 = none
        std::size_t in_size() const { return std::size_t(in_c) * in_h * in_w; }
        std::size_t out_size() const { return std::size_t(out_c) * out_h * out_w; }
    };

    // `input_shape` is {C, H, W} of one image.
    ReferenceNet(const Json& manifest, const std::vector<int>& input_shape) {
        int c = input_shape.at(0), h = input_shape.at(1), w = input_shape.at(2);
        const Json& opt = manifest["optimizer"];
        for (const auto& ml : manifest["layers"].array) {
            Layer l;
            l.name = ml["name"].string;
            l.kind = ml["kind"].string;
            l.in_c = c, l.in_h = h, l.in_w = w;
            if (l.kind == "conv") {
                l.k = int(ml["kernel"][0].number);
                if (int(ml["in_channels"].number) != c) throw std::runtime_error(l.name + ": input channels do not chain");
                l.pad = ml["padding"].string == "same" ? l.k / 2 : 0;
                l.relu = ml["activation"].string == "relu";
                c = int(ml["out_channels"].number), h = h + 2 * l.pad - l.k + 1, w = w + 2 * l.pad - l.k + 1;
                params_[l.name + ".kernel"].assign(std::size_t(c) * l.in_c * l.k * l.k, 0.0);
                params_[l.name + ".bias"].assign(std::size_t(c), 0.0);
            } else if (l.kind == "pool") {
                l.pool = int(ml["pool"][0].number);
                h /= l.pool, w /= l.pool;
            } else if (l.kind == "flat") {
                c = c * h * w, h = w = 1;
            } else if (l.kind == "dense") {
                if (int(ml["in"].number) != c * h * w) throw std::runtime_error(l.name + ": input size does not chain");
                l.relu = ml["activation"].string == "relu";
                const std::string key = l.name + ".kernel";
                if (opt.contains("maxnorm") && opt["maxnorm"].contains(key)) l.max_norm = opt["maxnorm"][key].number;
                l.in_c = c * h * w, l.in_h = l.in_w = 1;
                c = int(ml["out"].number), h = w = 1;
                params_[key].assign(std::size_t(l.in_c) * c, 0.0);
                params_[l.name + ".bias"].assign(std::size_t(c), 0.0);
            } else if (l.kind != "drop") {
                throw std::runtime_error("manifest layer " + l.name + ": unknown kind " + l.kind);
            }
            l.out_c = c, l.out_h = h, l.out_w = w;
            layers_.push_back(l);
        }
        classes_ = c;
        lr_ = opt["lr"].number, momentum_ = opt["momentum"].number, decay_ = opt["decay"].number;
        nesterov_ = opt["nesterov"].boolean;
        max_norm_epsilon_ = opt.contains("maxnorm_epsilon") ? opt["maxnorm_epsilon"].number : 1e-7;
        for (const auto& [name, p] : params_) {
            grads_[name].assign(p.size(), 0.0);
            velocity_[name].assign(p.size(), 0.0);
        }
    }

    const std::vector<Layer>& layers() const { return layers_; }
    int classes() const { return classes_; }
    std::map<std::string, std::vector<double>>& params() { return params_; }
    const std::map<std::string, std::vector<double>>& grads() const { return grads_; }

    // Output of manifest layer `name` in the last forward pass (after its ReLU), NCHW.
    const std::vector<double>& activation(const std::string& name) const { return acts_.at(name); }
    const std::vector<double>& logits() const { return logits_; }
    const std::vector<double>& probabilities() const { return probs_; }
    const Decisions& decisions() const { return decisions_; }
    const std::vector<DecisionChange>& changes() const { return changes_; }

    // Forward pass over n images (NCHW). With `forced`, the ReLU and pool decisions
    // are taken from it (changes() lists those that differ from this oracle's own).
    void forward(const double* x, int n, const Decisions* forced = nullptr) {
        n_ = n;
        changes_.clear();
        decisions_ = {};
        input_.assign(x, x + std::size_t(n) * layers_.front().in_size());
        const std::vector<double>* cur = &input_;
        for (const Layer& l : layers_) {
            std::vector<double>& out = acts_[l.name];
            out.assign(std::size_t(n) * l.out_size(), 0.0);
            if (l.kind == "conv") {
                conv_forward(l, *cur, out);
                apply_relu(l, out, forced);
            } else if (l.kind == "dense") {
                dense_forward(l, *cur, out);
                if (l.relu) apply_relu(l, out, forced);
            } else if (l.kind == "pool") {
                pool_forward(l, *cur, out, forced);
            } else {
                out = *cur;  // dropout is the identity here; flatten keeps NCHW order
            }
            cur = &out;
        }
        logits_ = *cur;
        probs_.assign(logits_.size(), 0.0);
        for (int r = 0; r < n; ++r) {
            const double* z = &logits_[std::size_t(r) * classes_];
            double* p = &probs_[std::size_t(r) * classes_];
            const double m = *std::max_element(z, z + classes_);
            double s = 0;
            for (int j = 0; j < classes_; ++j) s += (p[j] = std::exp(z[j] - m));
            for (int j = 0; j < classes_; ++j) p[j] /= s;
        }
    }

    // Mean categorical cross-entropy of the last forward pass.
    double loss(const std::int32_t* labels) const {
        double s = 0;
        for (int r = 0; r < n_; ++r) s -= std::log(probs_[std::size_t(r) * classes_ + labels[r]]);
        return s / n_;
    }

    // Parameter gradients of the last forward pass; returns the loss.
    double backward(const std::int32_t* labels) {
        std::vector<double> dout(probs_.size());
        for (int r = 0; r < n_; ++r)
            for (int j = 0; j < classes_; ++j)
                dout[std::size_t(r) * classes_ + j] =
                    (probs_[std::size_t(r) * classes_ + j] - (j == labels[r] ? 1.0 : 0.0)) / n_;
        for (auto& [name, g] : grads_) std::fill(g.begin(), g.end(), 0.0);
        for (int li = int(layers_.size()) - 1; li >= 0; --li) {
            const Layer& l = layers_[std::size_t(li)];
            const std::vector<double>& in = li == 0 ? input_ : acts_.at(layers_[std::size_t(li) - 1].name);
            std::vector<double> din(std::size_t(n_) * l.in_size(), 0.0);
            if (l.kind == "conv") {
                mask_relu(l, dout);
                conv_backward(l, in, dout, din, li > 0);
            } else if (l.kind == "dense") {
                if (l.relu) mask_relu(l, dout);
                dense_backward(l, in, dout, din);
            } else if (l.kind == "pool") {
                pool_backward(l, dout, din);
            } else {
                din = dout;
            }
            dout.swap(din);
        }
        return loss(labels);
    }

    // Keras SGD on every parameter, then max-norm; returns the number of clipped columns.
    int sgd_step() {
        const double lr_t = learning_rate();
        for (auto& [name, w] : params_) {
            std::vector<double>& v = velocity_[name];
            const std::vector<double>& g = grads_[name];
            for (std::size_t e = 0; e < w.size(); ++e) {
                v[e] = momentum_ * v[e] - lr_t * g[e];
                w[e] += nesterov_ ? momentum_ * v[e] - lr_t * g[e] : v[e];
            }
        }
        int clipped = 0;
        for (const Layer& l : layers_) {
            if (l.max_norm <= 0) continue;
            std::vector<double>& k = params_[l.name + ".kernel"];
            for (int j = 0; j < l.out_c; ++j) {
                double s = 0;
                for (int i = 0; i < l.in_c; ++i) s += k[std::size_t(i) * l.out_c + j] * k[std::size_t(i) * l.out_c + j];
                const double norm = std::sqrt(s);
                clipped += norm > l.max_norm;
                const double f = std::min(norm, l.max_norm) / (max_norm_epsilon_ + norm);
                for (int i = 0; i < l.in_c; ++i) k[std::size_t(i) * l.out_c + j] *= f;
            }
        }
        ++iterations_;
        return clipped;
    }

    double learning_rate() const { return lr_ / (1.0 + decay_ * double(iterations_)); }

private:
    // Calls fn(o, i) for every output position o (within one plane) whose kernel tap
    // (ky, kx) reads input position i; taps that fall on the padding read nothing.
    template <class Fn>
    static void for_each_tap(const Layer& l, int ky, int kx, Fn&& fn) {
        for (int y = 0; y < l.out_h; ++y) {
            const int yy = y + ky - l.pad;
            if (yy < 0 || yy >= l.in_h) continue;
            const int x0 = std::max(0, l.pad - kx), x1 = std::min(l.out_w, l.in_w + l.pad - kx);
            for (int xo = x0; xo < x1; ++xo) fn(y * l.out_w + xo, yy * l.in_w + xo + kx - l.pad);
        }
    }

    void conv_forward(const Layer& l, const std::vector<double>& in, std::vector<double>& out) const {
        const std::vector<double>& w = params_.at(l.name + ".kernel");
        const std::vector<double>& b = params_.at(l.name + ".bias");
        for (int r = 0; r < n_; ++r)
            for (int o = 0; o < l.out_c; ++o) {
                double* z = &out[(std::size_t(r) * l.out_c + o) * l.out_h * l.out_w];
                for (int e = 0; e < l.out_h * l.out_w; ++e) z[e] = b[std::size_t(o)];
                for (int i = 0; i < l.in_c; ++i) {
                    const double* x = &in[(std::size_t(r) * l.in_c + i) * l.in_h * l.in_w];
                    for (int ky = 0; ky < l.k; ++ky)
                        for (int kx = 0; kx < l.k; ++kx) {
                            const double wv = w[((std::size_t(o) * l.in_c + i) * l.k + ky) * l.k + kx];
                            for_each_tap(l, ky, kx, [&](int oe, int ie) { z[oe] += wv * x[ie]; });
                        }
                }
            }
    }

    void conv_backward(const Layer& l, const std::vector<double>& in, const std::vector<double>& dz,
                       std::vector<double>& din, bool need_input_grad) {
        const std::vector<double>& w = params_.at(l.name + ".kernel");
        std::vector<double>& dw = grads_.at(l.name + ".kernel");
        std::vector<double>& db = grads_.at(l.name + ".bias");
        for (int r = 0; r < n_; ++r)
            for (int o = 0; o < l.out_c; ++o) {
                const double* d = &dz[(std::size_t(r) * l.out_c + o) * l.out_h * l.out_w];
                for (int e = 0; e < l.out_h * l.out_w; ++e) db[std::size_t(o)] += d[e];
                for (int i = 0; i < l.in_c; ++i) {
                    const double* x = &in[(std::size_t(r) * l.in_c + i) * l.in_h * l.in_w];
                    double* dx = &din[(std::size_t(r) * l.in_c + i) * l.in_h * l.in_w];
                    for (int ky = 0; ky < l.k; ++ky)
                        for (int kx = 0; kx < l.k; ++kx) {
                            const std::size_t wi = ((std::size_t(o) * l.in_c + i) * l.k + ky) * l.k + kx;
                            double s = 0;
                            for_each_tap(l, ky, kx, [&](int oe, int ie) { s += d[oe] * x[ie]; });
                            dw[wi] += s;
                            if (need_input_grad) for_each_tap(l, ky, kx, [&](int oe, int ie) { dx[ie] += w[wi] * d[oe]; });
                        }
                }
            }
    }

    void dense_forward(const Layer& l, const std::vector<double>& in, std::vector<double>& out) const {
        const std::vector<double>& k = params_.at(l.name + ".kernel");
        const std::vector<double>& b = params_.at(l.name + ".bias");
        for (int r = 0; r < n_; ++r) {
            double* z = &out[std::size_t(r) * l.out_c];
            for (int j = 0; j < l.out_c; ++j) z[j] = b[std::size_t(j)];
            for (int i = 0; i < l.in_c; ++i) {
                const double x = in[std::size_t(r) * l.in_c + i];
                const double* row = &k[std::size_t(i) * l.out_c];
                for (int j = 0; j < l.out_c; ++j) z[j] += x * row[j];
            }
        }
    }

    void dense_backward(const Layer& l, const std::vector<double>& in, const std::vector<double>& dz,
                        std::vector<double>& din) {
        const std::vector<double>& k = params_.at(l.name + ".kernel");
        std::vector<double>& dk = grads_.at(l.name + ".kernel");
        std::vector<double>& db = grads_.at(l.name + ".bias");
        for (int r = 0; r < n_; ++r) {
            const double* d = &dz[std::size_t(r) * l.out_c];
            for (int j = 0; j < l.out_c; ++j) db[std::size_t(j)] += d[j];
            for (int i = 0; i < l.in_c; ++i) {
                const double x = in[std::size_t(r) * l.in_c + i];
                const double* row = &k[std::size_t(i) * l.out_c];
                double* drow = &dk[std::size_t(i) * l.out_c];
                double s = 0;
                for (int j = 0; j < l.out_c; ++j) {
                    drow[j] += x * d[j];
                    s += row[j] * d[j];
                }
                din[std::size_t(r) * l.in_c + i] = s;
            }
        }
    }

    // ReLU in place on the pre-activations `z`, deciding each unit itself or as `forced` says.
    void apply_relu(const Layer& l, std::vector<double>& z, const Decisions* forced) {
        const std::vector<std::uint8_t>* f = nullptr;
        if (forced) {
            auto it = forced->relu.find(l.name);
            if (it == forced->relu.end() || it->second.size() != z.size())
                throw std::runtime_error(l.name + ": no ReLU decisions of the right size to follow");
            f = &it->second;
        }
        double scale = 0;
        for (double v : z) scale = std::max(scale, std::fabs(v));
        std::vector<std::uint8_t>& mask = decisions_.relu[l.name];
        mask.assign(z.size(), 0);
        for (std::size_t e = 0; e < z.size(); ++e) {
            const bool own = z[e] > 0;
            const bool pass = f ? (*f)[e] != 0 : own;
            if (pass != own) changes_.push_back({l.name, scale > 0 ? std::fabs(z[e]) / scale : 0.0});
            mask[e] = pass;
            if (!pass) z[e] = 0;
        }
    }

    void mask_relu(const Layer& l, std::vector<double>& dz) const {
        const std::vector<std::uint8_t>& mask = decisions_.relu.at(l.name);
        for (std::size_t e = 0; e < dz.size(); ++e)
            if (!mask[e]) dz[e] = 0;
    }

    void pool_forward(const Layer& l, const std::vector<double>& in, std::vector<double>& out, const Decisions* forced) {
        const std::vector<int>* f = nullptr;
        if (forced) {
            auto it = forced->pool.find(l.name);
            if (it == forced->pool.end() || it->second.size() != out.size())
                throw std::runtime_error(l.name + ": no pool decisions of the right size to follow");
            f = &it->second;
        }
        double scale = 0;
        for (double v : in) scale = std::max(scale, std::fabs(v));
        std::vector<int>& arg = decisions_.pool[l.name];
        arg.assign(out.size(), 0);
        const int P = l.pool;
        for (int plane = 0; plane < n_ * l.out_c; ++plane) {
            const double* x = &in[std::size_t(plane) * l.in_h * l.in_w];
            for (int y = 0; y < l.out_h; ++y)
                for (int xo = 0; xo < l.out_w; ++xo) {
                    auto at = [&](int a) { return x[(y * P + a / P) * l.in_w + xo * P + a % P]; };
                    const int own = window_argmax(x, l.in_w, y, xo, P);
                    const std::size_t o = (std::size_t(plane) * l.out_h + y) * l.out_w + xo;
                    const int chosen = f ? (*f)[o] : own;
                    if (chosen < 0 || chosen >= P * P) throw std::runtime_error(l.name + ": pool decision out of range");
                    if (chosen != own) changes_.push_back({l.name, scale > 0 ? (at(own) - at(chosen)) / scale : 0.0});
                    arg[o] = chosen;
                    out[o] = at(chosen);
                }
        }
    }

    void pool_backward(const Layer& l, const std::vector<double>& dout, std::vector<double>& din) const {
        const std::vector<int>& arg = decisions_.pool.at(l.name);
        const int P = l.pool;
        for (int plane = 0; plane < n_ * l.out_c; ++plane)
            for (int y = 0; y < l.out_h; ++y)
                for (int xo = 0; xo < l.out_w; ++xo) {
                    const std::size_t o = (std::size_t(plane) * l.out_h + y) * l.out_w + xo;
                    const int a = arg[o];
                    din[(std::size_t(plane) * l.in_h + y * P + a / P) * l.in_w + xo * P + a % P] += dout[o];
                }
    }

    std::vector<Layer> layers_;
    int classes_ = 0, n_ = 0;
    double lr_ = 0, momentum_ = 0, decay_ = 0, max_norm_epsilon_ = 1e-7;
    bool nesterov_ = false;
    long iterations_ = 0;
    std::map<std::string, std::vector<double>> params_, grads_, velocity_, acts_;
    std::vector<double> input_, logits_, probs_;
    Decisions decisions_;
    std::vector<DecisionChange> changes_;
};

}  // namespace statnn::test
