// src/commands/export.hpp — `export --weights FILE --format c|onnx [--int8] --out DIR`:
// C99 inference source (<name>.h and <name>.c, both written or neither) or an ONNX
// model. --int8 calibrates on the first --limit training images (default 2000) of --data.
// Both normalise the image inside, with the values the weights were trained with.
#pragma once

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/network_for.hpp"
#include "commands/trained_weights.hpp"
#include "export_c.hpp"
#include "export_onnx.hpp"
#include "files.hpp"
#include "statnn/io/atomic_file.hpp"

namespace statnn::app {

template <class Net, class R>
int write_onnx_file(Net& net, const R& recipe, const data::Normalization& normalization, const std::string& dir) {
    const std::string bytes = export_onnx::model(net, recipe.name, normalization);
    make_writable_dir(dir, "--out");
    io::write_file_atomic(dir + "/" + recipe.name + ".onnx", bytes);
    using In = typename Net::InShape;
    std::printf("%s: wrote %s/%s.onnx (%s bytes; input [N, %d, %d, %d] = bytes / 255, channels first; output "
                "probabilities [N, %d])\n",
                recipe.name, dir.c_str(), recipe.name, with_commas(bytes.size()).c_str(), In::C, In::H, In::W,
                Net::kClasses);
    return 0;
}

template <class Net, class R>
int export_onnx_file(Net& net, const R& recipe, const data::Normalization& normalization, const std::string& dir) {
    if constexpr (!export_onnx::kSupports<Net>) {
        throw std::runtime_error(std::string("the ONNX export has no form for layer ") +
                                 net.layer_name(export_onnx::kFirstUnsupportedLayer<Net>) + " (" +
                                 export_onnx::kUnsupportedKind<Net> + ")");
    } else {
        return write_onnx_file(net, recipe, normalization, dir);
    }
}

template <class Net, class R>
int write_c_files(Net& net, const R& recipe, const data::Normalization& normalization, const cli::Args& args,
                  const std::string& dir) {
    export_c::Options options;
    options.normalization = normalization;
    if (args.has("int8")) {
        const auto train_set = open_network_split<Net>(args, data::Split::Train);
        const long images = long(args.integer("limit", 2000));
        NetworkReader<Net> reader(*train_set, Net::kBatch, images, false, 0, data::Augmentation{}, normalization);
        reader.start_epoch(0);
        options.input_max = export_c::calibrate(net, [&] { return reader.next(net.input(), net.labels()); }, images);
    }
    const export_c::CSource code = export_c::generate(net, recipe.name, options, args.text("weights"));
    make_writable_dir(dir, "--out");
    io::AtomicFile header(dir + "/" + recipe.name + ".h"), source(dir + "/" + recipe.name + ".c");
    header.write(code.header);
    source.write(code.source);
    header.commit();
    source.commit();
    std::printf("%s: wrote %s/%s.h and %s/%s.c: %s bytes of %sweights, %s bytes of arena (%s_ARENA_BYTES)\n", recipe.name,
                dir.c_str(), recipe.name, dir.c_str(), recipe.name, with_commas(code.weight_bytes).c_str(),
                options.input_max.empty() ? "" : "int8 ", with_commas(code.arena_bytes).c_str(),
                export_c::detail::upper(recipe.name).c_str());
    return 0;
}

template <class Net, class R>
int export_c_files(Net& net, const R& recipe, const data::Normalization& normalization, const cli::Args& args,
                   const std::string& dir) {
    if constexpr (!export_c::kSupports<Net>) {
        throw export_c::UnsupportedLayer(std::string("the C export has no code for layer ") +
                                         net.layer_name(export_c::kFirstUnsupportedLayer<Net>) + " (" +
                                         export_c::kUnsupportedKind<Net> + ")");
    } else {
        return write_c_files(net, recipe, normalization, args, dir);
    }
}

template <class Arch, int Batch, class R>
int export_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    if (!args.has("format")) throw cli::UsageError("export needs --format c or --format onnx");
    const std::string format = args.text("format");
    if (format != "c" && format != "onnx") throw cli::UsageError("--format: expected 'c' or 'onnx', got '" + format + "'");
    if (format == "onnx" && args.has("int8")) throw cli::UsageError("--int8 goes with --format c only");
    if (!args.has("out")) throw cli::UsageError("export needs --out DIR");
    auto net = std::make_unique<Net>(1, 1);
    const io::TrainingState trained = load_weights(*net, args);
    const data::Normalization normalization = trained_normalization(trained, recipe, args.text("weights"));
    const std::string dir = args.text("out");
    if (format == "onnx") return export_onnx_file(*net, recipe, normalization, dir);
    return export_c_files(*net, recipe, normalization, args, dir);
}

}  // namespace statnn::app
