// src/commands/import.hpp — `import <root> --out DIR [--val-split F] [--seed N] [--resize]`:
// a folder of images, one sub-folder per class, decoded once into DIR/train.statnn and
// DIR/test.statnn at the network's input shape (image_import.hpp), which `train --data
// DIR` then reads.
#pragma once

#include <cstdio>
#include <string>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/network_for.hpp"
#include "image_import.hpp"

namespace statnn::app {

// The import command line, for a network of input `shape` and `classes` outputs.
inline ImportSettings import_settings(const cli::Args& args, const data::RecordShape& shape, int classes) {
    if (args.positional().size() != 1)
        throw cli::UsageError("import takes one folder of images: import <root> --out DIR (" +
                              std::to_string(args.positional().size()) + " given)");
    if (!args.has("out")) throw cli::UsageError("import needs --out DIR, the folder for train.statnn and test.statnn");
    ImportSettings s;
    s.root = args.positional().front();
    s.out = args.text("out");
    s.shape = shape;
    s.max_classes = classes;
    if (args.has("val-split")) {
        s.val_split = args.real("val-split", kDefaultValSplit);
        if (*s.val_split >= 1)
            throw cli::UsageError("--val-split: expected a fraction between 0 and 1, got '" + args.text("val-split") + "'");
    }
    s.seed = args.seed("seed", 1);
    s.resize = args.has("resize");
    return s;
}

template <class Arch, int Batch, class R>
int import_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const ImportSettings settings = import_settings(args, network_record_shape<Net>(), Net::kClasses);
    const ImportPlan plan = plan_import(settings);
    const long resized = write_import(settings, plan);
    std::printf("%s: %s\n", recipe.name, import_summary(settings, plan, resized).c_str());
    return 0;
}

}  // namespace statnn::app
