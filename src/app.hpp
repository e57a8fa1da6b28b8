// src/app.hpp — the command-line program every per-architecture binary runs.
//
// targets/<name>.cpp defines a network type and its recipe and calls run_app():
//   <name> summary | train | evaluate | predict | bench | compare
// Problems are reported as one line "<name>: <what>" on stderr; the exit status is 2 for
// a bad command line and 1 for anything else that went wrong.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "compare.hpp"
#include "export_c.hpp"
#include "export_onnx.hpp"
#include "files.hpp"
#include "image_file.hpp"
#include "processes.hpp"
#include "progress.hpp"
#include "run_folder.hpp"
#include "report/report.hpp"
#include "statnn/data/cifar10.hpp"
#include "statnn/flops.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/statnn.hpp"
#include "stop_signals.hpp"
#include "trainer.hpp"

namespace statnn {

// The network a recipe trains: as many optimizer state arrays as its optimizer keeps.
template <class Arch, int Batch, class R>
using NetworkFor = Network<Arch, Batch, R::OptimizerType::kStateSlots>;

namespace app {

inline const std::vector<cli::FlagSpec>& flag_specs() {
    static const std::vector<cli::FlagSpec> specs = {
        {"data", cli::FlagKind::Text, "DIR", "CIFAR-10 binary folder (default: $CIFAR10_DIR, ./data/cifar-10-batches-bin, ../shared/cifar-10/cifar-10-batches-bin)"},
        {"epochs", cli::FlagKind::PositiveInt, "N", "train: total epochs (default: the recipe's)"},
        {"seed", cli::FlagKind::Seed, "S", "train: seed for weights, shuffling, dropout and augmentation (default 1)"},
        {"lr", cli::FlagKind::PositiveReal, "X", "train: learning rate, the peak of a warm-up schedule (default: the recipe's)"},
        {"decay", cli::FlagKind::NonNegativeReal, "X",
         "train: Keras' per-step learning-rate decay, lr / (1 + X * step), of a keras-decay schedule (default: the recipe's)"},
        {"momentum", cli::FlagKind::NonNegativeReal, "X", "train: the optimizer's momentum (default: the recipe's)"},
        {"weight-decay", cli::FlagKind::NonNegativeReal, "X", "train: the optimizer's weight decay, if it has one (default: the recipe's)"},
        {"label-smoothing", cli::FlagKind::NonNegativeReal, "X", "train: label smoothing of the loss, in [0, 1) (default: the recipe's)"},
        {"limit", cli::FlagKind::PositiveInt, "N", "train: use the first N training images only"},
        {"global-batch", cli::FlagKind::PositiveInt, "B",
         "train: images per optimizer step over all MPI processes, each taking at most the network's batch (default: the "
         "network's batch); without --lr the learning rate scales by B / batch (linear rule)"},
        {"val-limit", cli::FlagKind::PositiveInt, "N", "validate/evaluate on the first N test images only"},
        {"out", cli::FlagKind::Text, "DIR", "train: folder for reports and checkpoints (default runs/<name>-<date>-<time>); compare: folder for its files (default ./compare)"},
        {"resume", cli::FlagKind::Switch, "", "train: continue the run in --out from its last checkpoint"},
        {"augment", cli::FlagKind::Switch, "", "train: random shift and horizontal flip of training images, drawn anew each epoch"},
        {"no-augment", cli::FlagKind::Switch, "", "train: no augmentation, for a recipe that augments by default"},
        {"weights", cli::FlagKind::Text, "FILE", "evaluate, predict: weights or checkpoint file"},
        {"format", cli::FlagKind::Text, "c|onnx", "export: c (C99 inference source, <model>.h and <model>.c) or onnx (<model>.onnx)"},
        {"int8", cli::FlagKind::Switch, "", "export: int8 kernels and inputs of the convolution and dense layers, calibrated on --limit training images (default 2000)"},
        {"tta", cli::FlagKind::Text, "flip|flip-translate",
         "evaluate: score the mean softmax of each test image and its mirror image (flip), or of six views: "
         "also both moved by one pixel up-left and down-right (flip-translate, airbench's)"},
        {"keep-epochs", cli::FlagKind::PositiveIntList, "LIST", "train: after these epochs keep weights and confusion matrix in <out>/epoch-NNN/ (e.g. 10,20,50,100)"},
        {"threads", cli::FlagKind::PositiveInt, "N", "worker threads (default: the cores this process may use; at most 4 per core)"},
        {"verbose", cli::FlagKind::NonNegativeInt, "N", "0 quiet, 1 progress bar, 2 one line per epoch (default 1; 2 when not a terminal)"},
        {"seconds", cli::FlagKind::PositiveReal, "S", "bench: seconds to measure (default 5)"},
        {"profile", cli::FlagKind::Switch, "", "bench: then the time of every layer's forward and backward pass, and its share of the step"},
        {"help", cli::FlagKind::Switch, "", "show this help"},
    };
    return specs;
}

// The flags as --help shows them, with what --augment does for this recipe.
template <class R>
std::string describe_flags(const R& r) {
    std::vector<cli::FlagSpec> specs = flag_specs();
    const std::string augment =
        r.augmentation.enabled()
            ? "train: " + data::describe(r.augmentation) + " of training images, drawn anew each epoch" +
                  (r.augment_by_default ? " (the recipe's default)" : "")
            : std::string("train: not available (the recipe of ") + r.name + " defines no augmentation)";
    for (auto& spec : specs)
        if (std::string(spec.name) == "augment") spec.help = augment.c_str();
    return cli::describe_flags(specs);
}

template <class R>
void print_usage(std::FILE* out, const R& r) {
    std::fprintf(out,
                 "usage: %s <command> [flags]\n"
                 "%s\n\n"
                 "commands:\n"
                 "  summary                      architecture table and memory plan\n"
                 "  train                        train on CIFAR-10, validating after every epoch\n"
                 "  evaluate --weights FILE      accuracy and confusion matrix on the test set\n"
                 "  predict --weights FILE IMAGE...   top-3 classes of 32x32 PNG/PPM files or test:INDEX records\n"
                 "  bench train|infer            images per second on one batch, synthetic or --data (one JSON line)\n"
                 "  compare RUN_DIR... [--out DIR]   runs of any model side by side: table, overlaid curves, confusion difference\n"
                 "  export --weights FILE --format c --out DIR   self-contained C99 inference of the trained network\n\n"
                 "flags:\n%s",
                 r.name, r.title, describe_flags(r).c_str());
}

inline int default_threads() { return available_cores(); }

// More worker threads than cores only spin against each other (the pool's workers spin
// between parallel regions); a count like 100000 takes minutes just to start.
inline constexpr int kThreadsPerCore = 4;

inline int threads_flag(const cli::Args& args) {
    const long long threads = args.integer("threads", default_threads());
    const int cores = available_cores();
    if (threads > kThreadsPerCore * cores)
        throw cli::UsageError("--threads: expected at most " + std::to_string(kThreadsPerCore * cores) + " (" +
                              std::to_string(kThreadsPerCore) + " per core; this process may use " +
                              std::to_string(cores) + "), got '" + args.text("threads") + "'");
    return int(threads);
}

// --data, $CIFAR10_DIR, ./data/cifar-10-batches-bin, ../shared/cifar-10/cifar-10-batches-bin.
inline std::string find_data_dir(const cli::Args& args) {
    if (args.has("data")) return args.text("data");
    if (const char* env = std::getenv("CIFAR10_DIR"); env && *env) return env;
    for (const char* d : {"data/cifar-10-batches-bin", "../shared/cifar-10/cifar-10-batches-bin"})
        if (file_exists(std::string(d) + "/data_batch_1.bin")) return d;
    throw data::DataError(
        "no CIFAR-10 data found (looked at $CIFAR10_DIR, ./data/cifar-10-batches-bin, "
        "../shared/cifar-10/cifar-10-batches-bin); run scripts/get-cifar10 or pass --data DIR");
}

template <class Net>
void load_weights(Net& net, const cli::Args& args) {
    if (!args.has("weights")) throw cli::UsageError("--weights FILE is required");
    io::load_checkpoint(args.text("weights"), net);
}

template <class Net>
report::ConfusionMatrix to_matrix(const ConfusionCounts<Net::kClasses>& c) {
    report::ConfusionMatrix m(Net::kClasses, std::vector<std::int64_t>(Net::kClasses));
    for (int i = 0; i < Net::kClasses; ++i)
        for (int j = 0; j < Net::kClasses; ++j) m[i][j] = c.counts[i][j];
    return m;
}

template <class Net>
void print_confusion(const ConfusionCounts<Net::kClasses>& c, std::FILE* out) {
    std::fprintf(out, "%s\n", report::confusion_text(to_matrix<Net>(c)).c_str());
}

inline std::string now_stamp() {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
    return buf;
}

inline std::string format_seconds(double s) {
    char buf[64];
    const long t = long(std::lround(s));
    std::snprintf(buf, sizeof buf, "%.1f s (%ld:%02ld:%02ld)", s, t / 3600, (t / 60) % 60, t % 60);
    return buf;
}

// ---- train -------------------------------------------------------------------------

// `word` as one shell word, for the command line printed to continue a run.
inline std::string shell_word(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=+,@%") ==
                             std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// The flags that override a setting of the recipe: the part it belongs to and the field
// names it sets (the first the part has).
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

// Training on the processes of `comm` (one, or an MPI job's ranks): every process trains
// its share of each batch; the root (rank 0) alone prints, takes the folder's lock and
// writes reports and checkpoints.
template <class Arch, int Batch, class R>
int train_on(const R& base_recipe, const cli::Args& args, Communicator& comm) {
    using Net = NetworkFor<Arch, Batch, R>;
    const bool root = comm.is_root();
    R recipe = recipe_from_flags(base_recipe, args);
    if (args.has("augment") && args.has("no-augment")) throw cli::UsageError("--augment and --no-augment contradict each other");
    // From here until train returns, SIGINT and SIGTERM stop training after the current
    // step, with a checkpoint to continue from, instead of killing the process.
    const StopSignals stop;
    const bool resume = args.has("resume");
    if (resume && !args.has("out")) throw cli::UsageError("--resume needs --out DIR, the run to continue");
    const std::string out = args.has("out") ? args.text("out") : std::string("runs/") + recipe.name + "-" + now_stamp();
    const std::string checkpoint = out + "/checkpoint.bin";
    std::vector<std::uint32_t> keep_epochs;
    for (const long long e : args.integer_list("keep-epochs")) {
        if (e > std::numeric_limits<int>::max())
            throw cli::UsageError("--keep-epochs: epoch " + std::to_string(e) + " is beyond any run");
        keep_epochs.push_back(std::uint32_t(e));
    }

    auto check_checkpoint = [&] {
        if (resume && !file_exists(checkpoint))
            throw cli::UsageError("--resume: " + checkpoint + " does not exist (nothing to continue)");
        if (!resume && file_exists(checkpoint))
            throw cli::UsageError("--out " + out + " already holds a run; add --resume to continue it, or choose another --out");
    };
    // Nothing to resume: refused before a lock file appears in a folder that is no run.
    if (resume) check_checkpoint();
    // The folder's lock comes before anything else is read or written there, so a second
    // run with the same --out is refused before it can touch the first one's files.
    RunFolderLock lock;
    if (root && directory_exists(out)) lock = RunFolderLock(out, "--out");
    check_checkpoint();
    // Validate the data before creating anything, so a bad data folder leaves nothing behind.
    const std::string dir = find_data_dir(args);
    const data::Cifar10Set train_set(dir, data::Split::Train), test_set(dir, data::Split::Test);
    data::Cifar10Set::check_same_size(train_set, test_set);
    if (root) make_writable_dir(out, "--out");
    if (root && !lock.held()) {
        lock = RunFolderLock(out, "--out");
        check_checkpoint();  // a run started at the same moment may have got here first
    }

    io::TrainingState state;
    state.seed = args.seed("seed", 1);
    state.train_limit = args.integer("limit", 0);
    state.val_limit = args.integer("val-limit", 0);
    state.keep_epochs = keep_epochs;
    if (args.has("augment")) {
        if (!recipe.augmentation.enabled())
            throw cli::UsageError(std::string("--augment: the recipe of ") + recipe.name + " defines no augmentation");
        state.augment = recipe.augmentation;
    } else if (recipe.augment_by_default && !args.has("no-augment")) {
        state.augment = recipe.augmentation;
    }
    auto net = std::make_unique<Net>(state.seed, threads_flag(args));
    int epochs = int(args.integer("epochs", recipe.epochs));
    if (resume) {
        io::TrainingState saved = io::load_checkpoint(checkpoint, *net);
        auto differs = [&](const char* flag, bool given, bool same) {
            if (given && !same)
                throw cli::UsageError(std::string("--") + flag + " differs from the run being resumed (" + checkpoint + ")");
        };
        differs("seed", args.has("seed"), saved.seed == state.seed);
        // A setting given again must be the run's; the run's settings replace the recipe's.
        RecipeSettings given = settings_of_recipe(recipe);
        for (const RecipeFlag& f : kRecipeFlags) {
            bool same = true;
            with_part(given, f.part, [&](const PartSettings& ours) {
                with_part(saved.recipe, f.part, [&](const PartSettings& theirs) {
                    for (const char* field : f.fields)
                        if (field && field_value(ours, field, -1.0) != field_value(theirs, field, -1.0)) same = false;
                });
            });
            differs(f.flag, args.has(f.flag), same);
        }
        for (const std::string& why : {apply_settings(recipe.optimizer, saved.recipe.optimizer),
                                       apply_settings(recipe.schedule, saved.recipe.schedule),
                                       apply_settings(recipe.loss, saved.recipe.loss)})
            if (!why.empty()) throw io::CheckpointError(checkpoint + ": " + why);
        differs("limit", args.has("limit"), saved.train_limit == state.train_limit);
        const std::uint32_t saved_batch = saved.global_batch ? saved.global_batch : std::uint32_t(Batch);
        differs("global-batch", args.has("global-batch"), std::int64_t(saved_batch) == args.integer("global-batch", Batch));
        differs("val-limit", args.has("val-limit"), saved.val_limit == state.val_limit);
        // Without --augment a run continues as it was trained, augmented or not.
        differs("augment", args.has("augment") || args.has("no-augment"), saved.augment == state.augment);
        // Without --epochs a run continues to the end it was started for (version 1
        // checkpoints do not record it: the recipe's count then).
        if (!args.has("epochs") && saved.epochs_planned > 0) epochs = int(saved.epochs_planned);
        // A new --keep-epochs list replaces the run's; it changes what is kept, not what is trained.
        if (args.has("keep-epochs")) {
            for (const auto e : keep_epochs)
                if (root && e <= saved.epochs_done && !directory_exists(kept_epoch_dir(out, int(e))))
                    std::fprintf(stderr, "%s: warning: --keep-epochs: epoch %u is already done in this run; it cannot be kept now\n",
                                 recipe.name, e);
            saved.keep_epochs = keep_epochs;
        }
        state = saved;
        net->reseed_dropout(state.seed);
    }
    state.epochs_planned = std::uint32_t(epochs);
    std::int64_t steps_done = state.iterations;

    // The global batch: the network's, or --global-batch over several processes, each
    // holding at most the batch its network was compiled for.
    if (!resume) state.global_batch = args.has("global-batch") ? std::uint32_t(args.integer("global-batch", Batch)) : 0;
    const int global_batch = state.global_batch ? int(state.global_batch) : Batch;
    if (global_batch > Batch * comm.size() || global_batch < comm.size())
        throw cli::UsageError("--global-batch: " + std::to_string(global_batch) + " images per step need between " +
                              std::to_string((global_batch + Batch - 1) / Batch) + " and " + std::to_string(global_batch) +
                              " processes (each holds at most " + std::to_string(Batch) + "); this run has " +
                              std::to_string(comm.size()));
    // The linear rule (Goyal et al. 2017): k times the batch, k times the learning rate.
    if (!resume && global_batch != Batch && !args.has("lr"))
        for (const char* field : {"lr", "peak_lr"})
            if (has_field(recipe.schedule, field)) {
                const double lr = field_value(settings_of(recipe.schedule), field, 0.0);
                recipe.schedule.set_field(field, lr * global_batch / Batch);
                break;
            }

    data::Cifar10Reader train_reader(train_set, global_batch, long(state.train_limit), true, state.seed, state.augment,
                                     recipe.normalization);
    // A schedule over the whole run (warm-up, then decay) is stretched to this run's steps
    // when it starts; a resumed run keeps the schedule it started with.
    if (!resume) {
        const std::int64_t run_steps = std::int64_t(epochs) * train_reader.batches_per_epoch();
        optim::fit_schedule_to_run(recipe.schedule, run_steps);
        optim::fit_optimizer_to_run(recipe.optimizer, run_steps);
    }
    if (const char* why = recipe.schedule.invalid()) throw cli::UsageError(std::string("--epochs: ") + why);
    state.recipe = settings_of_recipe(recipe);
    state.optimizer_slots.clear();
    for (int slot = 0; slot < Net::kOptimizerSlots; ++slot)
        state.optimizer_slots.push_back(R::OptimizerType::state_name(slot));
    data::Cifar10Reader val_reader(test_set, Batch * comm.size(), long(state.val_limit), false, 0, {}, recipe.normalization);
    train_reader.set_shard(comm.shard());
    val_reader.set_shard(comm.shard());
    // A first layer set from data (PatchWhitening) learns its filters from the first
    // training images, in file order, before a fresh run's first step.
    if constexpr (Net::kInitFromData)
        if (!resume) {
            const long images = state.train_limit > 0 && long(state.train_limit) < Net::kInitImages ? long(state.train_limit)
                                                                                                     : long(Net::kInitImages);
            data::Cifar10Reader init_reader(train_set, Batch, images, false, 0, {}, recipe.normalization);
            init_reader.start_epoch(0);
            net->begin_data_init();
            for (int n; (n = init_reader.next(net->input(), net->labels())) > 0;) net->observe_for_init(n);
            net->finish_data_init();
        }
    if (state.partial.steps > train_reader.batches_per_epoch())
        throw io::CheckpointError(checkpoint + ": stopped after step " + std::to_string(state.partial.steps) + " of epoch " +
                                  std::to_string(state.epochs_done + 1) + ", but an epoch of this data has only " +
                                  std::to_string(train_reader.batches_per_epoch()) + " steps");
    const int verbose = root ? int(args.integer("verbose", 1)) : 0;
    Progress progress(stdout, verbose);
    const auto names = data::class_names(dir);
    auto is_kept = [&](int epoch) {
        return std::find(state.keep_epochs.begin(), state.keep_epochs.end(), std::uint32_t(epoch)) != state.keep_epochs.end();
    };

    // run.json: the recipe, the data and every session that trained this run.
    const bool training_left = int(state.epochs_done) < epochs;
    if (training_left) {
        io::TrainingSession session;
        session.started = utc_timestamp();
        session.first_epoch = state.epochs_done + 1;
        session.machine = cpu_model_name();
        session.simd = simd_arch_name();
        session.cores = std::uint32_t(available_cores());
        session.threads = std::uint32_t(net->threads());
        state.sessions.push_back(session);
    }
    {
        RunInfo info;
        info.model = recipe.name;
        info.title = recipe.title;
        info.parameters = std::int64_t(Net::kParamCount);
        info.batch = global_batch;
        info.seed = state.seed;
        info.recipe = state.recipe;
        info.augment = state.augment;
        info.train_images = train_reader.size();
        info.val_images = val_reader.size();
        info.data = dir;
        info.epochs_planned = epochs;
        info.keep_epochs = state.keep_epochs;
        info.sessions = state.sessions;
        if (root) io::write_file_atomic(out + "/run.json", run_json(info));
    }

    if (verbose > 0) {
        std::printf("%s: %s\n", recipe.name, recipe.title);
        // The title names the recipe's own settings; say what the flags made of them.
        if (std::any_of(std::begin(kRecipeFlags), std::end(kRecipeFlags), [&](const RecipeFlag& f) { return args.has(f.flag); }))
            std::printf("with the flags: optimizer %s, schedule %s, loss %s\n", describe(state.recipe.optimizer).c_str(),
                        describe(state.recipe.schedule).c_str(), describe(state.recipe.loss).c_str());
        std::printf("data %s: %ld training, %ld validation images; out %s\n", dir.c_str(), train_reader.size(),
                    val_reader.size(), out.c_str());
        std::printf("seed %llu, %d thread%s, SIMD %s; arena %.1f MiB\n", (unsigned long long)state.seed, net->threads(),
                    net->threads() == 1 ? "" : "s", simd_arch_name(), double(Net::kArenaBytes) / 1048576.0);
        if (global_batch != Batch)
            std::printf("global batch %d (--global-batch; the network's is %d): learning rate %s\n", global_batch, Batch,
                        describe(state.recipe.schedule).c_str());
        if (comm.size() > 1) {
            const int fewest = global_batch / comm.size(), most = (global_batch + comm.size() - 1) / comm.size();
            std::printf("%d processes (MPI), %d thread%s each: every process trains %s images of each batch of %d\n",
                        comm.size(), net->threads(), net->threads() == 1 ? "" : "s",
                        fewest == most ? std::to_string(most).c_str() : (std::to_string(fewest) + " or " + std::to_string(most)).c_str(),
                        global_batch);
        }
        if (state.augment.enabled()) std::printf("augmenting training images: %s\n", data::describe(state.augment).c_str());
        if (!state.keep_epochs.empty()) {
            std::string list;
            for (const auto e : state.keep_epochs) list += (list.empty() ? "" : ", ") + std::to_string(e);
            std::printf("keeping weights and confusion matrix after epoch%s %s in %s/epoch-NNN\n",
                        state.keep_epochs.size() == 1 ? "" : "s", list.c_str(), out.c_str());
        }
        if (resume && state.partial.steps > 0)
            std::printf("resuming epoch %u of %d at step %lld of %ld\n", state.epochs_done + 1, epochs,
                        (long long)state.partial.steps + 1, train_reader.batches_per_epoch());
        else if (resume)
            std::printf("resuming after epoch %u of %d\n", state.epochs_done, epochs);
        std::fflush(stdout);
    }

    Evaluation<Net::kClasses> last_eval;
    bool have_eval = false;
    bool interrupted = false;
    // A stop signal seen by any process (all of them, in the same place of the loop).
    auto stop_agreed = [&] {
        double signal = double(stop.signal());
        comm.max(&signal, 1);
        return int(signal);
    };
    int stop_signal = 0;
    for (int epoch = int(state.epochs_done) + 1; epoch <= epochs; ++epoch) {
        if ((stop_signal = stop_agreed()) != 0) {  // arrived during the last validation or the writing after it
            interrupted = true;
            break;
        }
        comm.reset_gradient_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const io::EpochProgress start = state.partial;
        progress.epoch_begin(epoch, epochs, train_reader.batches_per_epoch(), long(start.steps));
        const TrainEpochResult tr =
            train_epoch(*net, recipe, steps_done, train_reader, epoch, progress, start, stop.flag(), &comm);
        if (const long bad = first_non_finite_parameter(*net); bad >= 0)
            throw DivergenceError("epoch " + std::to_string(epoch) + ": parameter " + std::to_string(bad) +
                                  " is not finite after update " + std::to_string(steps_done));
        if (!tr.complete) {  // stopped mid-epoch: the checkpoint below continues at the next step
            progress.epoch_abandoned();
            state.partial = tr.totals;
            state.iterations = steps_done;
            interrupted = true;
            stop_signal = stop_agreed();
            break;
        }
        const double allreduce_seconds = comm.gradient_seconds();
        last_eval = evaluate(*net, val_reader, TestTimeAugmentation::None, &comm);
        have_eval = true;
        const double seconds = start.seconds + seconds_since(t0);

        EpochRecord rec;
        rec.epoch = epoch;
        rec.loss = tr.loss;
        rec.acc = tr.acc;
        rec.val_loss = last_eval.loss;
        rec.val_acc = last_eval.acc;
        rec.lr = recipe.schedule.learning_rate(steps_done);  // of the next step, as Keras logs it
        rec.seconds = seconds;
        state.history.push_back(rec);
        state.iterations = steps_done;
        state.epochs_done = std::uint32_t(epoch);
        state.partial = {};
        // A kept epoch is written before the checkpoint that counts the epoch as done:
        // if the process dies in between, the resumed run repeats the epoch and keeps it.
        if (root && is_kept(epoch)) {
            const std::string kept = kept_epoch_dir(out, epoch);
            const auto matrix = to_matrix<Net>(last_eval.confusion);
            make_dir(kept);
            io::save_checkpoint(kept + "/weights.bin", *net, recipe.name, io::CheckpointContents::Weights, state);
            io::write_file_atomic(kept + "/confusion.csv", report::confusion_csv(matrix, names));
            io::write_file_atomic(kept + "/confusion.svg",
                                  report::confusion_svg(matrix, names, std::string(recipe.name) +
                                                                           " confusion matrix (test set), epoch " +
                                                                           std::to_string(epoch)));
        }
        if (root) {
            io::save_checkpoint(checkpoint, *net, recipe.name, io::CheckpointContents::Training, state);
            io::write_file_atomic(out + "/history.csv", report::history_csv(state.history));
            io::write_file_atomic(out + "/accuracy.svg", report::accuracy_svg(state.history));
            io::write_file_atomic(out + "/loss.svg", report::loss_svg(state.history));
        }

        EpochSummary s;
        s.steps = tr.steps;
        s.seconds = seconds;
        s.images_per_s = tr.seconds > 0 ? double(tr.images) / tr.seconds : 0;
        s.loss = tr.loss;
        s.acc = tr.acc;
        s.val_loss = last_eval.loss;
        s.val_acc = last_eval.acc;
        if (comm.size() > 1 && tr.steps > long(start.steps))
            s.allreduce_ms_per_step = 1000.0 * allreduce_seconds / double(tr.steps - long(start.steps));
        progress.epoch_end(s);

        // Stuck at chance: say why, if a layer of ReLUs died.
        if (root && last_eval.acc <= 1.5 / Net::kClasses) {
            constexpr long kProbe = 1024;
            const auto activity = relu_activity(*net, val_reader, kProbe);
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
                       : "Such a run may stay at chance for several epochs or for good; restart with another --seed "
                         "or a lower --lr.";
            std::fprintf(stderr, "%s: warning: after epoch %d validation accuracy is %.2f%%, chance level. %s\n",
                         recipe.name, epoch, 100.0 * last_eval.acc, why.c_str());
        }
    }

    double total_seconds = state.partial.seconds;
    for (const auto& r : state.history) total_seconds += r.seconds;
    // summary.txt: the recipe, every epoch, and the final evaluation (none when interrupted).
    auto write_summary = [&](const Evaluation<Net::kClasses>* final_eval, const std::string& note) {
        MemoryFile summary;
        std::fprintf(summary.get(), "%s: %s\n\n", recipe.name, recipe.title);
        print_architecture<Net>(summary.get());
        print_memory_plan(summary.get(), *net);
        std::fprintf(summary.get(), "\nTraining: seed %llu, batch %d, optimizer %s, schedule %s, loss %s\n",
                     (unsigned long long)state.seed, global_batch, describe(state.recipe.optimizer).c_str(),
                     describe(state.recipe.schedule).c_str(), describe(state.recipe.loss).c_str());
        std::fprintf(summary.get(), "Augmentation of training images: %s\n", data::describe(state.augment).c_str());
        std::fprintf(summary.get(), "Data: %s, %ld training and %ld validation images\n\n", dir.c_str(),
                     train_reader.size(), val_reader.size());
        std::fprintf(summary.get(), "epoch      loss       acc  val_loss   val_acc   seconds\n");
        for (const auto& r : state.history)
            std::fprintf(summary.get(), "%5d  %8.4f  %8.4f  %8.4f  %8.4f  %8.1f\n", r.epoch, r.loss, r.acc, r.val_loss,
                         r.val_acc, r.seconds);
        if (!note.empty()) std::fprintf(summary.get(), "\n%s\n", note.c_str());
        if (final_eval) {
            std::fprintf(summary.get(), "\nAccuracy: %.2f%%\n", 100.0 * final_eval->acc);
            print_confusion<Net>(final_eval->confusion, summary.get());
        }
        std::fprintf(summary.get(), "%sTime of learning: %s\n", final_eval ? "" : "\n", format_seconds(total_seconds).c_str());
        io::write_file_atomic(out + "/summary.txt", summary.text());
    };

    if (interrupted) {
        const long steps = train_reader.batches_per_epoch();
        char where[160];
        if (state.partial.steps > 0)
            std::snprintf(where, sizeof where, "in epoch %u of %d after step %lld of %ld", state.epochs_done + 1, epochs,
                          (long long)state.partial.steps, steps);
        else
            std::snprintf(where, sizeof where, "after epoch %u of %d", state.epochs_done, epochs);
        const char* signal_name = StopSignals::name_of(stop_signal);
        if (state.iterations == 0) {
            if (root)
                std::fprintf(stderr, "%s: interrupted by %s before the first training step; nothing to continue\n",
                             recipe.name, signal_name);
            return 128 + stop_signal;
        }
        if (!root) return 128 + stop_signal;
        // Saved again even between epochs: it then also records what this session changed
        // (--epochs, --keep-epochs, the session itself).
        io::save_checkpoint(checkpoint, *net, recipe.name, io::CheckpointContents::Training, state);
        io::save_checkpoint(out + "/weights.bin", *net, recipe.name, io::CheckpointContents::Weights, state);
        write_summary(nullptr, std::string("Interrupted by ") + signal_name + " " + where +
                                   "; weights.bin holds the weights at that point, checkpoint.bin continues from it.");
        std::string again = std::string(recipe.name) + " train --out " + shell_word(out) + " --resume";
        if (args.has("data")) again += " --data " + shell_word(dir);
        std::fprintf(stderr, "%s: interrupted by %s %s; checkpoint, weights and reports are in %s; continue with: %s\n",
                     recipe.name, signal_name, where, out.c_str(), again.c_str());
        return 128 + stop_signal;
    }

    if (!have_eval) {  // resumed a finished run: evaluate for the reports
        last_eval = evaluate(*net, val_reader, TestTimeAugmentation::None, &comm);
    }
    if (!root) return 0;
    io::save_checkpoint(out + "/weights.bin", *net, recipe.name, io::CheckpointContents::Weights, state);
    const auto matrix = to_matrix<Net>(last_eval.confusion);
    io::write_file_atomic(out + "/confusion.svg",
                          report::confusion_svg(matrix, names, std::string(recipe.name) + " confusion matrix (test set)"));
    io::write_file_atomic(out + "/confusion.csv", report::confusion_csv(matrix, names));
    {
        std::vector<std::vector<unsigned char>> records(Net::kClasses);
        std::vector<unsigned char> rec(data::kRecordBytes);
        int found = 0;
        for (long i = 0; i < test_set.records() && found < Net::kClasses; ++i) {
            test_set.read_record(i, rec.data());
            if (records[rec[0]].empty()) {
                records[rec[0]].assign(rec.begin() + 1, rec.end());
                ++found;
            }
        }
        std::vector<const unsigned char*> images;
        std::vector<std::string> labels;
        for (int k = 0; k < Net::kClasses; ++k)
            if (!records[k].empty()) {
                images.push_back(records[k].data());
                labels.push_back(k < int(names.size()) ? names[k] : std::to_string(k));
            }
        const auto png = report::samples_png(images, labels);
        io::write_file_atomic(out + "/samples.png", std::string(png.begin(), png.end()));
    }
    write_summary(&last_eval, "");

    std::printf("Accuracy: %.2f%%\n", 100.0 * last_eval.acc);
    print_confusion<Net>(last_eval.confusion, stdout);
    std::printf("Time of learning: %s\n", format_seconds(total_seconds).c_str());
    std::printf("Reports in %s: history.csv accuracy.svg loss.svg confusion.svg confusion.csv samples.png summary.txt "
                "weights.bin run.json%s\n",
                out.c_str(), state.keep_epochs.empty() ? "" : " epoch-NNN/");
    return 0;
}

// `train` on the processes this command was started on (processes.hpp). With several, a
// failure on one ends them all at once: the others would wait for it in the next sum.
// A command-line problem, a divergence or an unusable checkpoint is the same on every
// process and printed by the root alone; anything else is named with the rank that met it.
template <class Arch, int Batch, class R>
int train(const R& recipe, const cli::Args& args) {
    const std::unique_ptr<Communicator> comm = join_processes();
    if (comm->size() == 1) return train_on<Arch, Batch>(recipe, args, *comm);
    try {
        return train_on<Arch, Batch>(recipe, args, *comm);
    } catch (const std::exception& e) {
        const bool same_everywhere = dynamic_cast<const cli::UsageError*>(&e) || dynamic_cast<const DivergenceError*>(&e) ||
                                     dynamic_cast<const io::CheckpointError*>(&e);
        const int status = dynamic_cast<const cli::UsageError*>(&e) ? 2 : 1;
        if (comm->is_root())
            std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        else if (!same_everywhere)
            std::fprintf(stderr, "%s: process %d of %d: %s\n", recipe.name, comm->rank(), comm->size(), e.what());
        std::fflush(stderr);
        comm->abort(status);
        return status;  // not reached: abort ends the process
    }
}

// ---- evaluate, predict -------------------------------------------------------------

// --tta: none, flip or flip-translate.
inline TestTimeAugmentation tta_flag(const cli::Args& args) {
    if (!args.has("tta")) return TestTimeAugmentation::None;
    if (args.text("tta") == "flip") return TestTimeAugmentation::Flip;
    if (args.text("tta") == "flip-translate") return TestTimeAugmentation::FlipTranslate;
    throw cli::UsageError("--tta: expected flip or flip-translate, got '" + args.text("tta") + "'");
}

template <class Arch, int Batch, class R>
int evaluate_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const TestTimeAugmentation tta = tta_flag(args);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    load_weights(*net, args);
    const std::string dir = find_data_dir(args);
    const data::Cifar10Set test_set(dir, data::Split::Test);
    data::Cifar10Reader reader(test_set, Batch, long(args.integer("val-limit", 0)), false, 0, {}, recipe.normalization);
    const auto t0 = std::chrono::steady_clock::now();
    const auto e = evaluate(*net, reader, tta);
    std::printf("%s: %ld test images%s, loss %.4f, %.1f s\n", recipe.name, e.images,
                tta_description(tta),
                e.loss, seconds_since(t0));
    std::printf("Accuracy: %.2f%%\n", 100.0 * e.acc);
    print_confusion<Net>(e.confusion, stdout);
    return 0;
}

// export --weights FILE --format c [--int8] --out DIR: <name>.h and <name>.c in DIR
// (made if missing), both written or neither. --int8 calibrates on the first --limit
// training images (default 2000) of --data.
template <class Arch, int Batch, class R>
int export_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    if (!args.has("format")) throw cli::UsageError("export needs --format c or --format onnx");
    const std::string format = args.text("format");
    if (format != "c" && format != "onnx")
        throw cli::UsageError("--format: expected 'c' or 'onnx', got '" + format + "'");
    if (format == "onnx" && args.has("int8")) throw cli::UsageError("--int8 goes with --format c only");
    if (!args.has("out")) throw cli::UsageError("export needs --out DIR");
    auto net = std::make_unique<Net>(1, 1);
    load_weights(*net, args);
    const std::string dir = args.text("out");
    if (format == "onnx") {
        const std::string bytes = export_onnx::model(*net, recipe.name, recipe.normalization);
        make_writable_dir(dir, "--out");
        io::write_file_atomic(dir + "/" + recipe.name + ".onnx", bytes);
        std::printf("%s: wrote %s/%s.onnx (%s bytes; input [N, 3, 32, 32] = bytes / 255, channels first; output "
                    "probabilities [N, %d])\n",
                    recipe.name, dir.c_str(), recipe.name, with_commas(bytes.size()).c_str(), Net::kClasses);
        return 0;
    }
    export_c::Options options;
    options.normalization = recipe.normalization;
    if (args.has("int8")) {
        const data::Cifar10Set train_set(find_data_dir(args), data::Split::Train);
        const long images = long(args.integer("limit", 2000));
        data::Cifar10Reader reader(train_set, Batch, images, false, 0, {}, recipe.normalization);
        reader.start_epoch(0);
        options.input_max = export_c::calibrate(*net, [&] { return reader.next(net->input(), net->labels()); }, images);
    }
    const export_c::CSource code = export_c::generate(*net, recipe.name, options, args.text("weights"));
    make_writable_dir(dir, "--out");
    io::AtomicFile header(dir + "/" + recipe.name + ".h"), source(dir + "/" + recipe.name + ".c");
    header.write(code.header);
    source.write(code.source);
    header.commit();
    source.commit();
    std::printf("%s: wrote %s/%s.h and %s/%s.c: %s bytes of %sweights, %s bytes of arena (%s_ARENA_BYTES)\n", recipe.name,
                dir.c_str(), recipe.name, dir.c_str(), recipe.name, with_commas(code.weight_bytes).c_str(),
                options.input_max.empty() ? "" : "int8 ",
                with_commas(code.arena_bytes).c_str(), export_c::detail::upper(recipe.name).c_str());
    return 0;
}

template <class Arch, int Batch, class R>
int predict_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const auto& inputs = args.positional();
    if (inputs.empty()) throw cli::UsageError("predict needs at least one IMAGE (a 32x32 PNG/PPM file or test:INDEX)");
    auto test_index = [](const std::string& in) {
        const std::string idx = in.substr(5);
        char* end = nullptr;
        const long i = std::strtol(idx.c_str(), &end, 10);
        if (idx.empty() || *end != '\0' || i < 0) throw cli::UsageError(in + ": expected test:INDEX with INDEX >= 0");
        return i;
    };
    for (const auto& in : inputs)
        if (in.rfind("test:", 0) == 0) test_index(in);  // syntax first, before any file is read
    auto net = std::make_unique<Net>(1, threads_flag(args));
    load_weights(*net, args);
    std::unique_ptr<data::Cifar10Set> test_set;
    std::string dir;
    std::vector<unsigned char> record(data::kRecordBytes);
    std::vector<int> truth;
    std::vector<std::string> names;
    // Decode everything first, so a bad image stops the command before any output.
    std::vector<std::vector<unsigned char>> pixels;
    for (const auto& in : inputs) {
        std::vector<unsigned char> px(data::kImageBytes);
        if (in.rfind("test:", 0) == 0) {
            const long i = test_index(in);
            if (!test_set) {
                dir = find_data_dir(args);
                test_set = std::make_unique<data::Cifar10Set>(dir, data::Split::Test);
                names = data::class_names(dir);
            }
            if (i >= test_set->records())
                throw cli::UsageError(in + ": the test set has " + std::to_string(test_set->records()) + " records");
            test_set->read_record(i, record.data());
            std::copy(record.begin() + 1, record.end(), px.begin());
            truth.push_back(record[0]);
        } else {
            load_image_32x32(in, px.data());
            truth.push_back(-1);
        }
        pixels.push_back(std::move(px));
    }
    if (names.empty()) {
        try {
            names = data::class_names(find_data_dir(args));
        } catch (const data::DataError&) {
            names = data::class_names("");
        }
    }
    auto name = [&](int k) { return k < int(names.size()) ? names[k] : std::to_string(k); };
    for (std::size_t first = 0; first < pixels.size(); first += Batch) {
        const int n = int(std::min<std::size_t>(Batch, pixels.size() - first));
        for (int r = 0; r < n; ++r) {
            float* image = net->input() + std::size_t(r) * data::kImageBytes;
            data::record_to_float(pixels[first + r].data(), image);
            data::normalize_channels(image, data::kPixels, recipe.normalization);
        }
        net->forward(n, false);
        for (int r = 0; r < n; ++r) {
            const float* p = net->probabilities() + std::size_t(r) * Net::kClasses;
            int top[3] = {0, 0, 0};
            std::vector<bool> used(Net::kClasses, false);
            for (int t = 0; t < 3 && t < Net::kClasses; ++t) {
                int best = -1;
                for (int k = 0; k < Net::kClasses; ++k)
                    if (!used[k] && (best < 0 || p[k] > p[best])) best = k;
                used[best] = true;
                top[t] = best;
            }
            std::printf("%s:", inputs[first + r].c_str());
            for (int t = 0; t < 3 && t < Net::kClasses; ++t)
                std::printf("%s %s %.4f", t ? "," : "", name(top[t]).c_str(), p[top[t]]);
            if (truth[first + r] >= 0) std::printf("  (label: %s)", name(truth[first + r]).c_str());
            std::printf("\n");
        }
    }
    return 0;
}

