// statnn/io/checkpoint.hpp — saving and restoring a network and its training state.
//
// Format (little-endian), version 7:
//   "STATNNCK"            8-byte magic
//   u32 version           7 (versions 1 to 6 are still read, see below)
//   u32 contents          1 = training checkpoint (weights, optimizer state, state), 2 = weights only
//   u64 signature         FNV-1a of the architecture description below
//   str architecture      e.g. "Input[3x32x32] Conv2D[3x3x3x32 relu] ..."
//   str model             binary name, e.g. "cnn6"
//   u64 seed, i64 optimizer steps applied, u32 epochs done
//   versions 1-3: f64 lr, momentum, decay; u32 nesterov (Keras SGD with Keras decay)
//   version 4: the recipe: optimizer, schedule, loss, each as str kind, u32 n, then n x
//       (str name, f64 value) (train/recipe.hpp); u32 slots, slots x str optimizer state name
//   i64 train limit, validation limit
//   u32 rows, then per row: i32 epoch, 7 x f64 (loss acc val_loss val_acc lr seconds, 0)
//   -- from version 2 on:
//   u32 epochs planned; u32 n, then n x u32 kept epochs (--keep-epochs)
//   partial epoch: i64 steps, images, correct; f64 loss sum, seconds (steps 0: none)
//   u32 sessions, then per session: str started, u32 first epoch, str machine, str simd,
//       u32 cores, u32 threads
//   -- from version 3 on:
//   augmentation of the training images: u32 pad, u32 flip (0, 0: none)
//   -- from version 5 on:
//   u32 global batch: images per optimizer step over all processes (0: the network's batch)
//   -- from version 6 on:
//   the data trained on (data/dataset_description.hpp): str format name ("": not recorded),
//       u32 height, width, channels, u32 classes, u32 n, then n x str class name
//   the input normalisation (data/normalize.hpp): u32 kind (0 not recorded, 1 off, 2 the
//       recipe's values, 3 measured on the training data); kinds 2 and 3: u32 channels,
//       then channels x f32 mean, channels x f32 standard deviation
//   -- from version 7 on:
//   str init from         the weights file the run's first weights came from (train --init-from; "": none)
//   u32 n, then n x u32   the dataset's classes trained on, in label order (train --classes; 0: all)
//   i64 per class         training images kept per class (train --per-class; 0: all)
//   --
//   u32 tensors, then per tensor: str name, u32 rank, rank x u32 dims, float32 data:
//       every layer's parameters and state (e.g. "bn1.running_mean") in layer order,
//       then, in a training checkpoint, "<slot name>/<name>" for each optimizer state
//       slot and parameter ("velocity/conv1.kernel"; before version 4 always "velocity")
//   u64 checksum          FNV-1a of every byte before it
// (str = u32 length + bytes.) Each version adds the block marked for it: a version 1
// file loads with no plan, no kept epochs, no partial epoch and no sessions, versions 1
// and 2 with no augmentation (there was none before version 3), versions 1 to 4 with the
// network's batch, versions 1 to 3 as Keras SGD
// with Keras decay, no label smoothing, one "velocity" slot, versions 1 to 5 with neither
// data nor normalisation recorded (the commands then take the recipe's), versions 1 to 6
// with no --init-from, --classes or --per-class. A Frozen<> layer's weights are stored as
// any layer's, without optimizer state. Kernels are stored
// in the Keras layouts statnn uses in memory: conv (kh, kw, in, out), dense (in, out).
// Files are written through AtomicFile: complete or absent. Loading checks size, magic,
// version, checksum and signature before it touches the network, and reports any problem
// as one line naming the file.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "statnn/data/augment.hpp"
#include "statnn/data/dataset_description.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/io/atomic_file.hpp"
#include "statnn/train/recipe.hpp"
#include "statnn/tensors.hpp"
#include "statnn/train/history.hpp"

