// src/commands/train/recipe_flags.hpp — the flags that override a setting of the recipe
// (--lr, --decay, --momentum, --weight-decay, --label-smoothing).
#pragma once

#include <array>
#include <string>
#include <type_traits>

#include "cli.hpp"
#include "statnn/statnn.hpp"

namespace statnn::app {

// The part of the recipe a flag belongs to and the field names it sets (the first the
// part has).
enum class RecipePart { Optimizer, Schedule, Loss };
struct RecipeFlag {
    const char* flag;
    RecipePart part;
    std::array<const char*, 2> fields;  // nullptr: none
};
inline constexpr RecipeFlag kRecipeFlags[] = {{"lr", RecipePart::Schedule, {"lr", "peak_lr"}},
                                              {"decay", RecipePart::Schedule, {"decay", nullptr}},
                                              {"momentum", RecipePart::Optimizer, {"momentum", nullptr}},
                                              {"weight-decay", RecipePart::Optimizer, {"weight_decay", nullptr}},
                                              {"label-smoothing", RecipePart::Loss, {"label_smoothing", nullptr}}};

// fn(part) on the optimizer, schedule or loss of `r` (a Recipe or RecipeSettings).
template <class R, class Fn>
void with_part(R& r, RecipePart part, Fn&& fn) {
    if (part == RecipePart::Optimizer) fn(r.optimizer);
    else if (part == RecipePart::Schedule) fn(r.schedule);
    else fn(r.loss);
}

inline bool any_recipe_flag(const cli::Args& args) {
    for (const RecipeFlag& f : kRecipeFlags)
        if (args.has(f.flag)) return true;
    return false;
}

// The recipe with the command line's overrides (kRecipeFlags); a flag the recipe has no
// field for is refused by name.
template <class R>
R recipe_from_flags(const R& recipe, const cli::Args& args) {
    R r = recipe;
    for (const RecipeFlag& f : kRecipeFlags) {
        if (!args.has(f.flag)) continue;
        with_part(r, f.part, [&](auto& part) {
            for (const char* field : f.fields)
                if (field && has_field(part, field)) {
                    part.set_field(field, args.real(f.flag, 0.0));
                    return;
                }
            using Part = std::decay_t<decltype(part)>;
            throw cli::UsageError(std::string("--") + f.flag + ": the recipe of " + recipe.name + " (" + Part::kKind +
                                  ") has no such setting");
        });
    }
    for (const char* why : {r.optimizer.invalid(), r.schedule.invalid(), r.loss.invalid()})
        if (why) throw cli::UsageError(std::string("the recipe's settings cannot train: ") + why);
    return r;
}

// Whether the recipe flag `f` given now names the same values as the run's `saved` settings.
template <class Settings>
bool recipe_flag_matches(const RecipeFlag& f, const Settings& given, const Settings& saved) {
    bool same = true;
    with_part(given, f.part, [&](const PartSettings& ours) {
        with_part(saved, f.part, [&](const PartSettings& theirs) {
            for (const char* field : f.fields)
                if (field && field_value(ours, field, -1.0) != field_value(theirs, field, -1.0)) same = false;
        });
    });
    return same;
}

}  // namespace statnn::app
