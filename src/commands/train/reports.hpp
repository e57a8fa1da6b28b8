// src/commands/train/reports.hpp — what a training run writes and prints besides its
// checkpoints: run.json, the banner, the kept epochs, summary.txt, samples.png, the
// final reports, and the warning of a run stuck at chance. Each takes the run
// (commands/train/run.hpp) and reads what it needs of it.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands/network_for.hpp"
#include "commands/text.hpp"
#include "commands/train/recipe_flags.hpp"
#include "files.hpp"
#include "report/report.hpp"
#include "run_folder.hpp"
#include "statnn/io/atomic_file.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/simd_width.hpp"

namespace statnn::app {

// "CIFAR-100 binary, 32x32x3, 100 classes": what was found in the data folder.
inline std::string data_description(const data::Dataset& d) {
    return std::string(data::format_name(d.format())) + ", " + data::shape_text(d.train->shape()) + ", " +
           std::to_string(d.train->classes()) + " classes";
}

// The data as the checkpoint and run.json keep it; the class names are the run's, one per
// output of the network.
inline data::DatasetDescription describe_dataset(const data::Dataset& d) {
    return {data::format_name(d.format()), d.train->shape(), d.train->classes(), d.class_names};
}

// run.json: the recipe, the data and every session that trained this run.
template <class Run>
void write_run_json(const Run& run) {
    using Net = typename Run::Net;
    RunInfo info;
    info.model = run.recipe.name;
    info.title = run.recipe.title;
    info.parameters = std::int64_t(Net::kParamCount);
    info.batch = run.global_batch;
    info.seed = run.state.seed;
    info.recipe = run.state.recipe;
    info.augment = run.state.augment;
    info.train_images = run.train_reader->size();
    info.val_images = run.val_reader->size();
    info.data = run.dataset->dir;
    info.dataset = run.state.dataset;
    info.normalization = *run.state.normalization;
    info.epochs_planned = run.epochs;
    info.keep_epochs = run.state.keep_epochs;
    info.sessions = run.state.sessions;
    info.init_from = run.state.init_from;
    info.classes = run.state.classes;
    info.per_class = run.state.per_class;
    io::write_file_atomic(run.out + "/run.json", run_json(info));
}

// The lines after the title: the data, threads, batch and what a resumed run continues.
template <class Run>
void print_banner_details(const Run& run) {
    const auto& net = *run.net;
    const int batch = Run::Net::kBatch, processes = run.comm.size();
    if (run.global_batch != batch)
        std::printf("global batch %d (--global-batch; the network's is %d): learning rate %s\n", run.global_batch, batch,
                    describe(run.state.recipe.schedule).c_str());
    if (processes > 1) {
        const int fewest = run.global_batch / processes, most = (run.global_batch + processes - 1) / processes;
        std::printf("%d processes (MPI), %d thread%s each: every process trains %s images of each batch of %d\n", processes,
                    net.threads(), net.threads() == 1 ? "" : "s",
                    fewest == most ? std::to_string(most).c_str() : (std::to_string(fewest) + " or " + std::to_string(most)).c_str(),
                    run.global_batch);
    }
    if (run.state.augment.enabled()) std::printf("augmenting training images: %s\n", data::describe(run.state.augment).c_str());
    if (run.state.normalization->enabled)
        std::printf("normalising input channels: %s\n",
                    data::describe_normalization(*run.state.normalization, run.normalization_images).c_str());
    if (!run.state.keep_epochs.empty()) {
        std::string list;
        for (const auto e : run.state.keep_epochs) list += (list.empty() ? "" : ", ") + std::to_string(e);
        std::printf("keeping weights and confusion matrix after epoch%s %s in %s/epoch-NNN\n",
                    run.state.keep_epochs.size() == 1 ? "" : "s", list.c_str(), run.out.c_str());
    }
    if (run.resume && run.state.partial.steps > 0)
        std::printf("resuming epoch %u of %d at step %lld of %ld\n", run.state.epochs_done + 1, run.epochs,
                    (long long)run.state.partial.steps + 1, run.train_reader->batches_per_epoch());
    else if (run.resume)
        std::printf("resuming after epoch %u of %d\n", run.state.epochs_done, run.epochs);
}

template <class Run>
void print_banner(const Run& run, const cli::Args& args) {
    std::printf("%s: %s\n", run.recipe.name, run.recipe.title);
    // The title names the recipe's own settings; say what the flags made of them.
    if (any_recipe_flag(args))
        std::printf("with the flags: optimizer %s, schedule %s, loss %s\n", describe(run.state.recipe.optimizer).c_str(),
                    describe(run.state.recipe.schedule).c_str(), describe(run.state.recipe.loss).c_str());
    std::printf("data %s (%s): %ld training, %ld validation images; out %s\n", run.dataset->dir.c_str(),
                data_description(*run.dataset).c_str(), run.train_reader->size(), run.val_reader->size(), run.out.c_str());
    std::printf("seed %llu, %d thread%s, SIMD %s; arena %.1f MiB\n", (unsigned long long)run.state.seed, run.net->threads(),
                run.net->threads() == 1 ? "" : "s", simd_arch_name(), double(Run::Net::kArenaBytes) / 1048576.0);
    if (const std::string note = narrow_build_note(); !note.empty()) std::printf("%s\n", note.c_str());
    print_banner_details(run);
    std::fflush(stdout);
}

// <out>/epoch-NNN/: the weights and the confusion matrix after a kept epoch.
template <class Run, class Evaluation>
void keep_epoch(const Run& run, int epoch, const Evaluation& eval) {
    using Net = typename Run::Net;
    const std::string kept = kept_epoch_dir(run.out, epoch);
    const auto matrix = to_matrix<Net>(eval.confusion);
    const auto& names = run.dataset->class_names;
    make_dir(kept);
    io::save_checkpoint(kept + "/weights.bin", *run.net, run.recipe.name, io::CheckpointContents::Weights, run.state);
    io::write_file_atomic(kept + "/confusion.csv", report::confusion_csv(matrix, names));
    io::write_file_atomic(kept + "/confusion.svg",
                          report::confusion_svg(matrix, names, std::string(run.recipe.name) +
                                                                   " confusion matrix (test set), epoch " + std::to_string(epoch)));
}

// The checkpoint, history and curves after every epoch.
template <class Run>
void write_epoch_reports(const Run& run) {
    io::save_checkpoint(run.checkpoint, *run.net, run.recipe.name, io::CheckpointContents::Training, run.state);
    io::write_file_atomic(run.out + "/history.csv", report::history_csv(run.state.history));
    io::write_file_atomic(run.out + "/accuracy.svg", report::accuracy_svg(run.state.history));
    io::write_file_atomic(run.out + "/loss.svg", report::loss_svg(run.state.history));
}

template <class Run>
double total_training_seconds(const Run& run) {
    double total = run.state.partial.seconds;
    for (const auto& r : run.state.history) total += r.seconds;
    return total;
}

// "Accuracy: 94.22%", and with test-time augmentation its views and the accuracy without.
template <class Run, class Evaluation>
std::string final_accuracy_line(const Run& run, const Evaluation& eval) {
    char line[200];
    if (run.final_tta == TestTimeAugmentation::None) {
        std::snprintf(line, sizeof line, "Accuracy: %.2f%%", 100.0 * eval.acc);
    } else {
        const bool flip = run.final_tta == TestTimeAugmentation::Flip;
        std::snprintf(line, sizeof line, "Accuracy: %.2f%% (%s, --tta %s; %.2f%% on the image alone)", 100.0 * eval.acc,
                      flip ? "each test image and its mirror image" : "six views of each test image",
                      flip ? "flip" : "flip-translate", 100.0 * run.last_eval.acc);
    }
    return line;
}

// summary.txt: the recipe, every epoch, and the final evaluation (none when interrupted).
template <class Run, class Evaluation>
void write_summary(const Run& run, const Evaluation* final_eval, const std::string& note) {
    using Net = typename Run::Net;
    MemoryFile summary;
    std::FILE* f = summary.get();
    const auto& state = run.state;
    std::fprintf(f, "%s: %s\n\n", run.recipe.name, run.recipe.title);
    print_architecture<Net>(f);
    print_memory_plan(f, *run.net);
    std::fprintf(f, "\nTraining: seed %llu, batch %d, optimizer %s, schedule %s, loss %s\n", (unsigned long long)state.seed,
                 run.global_batch, describe(state.recipe.optimizer).c_str(), describe(state.recipe.schedule).c_str(),
                 describe(state.recipe.loss).c_str());
    std::fprintf(f, "Augmentation of training images: %s\n", data::describe(state.augment).c_str());
    if (state.normalization->enabled)
        std::fprintf(f, "Input normalisation: %s\n", data::describe_normalization(*state.normalization).c_str());
    std::fprintf(f, "Data: %s (%s), %ld training and %ld validation images\n\n", run.dataset->dir.c_str(),
                 data_description(*run.dataset).c_str(), run.train_reader->size(), run.val_reader->size());
    std::fprintf(f, "epoch      loss       acc  val_loss   val_acc   seconds\n");
    for (const auto& r : state.history)
        std::fprintf(f, "%5d  %8.4f  %8.4f  %8.4f  %8.4f  %8.1f\n", r.epoch, r.loss, r.acc, r.val_loss, r.val_acc, r.seconds);
    if (!note.empty()) std::fprintf(f, "\n%s\n", note.c_str());
    if (final_eval) {
        std::fprintf(f, "\n%s\n", final_accuracy_line(run, *final_eval).c_str());
        print_confusion<Net>(final_eval->confusion, f);
    }
    std::fprintf(f, "%sTime of learning: %s\n", final_eval ? "" : "\n", format_seconds(total_training_seconds(run)).c_str());
    io::write_file_atomic(run.out + "/summary.txt", summary.text());
}

// samples.png: the first test image of every class, with its class name.
template <class Run>
void write_samples(const Run& run) {
    constexpr int kClasses = Run::Net::kClasses;
    const data::RecordSource& test = *run.dataset->test;
    const auto& names = run.dataset->class_names;
    std::vector<std::vector<unsigned char>> records(kClasses);
    std::vector<unsigned char> pixels(test.shape().bytes());
    int found = 0;
    for (long i = 0; i < test.records() && found < kClasses; ++i) {
        std::int32_t label = 0;
        test.read(i, pixels.data(), label);
        if (records[std::size_t(label)].empty()) {
            records[std::size_t(label)] = pixels;
            ++found;
        }
    }
    std::vector<const unsigned char*> images;
    std::vector<std::string> labels;
    for (int k = 0; k < kClasses; ++k)
        if (!records[std::size_t(k)].empty()) {
            images.push_back(records[std::size_t(k)].data());
            labels.push_back(k < int(names.size()) ? names[std::size_t(k)] : std::to_string(k));
        }
    const data::RecordShape shape = test.shape();
    const auto png = report::samples_png(images, labels, shape.channels, shape.height, shape.width);
    io::write_file_atomic(run.out + "/samples.png", std::string(png.begin(), png.end()));
}

// After a finished run: weights, confusion matrix, samples and summary in the folder,
// then accuracy, confusion matrix and time on the terminal.
template <class Run, class Evaluation>
void write_final_reports(const Run& run, const Evaluation& eval) {
    using Net = typename Run::Net;
    const std::string& out = run.out;
    io::save_checkpoint(out + "/weights.bin", *run.net, run.recipe.name, io::CheckpointContents::Weights, run.state);
    const auto matrix = to_matrix<Net>(eval.confusion);
    const auto& names = run.dataset->class_names;
    io::write_file_atomic(out + "/confusion.svg",
                          report::confusion_svg(matrix, names, std::string(run.recipe.name) + " confusion matrix (test set)"));
    io::write_file_atomic(out + "/confusion.csv", report::confusion_csv(matrix, names));
    write_samples(run);
    write_summary(run, &eval, "");
    std::printf("%s\n", final_accuracy_line(run, eval).c_str());
    print_confusion<Net>(eval.confusion, stdout);
    std::printf("Time of learning: %s\n", format_seconds(total_training_seconds(run)).c_str());
    std::printf("Reports in %s: history.csv accuracy.svg loss.svg confusion.svg confusion.csv samples.png summary.txt "
                "weights.bin run.json%s\n",
                out.c_str(), run.state.keep_epochs.empty() ? "" : " epoch-NNN/");
}

// Why a run whose validation accuracy is at chance may be stuck: its dead ReLU layers.
template <class Net, class BatchSource>
std::string dead_relu_diagnosis(Net& net, BatchSource& val_reader) {
    constexpr long kProbe = 1024;
    const auto activity = relu_activity(net, val_reader, kProbe);
    std::string dead, nearly;
    char share[48];
    for (const auto& r : activity) {
        if (r.active == 0) {
            dead += (dead.empty() ? "" : ", ") + r.layer;
        } else if (r.fraction() < 1e-3) {
            std::snprintf(share, sizeof share, " (%.4f%% of outputs non-zero)", 100.0 * r.fraction());
            nearly += (nearly.empty() ? "" : ", ") + r.layer + share;
        }
    }
    std::string why;
    const long probed = std::min(kProbe, val_reader.size());
    if (!dead.empty())
        why += "Every ReLU of " + dead + " outputs 0 for all of " + std::to_string(probed) +
               " validation images: the layer passes no gradient back. ";
    if (!nearly.empty()) why += "Nearly dead: " + nearly + ". ";
    why += dead.empty() && nearly.empty()
               ? "No layer of ReLUs is dead."
               : "Such a run may stay at chance for several epochs or for good; restart with another --seed or a lower --lr.";
    return why;
}

}  // namespace statnn::app