namespace statnn::io {

inline constexpr char kCheckpointMagic[8] = {'S', 'T', 'A', 'T', 'N', 'N', 'C', 'K'};
inline constexpr std::uint32_t kCheckpointVersion = 7;
inline constexpr std::uint32_t kOldestCheckpointVersion = 1;
enum class CheckpointContents : std::uint32_t { Training = 1, Weights = 2 };

// A checkpoint that cannot be used: the message names the file and the problem.
struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Fnv1a {
    std::uint64_t h = 0xCBF29CE484222325ull;
    void add(const void* data, std::size_t n) {
        const unsigned char* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
    }
};

// How far an epoch has got: its steps and the running sums of its training loss and
// accuracy. A run stopped mid-epoch continues from here, exactly.
struct EpochProgress {
    std::int64_t steps = 0, images = 0, correct = 0;
    double loss_sum = 0;  // sum over images of the loss
    double seconds = 0;   // training time spent on the epoch so far
};

// One stretch of training by one process: a run resumed twice has three.
struct TrainingSession {
    std::string started;  // UTC, "2026-12-02T17:50:00Z"
    std::uint32_t first_epoch = 1;
    std::string machine, simd;  // CPU model name, SIMD architecture of the binary
    std::uint32_t cores = 0, threads = 0;
};

// Everything besides the weights that a resumed run needs.
struct TrainingState {
    std::uint64_t seed = 1;
    std::int64_t iterations = 0;  // optimizer steps applied
    std::uint32_t epochs_done = 0;
    RecipeSettings recipe;                                 // optimizer, schedule and loss
    std::vector<std::string> optimizer_slots{"velocity"};  // the optimizer's state arrays, by name
    std::int64_t train_limit = 0, val_limit = 0;
    std::vector<EpochRecord> history;
    std::uint32_t epochs_planned = 0;        // 0: not recorded (a version 1 file)
    std::vector<std::uint32_t> keep_epochs;  // ascending
    EpochProgress partial;                   // of epoch epochs_done + 1; steps 0: none
    std::vector<TrainingSession> sessions;
    data::Augmentation augment;  // of the training images (train --augment)
    std::uint32_t global_batch = 0;  // images per step over all processes (train --global-batch); 0: the network's batch
    data::DatasetDescription dataset;  // what the run trains on
    // How the network's input images are normalised; none: not recorded (a file before
    // version 6, imported weights), the recipe's then.
    std::optional<data::Normalization> normalization;
    std::string init_from;                // train --init-from FILE: where the first weights came from ("": none)
    std::vector<std::uint32_t> classes;   // train --classes: the dataset's classes, in label order (empty: all)
    std::int64_t per_class = 0;           // train --per-class: training images kept per class (0: all)
};

namespace detail {
template <class L, class = void>
struct has_describe : std::false_type {};
template <class L>
struct has_describe<L, std::void_t<decltype(L::describe(std::declval<char*>(), std::size_t{}))>> : std::true_type {};
}  // namespace detail

// One line per layer: kind, kernel shape, activation, output shape, and whatever else a
// layer says tells it apart (BatchNorm: momentum, eps, affine). Two networks with the
// same description have interchangeable weights.
template <class Net>
std::string architecture_description(Net& net) {
    std::string d;
    char buf[160];
    using In = typename Net::InShape;
    std::snprintf(buf, sizeof buf, "Input[%dx%dx%d]", In::C, In::H, In::W);
    d += buf;
    net.visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        std::snprintf(buf, sizeof buf, " %s[%dx%dx%dx%d %s ->%dx%dx%d", L::kind, L::kKernelDims[0], L::kKernelDims[1],
                      L::kKernelDims[2], L::kKernelDims[3], L::activation, L::Out::C, L::Out::H, L::Out::W);
        d += buf;
        if constexpr (detail::has_describe<L>::value) {
            L::describe(buf, sizeof buf);
            d += buf;
        }
        d += "]";
    });
    return d;
}

inline std::uint64_t signature_of(const std::string& description) {
    Fnv1a f;
    f.add(description.data(), description.size());
    return f.h;
}

