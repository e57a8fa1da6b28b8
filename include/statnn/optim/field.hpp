// statnn/optim/field.hpp — hyperparameters by name: how optimizers, schedules and losses
// hand their settings to checkpoints and run.json and take them back (or a command-line
// override), without either side knowing the type.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace statnn::optim {

// A named hyperparameter; flags and step counts are stored as 0/1 and whole numbers.
struct Field {
    const char* name;
    double value;
};

// A flag field's value: 0 or 1, anything else is not a flag.
constexpr bool is_flag(double value) { return value == 0.0 || value == 1.0; }

// A step count read from a field: a whole number in [0, 2^53), or false.
inline bool step_count_from(double value, std::int64_t& out) {
    if (!(value >= 0.0 && value < 9007199254740992.0 && value == std::floor(value))) return false;
    out = std::int64_t(value);
    return true;
}

// Sets `fields` (a checkpoint's record) on `o`; false at the first one `o` refuses.
template <class T, std::size_t N>
bool set_fields(T& o, const std::array<Field, N>& fields) {
    for (const Field& f : fields)
        if (!o.set_field(f.name, f.value)) return false;
    return true;
}

}  // namespace statnn::optim