// ---- bench -------------------------------------------------------------------------

// Full training steps (or inference passes) of one batch, after a warm-up, for
// --seconds; prints one JSON line ending with "images_per_s": X}. The batch is
// synthetic (uniform pixels, labels cycling through the classes), or with --data the
// first images of the training set.
//
// --profile: the same steps again with a clock read before and after every layer's
// forward and backward pass; per layer, milliseconds per step, share of the step and,
// for convolution and dense layers, GFLOP/s (what is not in any layer — the optimizer
// step, constraints, the clock itself — is the last row).
struct LayerClock {
    std::vector<double> forward, backward;
    std::chrono::steady_clock::time_point begin;
    static void on_layer(void* user, int k, ProbePhase phase) {
        auto& c = *static_cast<LayerClock*>(user);
        const auto now = std::chrono::steady_clock::now();
        if (phase == ProbePhase::ForwardBegin || phase == ProbePhase::BackwardBegin) {
            c.begin = now;
            return;
        }
        (phase == ProbePhase::ForwardEnd ? c.forward : c.backward)[std::size_t(k)] +=
            std::chrono::duration<double>(now - c.begin).count();
    }
};

template <class Net, class Step>
void print_profile(Net& net, Step& one, bool train, double seconds) {
    LayerClock clock;
    clock.forward.assign(Net::kLayers, 0.0);
    clock.backward.assign(Net::kLayers, 0.0);
    net.set_probe({&LayerClock::on_layer, &clock});
    long steps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (steps < 3 || seconds_since(t0) < seconds) {
        one();
        ++steps;
    }
    const double total = seconds_since(t0) / double(steps);
    net.set_probe({});
    std::printf("\n%-10s %-20s %11s %11s %7s %9s\n", "layer", "kind", "forward ms", "backward ms", "share", "GFLOP/s");
    double in_layers = 0;
    bool first_weighted = true;
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        const double f = clock.forward[std::size_t(k)] / double(steps), b = clock.backward[std::size_t(k)] / double(steps);
        in_layers += f + b;
        const double macs = double(detail::layer_macs<L>()) * Net::kBatch;
        // Forward, and in training the kernel gradient and (past the first weighted layer) the input gradient.
        const double work = macs == 0 ? 0 : 2 * macs * (train ? (first_weighted ? 2 : 3) : 1);
        if (macs > 0) first_weighted = false;
        char gflops[32] = "";
        if (work > 0) std::snprintf(gflops, sizeof gflops, "%9.1f", work / (f + b) / 1e9);
        std::printf("%-10s %-20s %11.3f %11.3f %6.1f%% %9s\n", net.layer_name(int(k)), L::kind, 1e3 * f, 1e3 * b,
                    100.0 * (f + b) / total, gflops);
    });
    std::printf("%-31s %11.3f %11s %6.1f%%\n", train ? "optimizer, constraints, rest" : "rest", 1e3 * (total - in_layers), "",
                100.0 * (total - in_layers) / total);
    std::printf("%-31s %11.3f ms per step of %d images (%ld steps)\n", "step", 1e3 * total, Net::kBatch, steps);
}