namespace detail {

class CheckpointWriter {
public:
    explicit CheckpointWriter(const std::string& path) : file_(path) {}
    void put(const void* p, std::size_t n) {
        file_.write(p, n);
        hash_.add(p, n);
    }
    template <class T>
    void put_value(T v) {
        put(&v, sizeof v);
    }
    void put_string(const std::string& s) {
        put_value(std::uint32_t(s.size()));
        put(s.data(), s.size());
    }
    void finish() {
        const std::uint64_t sum = hash_.h;
        file_.write(&sum, sizeof sum);
        file_.commit();
    }

private:
    AtomicFile file_;
    Fnv1a hash_;
};

// Bounds-checked reading of a loaded file.
class CheckpointReader {
public:
    CheckpointReader(const std::string& path, const std::vector<unsigned char>& bytes, std::size_t end)
        : path_(path), bytes_(bytes), end_(end) {}
    void get(void* p, std::size_t n) {
        if (n > end_ - pos_) fail("truncated or corrupted (a field runs past the end)");
        std::memcpy(p, bytes_.data() + pos_, n);
        pos_ += n;
    }
    template <class T>
    T get_value() {
        T v;
        get(&v, sizeof v);
        return v;
    }
    std::string get_string(std::size_t max_len = 4096) {
        const std::uint32_t n = get_value<std::uint32_t>();
        if (n > max_len || n > end_ - pos_) fail("corrupted (a text field is too long)");
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    const unsigned char* take(std::size_t n) {
        if (n > end_ - pos_) fail("truncated or corrupted (tensor data runs past the end)");
        const unsigned char* p = bytes_.data() + pos_;
        pos_ += n;
        return p;
    }
    bool at_end() const { return pos_ == end_; }
    [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(path_ + ": " + what); }

private:
    const std::string& path_;
    const std::vector<unsigned char>& bytes_;
    std::size_t end_, pos_ = 0;
};

// How the version 6 block says a network's images were normalised.
enum class NormalizationKind : std::uint32_t { NotRecorded = 0, Off = 1, RecipeValues = 2, MeasuredOnTrainingData = 3 };

// The version 6 block of the data trained on.
inline void put_dataset(CheckpointWriter& w, const data::DatasetDescription& d) {
    w.put_string(d.format);
    for (int v : {d.shape.height, d.shape.width, d.shape.channels, d.classes}) w.put_value(std::uint32_t(v));
    w.put_value(std::uint32_t(d.class_names.size()));
    for (const std::string& name : d.class_names) w.put_string(name);
}

// The version 6 block of the input normalisation: its kind, then its values.
inline void put_normalization(CheckpointWriter& w, const std::optional<data::Normalization>& n) {
    NormalizationKind kind = NormalizationKind::NotRecorded;
    if (n) kind = !n->enabled ? NormalizationKind::Off
                  : n->source == data::NormalizationSource::TrainingData ? NormalizationKind::MeasuredOnTrainingData
                                                                         : NormalizationKind::RecipeValues;
    w.put_value(std::uint32_t(kind));
    if (kind == NormalizationKind::NotRecorded || kind == NormalizationKind::Off) return;
    w.put_value(std::uint32_t(n->channels));
    w.put(n->mean, std::size_t(n->channels) * sizeof(float));
    w.put(n->stddev, std::size_t(n->channels) * sizeof(float));
}

// The version 7 block: where the weights came from and which records were trained on.
inline void put_run_origin(CheckpointWriter& w, const TrainingState& state) {
    w.put_string(state.init_from);
    w.put_value(std::uint32_t(state.classes.size()));
    for (std::uint32_t c : state.classes) w.put_value(c);
    w.put_value(state.per_class);
}

// The recipe as `version` keeps it: every part by name from version 4 on, before that
// (older files, for tests) Keras SGD's fields.
inline void put_recipe(CheckpointWriter& w, const TrainingState& state, std::uint32_t version) {
    if (version < 4) {
        w.put_value(field_value(state.recipe.schedule, "lr", 0.0));
        w.put_value(field_value(state.recipe.optimizer, "momentum", 0.0));
        w.put_value(field_value(state.recipe.schedule, "decay", 0.0));
        w.put_value(std::uint32_t(field_value(state.recipe.optimizer, "nesterov", 0.0) != 0.0));
        return;
    }
    for (const PartSettings* part : {&state.recipe.optimizer, &state.recipe.schedule, &state.recipe.loss}) {
        w.put_string(part->kind);
        w.put_value(std::uint32_t(part->fields.size()));
        for (const NamedValue& f : part->fields) {
            w.put_string(f.name);
            w.put_value(f.value);
        }
    }
    w.put_value(std::uint32_t(state.optimizer_slots.size()));
    for (const std::string& slot : state.optimizer_slots) w.put_string(slot);
}

// The version 2 block: the plan, the kept epochs, the partial epoch and the sessions.
inline void put_run_progress(CheckpointWriter& w, const TrainingState& state) {
    w.put_value(state.epochs_planned);
    w.put_value(std::uint32_t(state.keep_epochs.size()));
    for (auto e : state.keep_epochs) w.put_value(e);
    w.put_value(state.partial.steps);
    w.put_value(state.partial.images);
    w.put_value(state.partial.correct);
    w.put_value(state.partial.loss_sum);
    w.put_value(state.partial.seconds);
    w.put_value(std::uint32_t(state.sessions.size()));
    for (const auto& s : state.sessions) {
        w.put_string(s.started);
        w.put_value(s.first_epoch);
        w.put_string(s.machine);
        w.put_string(s.simd);
        w.put_value(s.cores);
        w.put_value(s.threads);
    }
}

// Writes format `version` (the current one, or an older one for tests of old files).
template <class Net>
void write_checkpoint(const std::string& path, Net& net, const std::string& model, CheckpointContents contents,
                      const TrainingState& state, std::uint32_t version) {
    CheckpointWriter w(path);
    const std::string arch = architecture_description(net);
    w.put(kCheckpointMagic, sizeof kCheckpointMagic);
    w.put_value(version);
    w.put_value(std::uint32_t(contents));
    w.put_value(signature_of(arch));
    w.put_string(arch);
    w.put_string(model);
    w.put_value(state.seed);
    w.put_value(state.iterations);
    w.put_value(state.epochs_done);
    put_recipe(w, state, version);
    w.put_value(state.train_limit);
    w.put_value(state.val_limit);
    w.put_value(std::uint32_t(state.history.size()));
    for (const auto& r : state.history) {
        w.put_value(std::int32_t(r.epoch));
        for (double v : {r.loss, r.acc, r.val_loss, r.val_acc, r.lr, r.seconds, 0.0}) w.put_value(v);
    }
    if (version >= 2) put_run_progress(w, state);
    if (version >= 3) {
        w.put_value(std::uint32_t(state.augment.pad));
        w.put_value(std::uint32_t(state.augment.flip) | (state.augment.reflect ? 2u : 0u));  // bit 1: reflected border
    }
    if (version >= 5) w.put_value(state.global_batch);
    if (version >= 6) {
        put_dataset(w, state.dataset);
        put_normalization(w, state.normalization);
    }
    if (version >= 7) put_run_origin(w, state);
    const int slots = contents == CheckpointContents::Training ? Net::kOptimizerSlots : 0;
    if (slots > 0 && int(state.optimizer_slots.size()) != slots)
        throw CheckpointError(path + ": the network keeps " + std::to_string(slots) + " optimizer arrays, the state names " +
                              std::to_string(state.optimizer_slots.size()));
    const TensorCounts counts = tensor_counts(net);
    w.put_value(std::uint32_t(counts.tensors + std::size_t(slots) * counts.parameters));
    for (int pass = 0; pass <= slots; ++pass)
        for_each_tensor(net, [&](const std::string& name, const std::vector<std::uint32_t>& dims, const float* data,
                                         std::size_t count, TensorRole role, std::size_t offset) {
            if (pass > 0 && role != TensorRole::Parameter) return;  // state has no optimizer state
            w.put_string(pass == 0 ? name : state.optimizer_slots[std::size_t(pass - 1)] + "/" + name);
            w.put_value(std::uint32_t(dims.size()));
            for (auto d : dims) w.put_value(d);
            w.put(pass == 0 ? data : net.optimizer_state(pass - 1) + offset, count * sizeof(float));
        });
    w.finish();
}

}  // namespace detail

// Writes `net`'s weights (and, for a training checkpoint, its optimizer state and `state`).
template <class Net>
void save_checkpoint(const std::string& path, Net& net, const std::string& model, CheckpointContents contents,
                     const TrainingState& state) {
    detail::write_checkpoint(path, net, model, contents, state, kCheckpointVersion);
}

namespace detail {

inline std::vector<unsigned char> read_whole_file(const std::string& path) {
    std::vector<unsigned char> bytes;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw CheckpointError(errno_message(path, "cannot open"));
    unsigned char buf[1 << 16];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) bytes.insert(bytes.end(), buf, buf + n);
    if (std::ferror(f.get())) throw CheckpointError(errno_message(path, "cannot read"));
    return bytes;
}

// Reads the magic and the version. The checksum is checked first, so that a corrupted
// version field is reported as corruption rather than as an unknown version.
inline std::uint32_t read_checked_version(CheckpointReader& r, const std::vector<unsigned char>& bytes, std::size_t body) {
    r.take(sizeof kCheckpointMagic);
    const auto version = r.get_value<std::uint32_t>();
    std::uint64_t stored_sum;
    std::memcpy(&stored_sum, bytes.data() + body, sizeof stored_sum);
    Fnv1a sum;
    sum.add(bytes.data(), body);
    const bool known = version <= kCheckpointVersion && version >= kOldestCheckpointVersion;
    if (sum.h != stored_sum)
        r.fail("checksum mismatch: the file is truncated or corrupted" +
               (known ? std::string() : " (its version field reads " + std::to_string(version) + ")"));
    if (!known)
        r.fail("format version " + std::to_string(version) + ", this build reads versions " +
               std::to_string(kOldestCheckpointVersion) + " to " + std::to_string(kCheckpointVersion));
    return version;
}

inline void read_recipe(CheckpointReader& r, TrainingState& st) {
    for (PartSettings* part : {&st.recipe.optimizer, &st.recipe.schedule, &st.recipe.loss}) {
        part->kind = r.get_string(64);
        const auto n = r.get_value<std::uint32_t>();
        if (n > 64) r.fail("corrupted (implausible number of " + part->kind + " settings)");
        for (std::uint32_t i = 0; i < n; ++i) {
            NamedValue f;
            f.name = r.get_string(64);
            f.value = r.get_value<double>();
            part->fields.push_back(std::move(f));
        }
    }
    const auto slots = r.get_value<std::uint32_t>();
    if (slots > 16) r.fail("corrupted (implausible number of optimizer state arrays)");
    st.optimizer_slots.clear();
    for (std::uint32_t i = 0; i < slots; ++i) st.optimizer_slots.push_back(r.get_string(64));
}

// Before version 4 every run was Keras SGD with Keras decay, so the file holds only its fields.
inline void read_keras_sgd_recipe(CheckpointReader& r, TrainingState& st) {
    const double lr = r.get_value<double>(), momentum = r.get_value<double>(), decay = r.get_value<double>();
    const bool nesterov = r.get_value<std::uint32_t>() != 0;
    st.recipe.optimizer = {"keras-sgd", {{"momentum", momentum}, {"nesterov", nesterov ? 1.0 : 0.0}}};
    st.recipe.schedule = {"keras-decay", {{"lr", lr}, {"decay", decay}}};
    st.recipe.loss = {"softmax-cross-entropy", {{"label_smoothing", 0.0}}};
}

inline void read_history(CheckpointReader& r, TrainingState& st) {
    const auto rows = r.get_value<std::uint32_t>();
    if (rows > 100000) r.fail("corrupted (implausible history length)");
    for (std::uint32_t i = 0; i < rows; ++i) {
        EpochRecord e;
        e.epoch = r.get_value<std::int32_t>();
        double v[7];
        for (double& x : v) x = r.get_value<double>();
        e.loss = v[0], e.acc = v[1], e.val_loss = v[2], e.val_acc = v[3], e.lr = v[4], e.seconds = v[5];
        st.history.push_back(e);
    }
}

inline void read_partial_epoch(CheckpointReader& r, EpochProgress& partial) {
    partial.steps = r.get_value<std::int64_t>();
    partial.images = r.get_value<std::int64_t>();
    partial.correct = r.get_value<std::int64_t>();
    partial.loss_sum = r.get_value<double>();
    partial.seconds = r.get_value<double>();
    if (partial.steps < 0 || partial.images < 0 || partial.correct < 0 || partial.correct > partial.images)
        r.fail("corrupted (impossible partial epoch)");
}

inline void read_sessions(CheckpointReader& r, TrainingState& st) {
    const auto sessions = r.get_value<std::uint32_t>();
    if (sessions > 100000) r.fail("corrupted (implausible number of sessions)");
    for (std::uint32_t i = 0; i < sessions; ++i) {
        TrainingSession s;
        s.started = r.get_string(64);
        s.first_epoch = r.get_value<std::uint32_t>();
        s.machine = r.get_string(1024);
        s.simd = r.get_string(64);
        s.cores = r.get_value<std::uint32_t>();
        s.threads = r.get_value<std::uint32_t>();
        st.sessions.push_back(std::move(s));
    }
}

// The version 2 block: the plan, the kept epochs, the partial epoch and the sessions.
inline void read_run_progress(CheckpointReader& r, TrainingState& st) {
    st.epochs_planned = r.get_value<std::uint32_t>();
    const auto kept = r.get_value<std::uint32_t>();
    if (kept > 100000) r.fail("corrupted (implausible number of kept epochs)");
    for (std::uint32_t i = 0; i < kept; ++i) st.keep_epochs.push_back(r.get_value<std::uint32_t>());
    read_partial_epoch(r, st.partial);
    read_sessions(r, st);
}

inline void read_augmentation(CheckpointReader& r, data::Augmentation& augment) {
    const auto pad = r.get_value<std::uint32_t>(), flip = r.get_value<std::uint32_t>();
    if (pad > 31 || flip > 3) r.fail("corrupted (impossible augmentation)");  // a shift is less than the 32-pixel side
    augment.pad = int(pad);
    augment.flip = (flip & 1u) != 0;
    augment.reflect = (flip & 2u) != 0;
}

// The version 6 block of the data trained on.
inline void read_dataset(CheckpointReader& r, data::DatasetDescription& d) {
    d.format = r.get_string(64);
    std::uint32_t v[4];
    for (std::uint32_t& x : v) x = r.get_value<std::uint32_t>();
    if (v[0] > 65536 || v[1] > 65536 || v[2] > 65536 || v[3] > 65536)
        r.fail("corrupted (impossible record shape or class count in the data block)");
    d.shape = {int(v[2]), int(v[0]), int(v[1])};
    d.classes = int(v[3]);
    const auto names = r.get_value<std::uint32_t>();
    if (names > 65536) r.fail("corrupted (implausible number of class names)");
    for (std::uint32_t i = 0; i < names; ++i) d.class_names.push_back(r.get_string(256));
}

// The version 6 block of the input normalisation, checked as a reader would check it.
inline std::optional<data::Normalization> read_normalization(CheckpointReader& r) {
    const auto kind = NormalizationKind(r.get_value<std::uint32_t>());
    if (kind == NormalizationKind::NotRecorded) return std::nullopt;
    if (kind == NormalizationKind::Off) return data::Normalization{};
    if (kind != NormalizationKind::RecipeValues && kind != NormalizationKind::MeasuredOnTrainingData)
        r.fail("malformed normalisation block (unknown kind " + std::to_string(std::uint32_t(kind)) + ")");
    data::Normalization n;
    n.enabled = true;
    n.source = kind == NormalizationKind::RecipeValues ? data::NormalizationSource::Recipe
                                                       : data::NormalizationSource::TrainingData;
    const auto channels = r.get_value<std::uint32_t>();
    if (channels < 1 || channels > std::uint32_t(data::kMaxNormalizedChannels))
        r.fail("malformed normalisation block (" + std::to_string(channels) + " channels)");
    n.channels = int(channels);
    r.get(n.mean, channels * sizeof(float));
    r.get(n.stddev, channels * sizeof(float));
    if (const std::string problem = data::normalization_problem(n, n.channels); !problem.empty())
        r.fail("malformed normalisation block (" + problem + ")");
    return n;
}

// The version 7 block: where the weights came from and which records were trained on.
inline void read_run_origin(CheckpointReader& r, TrainingState& st) {
    st.init_from = r.get_string(4096);
    const auto classes = r.get_value<std::uint32_t>();
    if (classes > 65536) r.fail("corrupted (implausible number of selected classes)");
    for (std::uint32_t i = 0; i < classes; ++i) st.classes.push_back(r.get_value<std::uint32_t>());
    st.per_class = r.get_value<std::int64_t>();
    if (st.per_class < 0) r.fail("corrupted (negative images per class)");
}

// A normalisation must be of the network's `channels` (0: no network to check against).
inline void check_normalization_channels(CheckpointReader& r, const std::optional<data::Normalization>& n, int channels) {
    if (channels > 0 && n && n->enabled && n->channels != channels)
        r.fail("malformed normalisation block (" + std::to_string(n->channels) + " channel(s), the network takes " +
               std::to_string(channels) + ")");
}

// Everything between the model name and the tensors, each block as `version` has it. With
// the network's input channels, a normalisation of others is refused as soon as it is read
// (what follows it would no longer line up).
inline TrainingState read_training_state(CheckpointReader& r, std::uint32_t version, int network_channels = 0) {
    TrainingState st;
    st.seed = r.get_value<std::uint64_t>();
    st.iterations = r.get_value<std::int64_t>();
    st.epochs_done = r.get_value<std::uint32_t>();
    if (version >= 4)
        read_recipe(r, st);
    else
        read_keras_sgd_recipe(r, st);
    st.train_limit = r.get_value<std::int64_t>();
    st.val_limit = r.get_value<std::int64_t>();
    read_history(r, st);
    if (version >= 2) read_run_progress(r, st);
    if (version >= 3) read_augmentation(r, st.augment);
    if (version >= 5) {
        st.global_batch = r.get_value<std::uint32_t>();
        if (st.global_batch > (1u << 24)) r.fail("corrupted (impossible global batch)");
    }
    if (version >= 6) {
        read_dataset(r, st.dataset);
        st.normalization = read_normalization(r);
        check_normalization_channels(r, st.normalization, network_channels);
    }
    if (version >= 7) read_run_origin(r, st);
    return st;
}

// The data and normalisation a file records must be of the network's input.
template <class Net>
void check_fits_network(CheckpointReader& r, const TrainingState& st) {
    using In = typename Net::InShape;
    const data::RecordShape input{In::C, In::H, In::W};
    if (st.dataset.recorded() && st.dataset.shape != input)
        r.fail("corrupted (its data block records images of " + data::shape_text(st.dataset.shape) + ", the network takes " +
               data::shape_text(input) + ")");
    check_normalization_channels(r, st.normalization, In::C);
}

// Checks every tensor's name and shape first and copies only once all are known good,
// so that `net` is untouched when any is wrong. `slots`: optimizer state arrays in the file.
template <class Net>
void read_tensors(CheckpointReader& r, Net& net, int slots, const std::vector<std::string>& slot_names) {
    const TensorCounts counts = tensor_counts(net);
    const std::size_t expected = counts.tensors + std::size_t(slots) * counts.parameters;
    const auto tensors = r.get_value<std::uint32_t>();
    if (tensors != expected)
        r.fail("holds " + std::to_string(tensors) + " tensors, expected " + std::to_string(expected));
    struct Pending {
        float* dst;
        const unsigned char* src;
        std::size_t count;
    };
    std::vector<Pending> copies;
    for (int pass = 0; pass <= slots; ++pass)
        for_each_tensor(net, [&](const std::string& name, const std::vector<std::uint32_t>& dims, float* data,
                                         std::size_t count, TensorRole role, std::size_t offset) {
            if (pass > 0 && role != TensorRole::Parameter) return;
            const std::string want = pass == 0 ? name : slot_names[std::size_t(pass - 1)] + "/" + name;
            const std::string got = r.get_string(256);
            if (got != want) r.fail("expected tensor '" + want + "', found '" + got + "'");
            const auto rank = r.get_value<std::uint32_t>();
            if (rank != dims.size()) r.fail("tensor '" + want + "' has the wrong rank");
            for (auto d : dims)
                if (r.get_value<std::uint32_t>() != d) r.fail("tensor '" + want + "' has the wrong shape");
            copies.push_back({pass == 0 ? data : net.optimizer_state(pass - 1) + offset, r.take(count * sizeof(float)), count});
        });
    if (!r.at_end()) r.fail("corrupted (unexpected bytes after the last tensor)");
    for (const auto& c : copies) std::memcpy(c.dst, c.src, c.count * sizeof(float));
    if (slots == 0)
        for (int s = 0; s < Net::kOptimizerSlots; ++s) std::memset(net.optimizer_state(s), 0, Net::kParamFloats * sizeof(float));
}

}  // namespace detail

