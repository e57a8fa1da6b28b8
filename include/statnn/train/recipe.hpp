// statnn/train/recipe.hpp — how a target trains: its optimizer, learning-rate schedule,
// loss, epochs and data treatment, as one constexpr value of the target file.
//
//   inline constexpr Recipe<optim::KerasSgd, optim::KerasDecay> kCnn4Recipe{
//       "cnn4", "4 conv + 2 dense ...", {0.0, true}, {0.1, 1e-6}, {}, 10};
//
// The optimizer, schedule and loss each name their hyperparameters (optim/field.hpp), so
// the command line overrides them by name (--lr, --momentum, --weight-decay,
// --label-smoothing), and checkpoints and run.json keep them as RecipeSettings: a kind and
// named values per part, read back into the types with apply_settings().
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "statnn/data/augment.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/loss/softmax_cross_entropy.hpp"
#include "statnn/optim/keras_sgd.hpp"
#include "statnn/optim/optimizer.hpp"
#include "statnn/optim/schedule.hpp"
#include "statnn/optim/sgd.hpp"
#include "statnn/train/test_time_augmentation.hpp"

namespace statnn {

template <class Optimizer, class Schedule, class Loss = loss::SoftmaxCrossEntropy>
struct Recipe {
    static_assert(optim::is_optimizer_v<Optimizer>, "Recipe: Optimizer lacks a member of the optimizer concept (optim/optimizer.hpp)");
    static_assert(optim::is_schedule_v<Schedule>, "Recipe: Schedule lacks a member of the schedule concept (optim/schedule.hpp)");
    using OptimizerType = Optimizer;
    using ScheduleType = Schedule;
    using LossType = Loss;

    const char* name;   // binary name, e.g. "cnn6"
    const char* title;  // one line about the architecture and its recipe
    Optimizer optimizer;
    Schedule schedule;
    Loss loss;
    int epochs;
    data::Augmentation augmentation = data::kSeedModelAugmentation;  // what train --augment does
    data::Normalization normalization = {};  // of every input image; off: byte / 255
    bool augment_by_default = false;          // train augments without --augment
    optim::GroupScaling norm_shift = {};      // BatchNorm shifts' learning rate and decay multipliers
    // The views of each test image that train's final evaluation scores (train --tta
    // overrides); every epoch's validation looks at the image alone.
    TestTimeAugmentation final_tta = TestTimeAugmentation::None;
};

// The seed models' recipe: Keras 2 SGD (optim/sgd.hpp) as the optimizer KerasSgd with the
// KerasDecay schedule, plain cross-entropy — the same updates bit for bit.
using KerasRecipe = Recipe<optim::KerasSgd, optim::KerasDecay>;
constexpr KerasRecipe keras_recipe(const char* name, const char* title, const SgdConfig& sgd, int epochs) {
    return {name, title, optim::KerasSgd{sgd.momentum, sgd.nesterov}, optim::KerasDecay{sgd.lr, sgd.decay}, {}, epochs};
}

// One named hyperparameter as a file keeps it.
struct NamedValue {
    std::string name;
    double value = 0.0;
    friend bool operator==(const NamedValue& a, const NamedValue& b) { return a.name == b.name && a.value == b.value; }
};

// An optimizer, schedule or loss as a file keeps it: its kind and its fields.
struct PartSettings {
    std::string kind;
    std::vector<NamedValue> fields;
    friend bool operator==(const PartSettings& a, const PartSettings& b) { return a.kind == b.kind && a.fields == b.fields; }
    friend bool operator!=(const PartSettings& a, const PartSettings& b) { return !(a == b); }
};

struct RecipeSettings {
    PartSettings optimizer, schedule, loss;
    friend bool operator==(const RecipeSettings& a, const RecipeSettings& b) {
        return a.optimizer == b.optimizer && a.schedule == b.schedule && a.loss == b.loss;
    }
    friend bool operator!=(const RecipeSettings& a, const RecipeSettings& b) { return !(a == b); }
};

template <class Part>
PartSettings settings_of(const Part& part) {
    PartSettings s;
    s.kind = Part::kKind;
    for (const optim::Field& f : part.fields()) s.fields.push_back({f.name, f.value});
    return s;
}

template <class R>
RecipeSettings settings_of_recipe(const R& r) {
    return {settings_of(r.optimizer), settings_of(r.schedule), settings_of(r.loss)};
}

// Sets `part` from `s`; returns why it cannot (another kind, a field it does not have or
// refuses), or an empty string.
template <class Part>
std::string apply_settings(Part& part, const PartSettings& s) {
    if (s.kind != Part::kKind) return std::string("it was trained with ") + s.kind + ", this binary's recipe uses " + Part::kKind;
    Part copy = part;
    for (const NamedValue& f : s.fields)
        if (!copy.set_field(f.name, f.value)) return std::string(Part::kKind) + " refuses " + f.name + " = " + std::to_string(f.value);
    part = copy;
    return {};
}

// The value of field `name` in `s`, or `otherwise`.
inline double field_value(const PartSettings& s, std::string_view name, double otherwise) {
    for (const NamedValue& f : s.fields)
        if (f.name == name) return f.value;
    return otherwise;
}

// True when `part` has a field called `name`.
template <class Part>
bool has_field(const Part& part, std::string_view name) {
    for (const optim::Field& f : part.fields())
        if (name == f.name) return true;
    return false;
}

// "keras-sgd momentum 0.9 nesterov 0", for summaries.
inline std::string describe(const PartSettings& s) {
    std::string d = s.kind;
    char buf[64];
    for (const NamedValue& f : s.fields) {
        std::snprintf(buf, sizeof buf, " %s %g", f.name.c_str(), f.value);
        d += buf;
    }
    return d;
}

}  // namespace statnn