template <class Arch, int Batch, class R>
int bench_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const auto& pos = args.positional();
    const std::string mode = pos.empty() ? "train" : pos[0];
    if (pos.size() > 1 || (mode != "train" && mode != "infer"))
        throw cli::UsageError("bench takes one mode: train or infer");
    const double seconds = args.real("seconds", 5.0);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    Rng rng(1);
    const bool real_data = args.has("data");
    if (real_data) {
        const data::Cifar10Set train_set(find_data_dir(args), data::Split::Train);
        data::Cifar10Reader reader(train_set, Batch, Batch, false, 0, {}, recipe.normalization);
        reader.start_epoch(0);
        if (reader.next(net->input(), net->labels()) != Batch) throw data::DataError("bench: fewer images than one batch");
    } else {
        for (std::size_t e = 0; e < std::size_t(Batch) * Net::InShape::size; ++e) net->input()[e] = rng.uniform01();
        for (int r = 0; r < Batch; ++r) net->labels()[r] = r % Net::kClasses;
    }
    const bool train = mode == "train";
    std::int64_t step = 0;
    auto one = [&] {
        if (train) {
            train_step(*net, recipe, Batch, step);
        } else {
            net->forward(Batch, false);
        }
        ++step;
    };
    const auto w0 = std::chrono::steady_clock::now();
    while (step < 3 || seconds_since(w0) < std::min(1.0, seconds / 5)) one();  // warm-up
    step = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (seconds_since(t0) < seconds) one();
    const double elapsed = seconds_since(t0);
    const double images = double(step) * Batch;
    const double flops = double(train ? training_flops_per_image<Net>() : forward_flops_per_image<Net>());
    std::printf("{\"model\": \"%s\", \"mode\": \"%s\", \"batch\": %d, \"threads\": %d, \"simd\": \"%s\", "
                "\"data\": \"%s\", \"steps\": %llu, \"seconds\": %.3f, \"gflops_per_s\": %.1f, \"images_per_s\": %.1f}\n",
                recipe.name, mode.c_str(), Batch, net->threads(), simd_arch_name(), real_data ? "cifar10" : "synthetic",
                (unsigned long long)step, elapsed,
                images * flops / elapsed / 1e9, images / elapsed);
    if (args.has("profile")) print_profile(*net, one, train, seconds);
    return 0;
}

}  // namespace app