namespace detail {

// What precedes the training state: the format, the contents and the network that wrote it.
struct CheckpointHeader {
    std::uint32_t version = 0;
    CheckpointContents contents = CheckpointContents::Weights;
    std::uint64_t signature = 0;
    std::string arch, model;
};

// The bytes before the checksum, once the file is known to start like a checkpoint.
inline std::size_t checkpoint_body(const std::string& path, const std::vector<unsigned char>& bytes) {
    if (bytes.size() < sizeof kCheckpointMagic + 8 + 8 ||
        std::memcmp(bytes.data(), kCheckpointMagic, sizeof kCheckpointMagic) != 0)
        throw CheckpointError(path + ": not a statnn checkpoint (no STATNNCK header)");
    return bytes.size() - sizeof(std::uint64_t);
}

inline CheckpointHeader read_header(CheckpointReader& r, const std::vector<unsigned char>& bytes, std::size_t body) {
    CheckpointHeader h;
    h.version = read_checked_version(r, bytes, body);
    h.contents = CheckpointContents(r.get_value<std::uint32_t>());
    if (h.contents != CheckpointContents::Training && h.contents != CheckpointContents::Weights) r.fail("unknown contents type");
    h.signature = r.get_value<std::uint64_t>();
    h.arch = r.get_string(1 << 16);
    h.model = r.get_string(256);
    return h;
}

// "3x3x3x32"
inline std::string dims_text(const std::vector<std::uint32_t>& dims) {
    std::string t;
    for (std::size_t d = 0; d < dims.size(); ++d) t += (d ? "x" : "") + std::to_string(dims[d]);
    return t.empty() ? "a scalar" : t;
}

// A tensor of a file of any architecture, by name.
struct StoredTensor {
    std::vector<std::uint32_t> dims;
    const unsigned char* data = nullptr;
};

// The tensor section of a file of any architecture, checked for bounds only.
inline std::vector<std::pair<std::string, StoredTensor>> read_any_tensors(CheckpointReader& r) {
    const auto tensors = r.get_value<std::uint32_t>();
    if (tensors > (1u << 20)) r.fail("corrupted (implausible number of tensors)");
    std::vector<std::pair<std::string, StoredTensor>> all;
    for (std::uint32_t i = 0; i < tensors; ++i) {
        std::pair<std::string, StoredTensor> t{r.get_string(256), {}};
        const auto rank = r.get_value<std::uint32_t>();
        if (rank > 8) r.fail("corrupted (tensor '" + t.first + "' of rank " + std::to_string(rank) + ")");
        std::uint64_t count = 1;
        for (std::uint32_t d = 0; d < rank; ++d) {
            t.second.dims.push_back(r.get_value<std::uint32_t>());
            count *= t.second.dims.back();
            if (count > (std::uint64_t(1) << 40)) r.fail("corrupted (tensor '" + t.first + "' is impossibly large)");
        }
        t.second.data = r.take(std::size_t(count) * sizeof(float));
        all.push_back(std::move(t));
    }
    if (!r.at_end()) r.fail("corrupted (unexpected bytes after the last tensor)");
    return all;
}

}  // namespace detail

// Reads a checkpoint written for the same architecture into `net` (weights always;
// optimizer state when the file has it) and returns its state and contents. Throws
// CheckpointError naming the file and the problem; `net` is untouched on error.
template <class Net>
TrainingState load_checkpoint(const std::string& path, Net& net, CheckpointContents* contents_out = nullptr,
                              std::string* model_out = nullptr) {
    const std::vector<unsigned char> bytes = detail::read_whole_file(path);
    const std::size_t body = detail::checkpoint_body(path, bytes);
    detail::CheckpointReader r(path, bytes, body);
    const detail::CheckpointHeader h = detail::read_header(r, bytes, body);
    const std::string ours = architecture_description(net);
    if (h.signature != signature_of(ours) || h.arch != ours)
        r.fail("written for another architecture ('" + h.model + "'); this binary's network differs");

    TrainingState st = detail::read_training_state(r, h.version, Net::InShape::C);
    detail::check_fits_network<Net>(r, st);
    const int slots = h.contents == CheckpointContents::Training ? int(st.optimizer_slots.size()) : 0;
    if (slots > 0 && slots != Net::kOptimizerSlots)
        r.fail("holds " + std::to_string(slots) + " optimizer state arrays, this binary's optimizer keeps " +
               std::to_string(Net::kOptimizerSlots));
    detail::read_tensors(r, net, slots, st.optimizer_slots);
    if (contents_out) *contents_out = h.contents;
    if (model_out) *model_out = h.model;
    return st;
}