template <class Arch, int Batch, class R>
int run_app(const R& recipe, int argc, char** argv) {
    using Net = NetworkFor<Arch, Batch, R>;
    if (argc < 2) {
        app::print_usage(stderr, recipe);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        app::print_usage(stdout, recipe);
        return 0;
    }
    try {
        const cli::Args args(argc, argv, 2, app::flag_specs());
        if (args.has("help")) {
            app::print_usage(stdout, recipe);
            return 0;
        }
        if (int(args.integer("verbose", 1)) > 2) throw cli::UsageError("--verbose: expected 0, 1 or 2");
        app::threads_flag(args);  // refuses an absurd --threads before any command starts work
        if (command == "summary") {
            std::printf("%s: %s\n\n", recipe.name, recipe.title);
            print_architecture<Net>(stdout);
            auto net = std::make_unique<Net>(1, app::threads_flag(args));
            print_memory_plan(stdout, *net);
            std::printf("%s\n", mpi_support_line().c_str());
            return 0;
        }
        if (command == "train") return app::train<Arch, Batch>(recipe, args);
        if (command == "evaluate") return app::evaluate_command<Arch, Batch>(recipe, args);
        if (command == "predict") return app::predict_command<Arch, Batch>(recipe, args);
        if (command == "bench") return app::bench_command<Arch, Batch>(recipe, args);
        if (command == "compare") return compare::compare_command(args, stdout);
        if (command == "export") return app::export_command<Arch, Batch>(recipe, args);
        throw cli::UsageError("unknown command '" + command + "'");
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        std::fprintf(stderr, "Run '%s --help' for usage.\n", recipe.name);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        return 1;
    }
}

}  // namespace statnn