// The training state a checkpoint or weights file records, without loading its tensors
// into any network (a resumed run reads which data it trains on before it opens the data).
inline TrainingState read_checkpoint_state(const std::string& path) {
    const std::vector<unsigned char> bytes = detail::read_whole_file(path);
    const std::size_t body = detail::checkpoint_body(path, bytes);
    detail::CheckpointReader r(path, bytes, body);
    const detail::CheckpointHeader h = detail::read_header(r, bytes, body);
    return detail::read_training_state(r, h.version);
}

// What init_from_checkpoint did: the tensors it loaded and those it left as initialised,
// by name, in the network's order.
struct InitFromReport {
    std::string model;  // the binary that wrote the file
    std::vector<std::string> loaded, initialized;
};

// Loads into `net`, from a weights file or checkpoint of any architecture, every
// parameter and state tensor whose name (conv1.kernel, bn2.running_mean: tensors.hpp)
// matches one of the file's and whose shape is the same; the file's optimizer state is
// not read. A tensor of the same name and another shape is refused, naming it, and so is a
// file that matches none. `net` is untouched on error. Throws CheckpointError.
template <class Net>
InitFromReport init_from_checkpoint(const std::string& path, Net& net) {
    const std::vector<unsigned char> bytes = detail::read_whole_file(path);
    const std::size_t body = detail::checkpoint_body(path, bytes);
    detail::CheckpointReader r(path, bytes, body);
    InitFromReport report;
    const detail::CheckpointHeader h = detail::read_header(r, bytes, body);
    report.model = h.model;
    (void)detail::read_training_state(r, h.version);
    const auto stored = detail::read_any_tensors(r);
    struct Pending {
        float* dst;
        const unsigned char* src;
        std::size_t count;
    };
    std::vector<Pending> copies;
    for_each_tensor(net, [&](const std::string& name, const std::vector<std::uint32_t>& dims, float* data, std::size_t count,
                             TensorRole, std::size_t) {
        const auto it = std::find_if(stored.begin(), stored.end(), [&](const auto& t) { return t.first == name; });
        if (it == stored.end()) return report.initialized.push_back(name);
        if (it->second.dims != dims)
            r.fail("tensor '" + name + "' is " + detail::dims_text(it->second.dims) + " there, " + detail::dims_text(dims) +
                   " in this network; nothing was loaded");
        copies.push_back({data, it->second.data, count});
        report.loaded.push_back(name);
    });
    if (copies.empty()) r.fail("no tensor there matches one of this network's by name and shape; nothing was loaded");
    for (const auto& c : copies) std::memcpy(c.dst, c.src, c.count * sizeof(float));
    return report;
}

}  // namespace statnn::io
