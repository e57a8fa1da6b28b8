// src/commands/train/run.hpp — one training run in four phases: settle the settings
// (flags and the checkpoint of a resumed run into one state), open the data, the epoch
// loop, the reports.
//
// It trains on the processes of `comm` (one, or an MPI job's ranks): every process
// trains its share of each batch; the root (rank 0) alone prints, takes the folder's
// lock and writes reports and checkpoints.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "commands/text.hpp"
#include "commands/trained_weights.hpp"
#include "commands/train/recipe_flags.hpp"
#include "commands/train/reports.hpp"
#include "files.hpp"
#include "progress.hpp"
#include "run_folder.hpp"
#include "statnn/data/dataset.hpp"
#include "statnn/io/checkpoint.hpp"
#include "stop_signals.hpp"
#include "trainer.hpp"

namespace statnn::app {

template <class Arch, int Batch, class R>
class TrainingRun {
public:
    using Net = NetworkFor<Arch, Batch, R>;
    using Eval = Evaluation<Net::kClasses>;

    TrainingRun(const R& base_recipe, const cli::Args& arguments, Communicator& processes)
        : args(arguments), comm(processes), root(processes.is_root()), recipe(recipe_from_flags(base_recipe, arguments)) {
        if (args.has("augment") && args.has("no-augment"))
            throw cli::UsageError("--augment and --no-augment contradict each other");
        final_tta = tta_flag(args, recipe.final_tta);
    }

    int run() {
        settle_folder();
        settle_state();
        settle_normalization();
        open_readers();
        settle_schedule();
        if constexpr (Net::kInitFromData)
            if (!resume && !first_layer_from_file) init_from_data();
        begin_session();
        run_epochs();
        return interrupted ? finish_interrupted() : finish();
    }

    // What the phases share; the reports (reports.hpp) read it.
    const cli::Args& args;
    Communicator& comm;
    const bool root;
    R recipe;
    // From here until the run ends, SIGINT and SIGTERM stop training after the current
    // step, with a checkpoint to continue from, instead of killing the process.
    const StopSignals stop;
    bool resume = false;
    std::string out, checkpoint;
    RunFolderLock lock;
    std::optional<data::Dataset> dataset;
    std::unique_ptr<Net> net;
    io::TrainingState state;
    int epochs = 0, global_batch = Batch, verbose = 0;
    long normalization_images = 0;  // training images the normalisation was measured on by this session
    std::int64_t steps_done = 0;
    std::optional<NetworkReader<Net>> train_reader, val_reader;
    std::optional<Progress> progress;
    Eval last_eval;                                              // of the last epoch's validation
    TestTimeAugmentation final_tta = TestTimeAugmentation::None;  // views of the final evaluation
    bool have_eval = false, interrupted = false;
    bool first_layer_from_file = false;  // --init-from set the first layer (a whitening stem's filters too)
    int stop_signal = 0;

private:
    // ---- phase 1: settle the settings -------------------------------------------------

    void check_checkpoint() const {
        if (resume && !file_exists(checkpoint))
            throw cli::UsageError("--resume: " + checkpoint + " does not exist (nothing to continue)");
        if (!resume && file_exists(checkpoint))
            throw cli::UsageError("--out " + out + " already holds a run; add --resume to continue it, or choose another --out");
    }

    // The run folder locked and the data validated, in the order that leaves nothing
    // behind when either is refused.
    void settle_folder() {
        resume = args.has("resume");
        if (resume && !args.has("out")) throw cli::UsageError("--resume needs --out DIR, the run to continue");
        out = args.has("out") ? args.text("out") : std::string("runs/") + recipe.name + "-" + now_stamp();
        checkpoint = out + "/checkpoint.bin";
        state.keep_epochs = keep_epochs_flag();
        // Nothing to resume: refused before a lock file appears in a folder that is no run.
        if (resume) check_checkpoint();
        // The folder's lock comes before anything else is read or written there, so a second
        // run with the same --out is refused before it can touch the first one's files.
        if (root && directory_exists(out)) lock = RunFolderLock(out, "--out");
        check_checkpoint();
        // Validate the data before creating anything, so a bad data folder leaves nothing behind.
        const std::string dir = find_data_dir(args);
        const data::DataOptions options = data::with_format_of(dir, options_of_run());
        check_selection(options.selection, dir, options, Net::kClasses);
        dataset.emplace(dir, options);
        dataset->check_fits(network_record_shape<Net>(), Net::kClasses);
        dataset->class_names = data::names_for_classes(dataset->class_names, Net::kClasses);
        // Weights from another file too, so that a file that does not fit leaves nothing behind.
        if (!resume && args.has("init-from")) {
            net = std::make_unique<Net>(args.seed("seed", 1), threads_flag(args));
            init_from_file();
        }
        if (root) make_writable_dir(out, "--out");
        if (root && !lock.held()) {
            lock = RunFolderLock(out, "--out");
            check_checkpoint();  // a run started at the same moment may have got here first
        }
    }

    // The data options of the flags; a resumed run's classes, images per class and seed
    // unless the flags give them (adopt_checkpoint then refuses any that differ).
    data::DataOptions options_of_run() const {
        data::DataOptions options = data_options(args);
        if (!resume) return options;
        const io::TrainingState saved = io::read_checkpoint_state(checkpoint);
        if (!args.has("classes")) options.selection.classes.assign(saved.classes.begin(), saved.classes.end());
        if (!args.has("per-class")) options.selection.per_class = long(saved.per_class);
        options.selection.seed = saved.seed;
        return options;
    }

    std::vector<std::uint32_t> keep_epochs_flag() const {
        std::vector<std::uint32_t> keep;
        for (const long long e : args.integer_list("keep-epochs")) {
            if (e > std::numeric_limits<int>::max())
                throw cli::UsageError("--keep-epochs: epoch " + std::to_string(e) + " is beyond any run");
            keep.push_back(std::uint32_t(e));
        }
        return keep;
    }

    // The state of a new run from the flags, or of the resumed one from its checkpoint.
    void settle_state() {
        state.seed = args.seed("seed", 1);
        state.train_limit = args.integer("limit", 0);
        state.val_limit = args.integer("val-limit", 0);
        if (args.has("augment")) {
            if (!recipe.augmentation.enabled())
                throw cli::UsageError(std::string("--augment: the recipe of ") + recipe.name + " defines no augmentation");
            state.augment = recipe.augmentation;
        } else if (recipe.augment_by_default && !args.has("no-augment")) {
            state.augment = recipe.augmentation;
        }
        const data::ClassSelection& selection = dataset->options.selection;
        state.classes.assign(selection.classes.begin(), selection.classes.end());
        state.per_class = selection.per_class;
        if (!net) net = std::make_unique<Net>(state.seed, threads_flag(args));
        epochs = int(args.integer("epochs", recipe.epochs));
        if (resume) adopt_checkpoint();
        state.dataset = describe_dataset(*dataset);
        state.epochs_planned = std::uint32_t(epochs);
        steps_done = state.iterations;
        settle_global_batch();
    }

    void refuse_if_differs(const char* flag, bool given, bool same) const {
        if (given && !same) throw cli::UsageError(std::string("--") + flag + " differs from the run being resumed (" + checkpoint + ")");
    }

    // A resumed run: a setting given again must be the run's; the run's settings replace the recipe's.
    void adopt_checkpoint() {
        io::TrainingState saved = io::load_checkpoint(checkpoint, *net);
        refuse_if_differs("seed", args.has("seed"), saved.seed == state.seed);
        const RecipeSettings given = settings_of_recipe(recipe);
        for (const RecipeFlag& f : kRecipeFlags)
            refuse_if_differs(f.flag, args.has(f.flag), recipe_flag_matches(f, given, saved.recipe));
        for (const std::string& why : {apply_settings(recipe.optimizer, saved.recipe.optimizer),
                                       apply_settings(recipe.schedule, saved.recipe.schedule),
                                       apply_settings(recipe.loss, saved.recipe.loss)})
            if (!why.empty()) throw io::CheckpointError(checkpoint + ": " + why);
        refuse_if_differs("limit", args.has("limit"), saved.train_limit == state.train_limit);
        refuse_if_differs("classes", args.has("classes"), saved.classes == state.classes);
        refuse_if_differs("per-class", args.has("per-class"), saved.per_class == state.per_class);
        refuse_if_differs("init-from", args.has("init-from"), saved.init_from == args.text("init-from"));
        const std::uint32_t saved_batch = saved.global_batch ? saved.global_batch : std::uint32_t(Batch);
        refuse_if_differs("global-batch", args.has("global-batch"), std::int64_t(saved_batch) == args.integer("global-batch", Batch));
        refuse_if_differs("val-limit", args.has("val-limit"), saved.val_limit == state.val_limit);
        // Without --augment a run continues as it was trained, augmented or not.
        refuse_if_differs("augment", args.has("augment") || args.has("no-augment"), saved.augment == state.augment);
        // Without --epochs a run continues to the end it was started for (version 1
        // checkpoints do not record it: the recipe's count then).
        if (!args.has("epochs") && saved.epochs_planned > 0) epochs = int(saved.epochs_planned);
        // A new --keep-epochs list replaces the run's; it changes what is kept, not what is trained.
        if (args.has("keep-epochs")) {
            for (const auto e : state.keep_epochs)
                if (root && e <= saved.epochs_done && !directory_exists(kept_epoch_dir(out, int(e))))
                    std::fprintf(stderr, "%s: warning: --keep-epochs: epoch %u is already done in this run; it cannot be kept now\n",
                                 recipe.name, e);
            saved.keep_epochs = state.keep_epochs;
        }
        state = saved;
        net->reseed_dropout(state.seed);
    }

    // --init-from: the tensors of another model's file that match by name and shape; the
    // rest keep their seeded initial values. Printed, then kept in the checkpoint.
    void init_from_file() {
        const std::string file = args.text("init-from");
        const io::InitFromReport r = io::init_from_checkpoint(file, *net);
        state.init_from = file;
        const std::string first = std::string(net->layer_name(0)) + ".";
        for (const std::string& name : r.loaded) first_layer_from_file = first_layer_from_file || name.rfind(first, 0) == 0;
        if (!root) return;
        auto list = [](const std::vector<std::string>& names) {
            std::string text;
            for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
            return text;
        };
        std::printf("%s: init from %s (%s): loaded %zu tensors: %s", recipe.name, file.c_str(), r.model.c_str(), r.loaded.size(),
                    list(r.loaded).c_str());
        if (!r.initialized.empty()) std::printf("; initialised %zu: %s", r.initialized.size(), list(r.initialized).c_str());
        std::printf("\n");
    }

    // The normalisation of every image the network sees: a resumed run's own (the recipe's
    // for a checkpoint that records none); in a new run the recipe's, its values measured on
    // the training records first when it asks for that.
    void settle_normalization() {
        if (resume) {
            state.normalization = trained_normalization(state, recipe, checkpoint);
        } else if (recipe.normalization.awaits_statistics()) {
            const data::ChannelStatistics s = data::channel_statistics(*dataset->train, long(state.train_limit));
            state.normalization = data::normalization_from(s);
            normalization_images = s.records;
        } else {
            state.normalization = recipe.normalization;
        }
    }

    // The global batch: the network's, or --global-batch over several processes, each
    // holding at most the batch its network was compiled for.
    void settle_global_batch() {
        if (!resume) state.global_batch = args.has("global-batch") ? std::uint32_t(args.integer("global-batch", Batch)) : 0;
        global_batch = state.global_batch ? int(state.global_batch) : Batch;
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
    }

    // A schedule over the whole run (warm-up, then decay) is stretched to this run's steps
    // when it starts; a resumed run keeps the schedule it started with.
    void settle_schedule() {
        if (!resume) {
            const std::int64_t run_steps = std::int64_t(epochs) * train_reader->batches_per_epoch();
            optim::fit_schedule_to_run(recipe.schedule, run_steps);
            optim::fit_optimizer_to_run(recipe.optimizer, run_steps);
        }
        if (const char* why = recipe.schedule.invalid()) throw cli::UsageError(std::string("--epochs: ") + why);
        state.recipe = settings_of_recipe(recipe);
        state.optimizer_slots.clear();
        for (int slot = 0; slot < Net::kOptimizerSlots; ++slot) state.optimizer_slots.push_back(R::OptimizerType::state_name(slot));
        if (state.partial.steps > train_reader->batches_per_epoch())
            throw io::CheckpointError(checkpoint + ": stopped after step " + std::to_string(state.partial.steps) + " of epoch " +
                                      std::to_string(state.epochs_done + 1) + ", but an epoch of this data has only " +
                                      std::to_string(train_reader->batches_per_epoch()) + " steps");
    }

    // ---- phase 2: open the data --------------------------------------------------------

    void open_readers() {
        train_reader.emplace(*dataset->train, global_batch, long(state.train_limit), true, state.seed, state.augment,
                             *state.normalization);
        val_reader.emplace(*dataset->test, Batch * comm.size(), long(state.val_limit), false, 0, data::Augmentation{},
                           *state.normalization);
        train_reader->set_shard(comm.shard());
        val_reader->set_shard(comm.shard());
    }

    // A first layer set from data (PatchWhitening) learns its filters from the first
    // training images, in file order, before a fresh run's first step.
    void init_from_data() {
        const long images = state.train_limit > 0 && long(state.train_limit) < Net::kInitImages ? long(state.train_limit)
                                                                                                 : long(Net::kInitImages);
        net->begin_data_init();
        for_first_training_images(*net, *dataset->train, images, *state.normalization,
                                  [&](int n) { net->observe_for_init(n); });
        net->finish_data_init();
    }

    // run.json and the banner, with this session in the run's list when it trains.
    void begin_session() {
        verbose = root ? int(args.integer("verbose", 1)) : 0;
        progress.emplace(stdout, verbose);
        if (int(state.epochs_done) < epochs) {
            io::TrainingSession session;
            session.started = utc_timestamp();
            session.first_epoch = state.epochs_done + 1;
            session.machine = cpu_model_name();
            session.simd = simd_arch_name();
            session.cores = std::uint32_t(available_cores());
            session.threads = std::uint32_t(net->threads());
            state.sessions.push_back(session);
        }
        if (root) write_run_json(*this);
        if (verbose > 0) print_banner(*this, args);
    }

    // ---- phase 3: the epoch loop -------------------------------------------------------

    // A stop signal seen by any process (all of them, in the same place of the loop).
    int stop_agreed() {
        double signal = double(stop.signal());
        comm.max(&signal, 1);
        return int(signal);
    }

    bool is_kept(int epoch) const {
        return std::find(state.keep_epochs.begin(), state.keep_epochs.end(), std::uint32_t(epoch)) != state.keep_epochs.end();
    }

    void run_epochs() {
        for (int epoch = int(state.epochs_done) + 1; epoch <= epochs; ++epoch) {
            if ((stop_signal = stop_agreed()) != 0) {  // arrived during the last validation or the writing after it
                interrupted = true;
                return;
            }
            if (!run_epoch(epoch)) return;
        }
    }

    // One epoch, its validation and its reports; false when a stop signal ended it early.
    bool run_epoch(int epoch) {
        comm.reset_gradient_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const io::EpochProgress start = state.partial;
        progress->epoch_begin(epoch, epochs, train_reader->batches_per_epoch(), long(start.steps));
        const TrainEpochResult tr = train_epoch(*net, recipe, steps_done, *train_reader, epoch, *progress, start, stop.flag(), &comm);
        if (const long bad = first_non_finite_parameter(*net); bad >= 0)
            throw DivergenceError("epoch " + std::to_string(epoch) + ": parameter " + std::to_string(bad) +
                                  " is not finite after update " + std::to_string(steps_done));
        if (!tr.complete) {  // stopped mid-epoch: the checkpoint continues at the next step
            progress->epoch_abandoned();
            state.partial = tr.totals;
            state.iterations = steps_done;
            interrupted = true;
            stop_signal = stop_agreed();
            return false;
        }
        const double allreduce_seconds = comm.gradient_seconds();
        last_eval = evaluate(*net, *val_reader, TestTimeAugmentation::None, &comm);
        have_eval = true;
        const double seconds = start.seconds + seconds_since(t0);
        record_epoch(epoch, tr, seconds);
        progress->epoch_end(epoch_summary(tr, start, seconds, allreduce_seconds));
        if (root && last_eval.acc <= 1.5 / Net::kClasses) warn_at_chance(epoch);
        return true;
    }

    // The epoch into the history and the state; kept epoch, checkpoint and curves written.
    void record_epoch(int epoch, const TrainEpochResult& tr, double seconds) {
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
        if (root && is_kept(epoch)) keep_epoch(*this, epoch, last_eval);
        if (root) write_epoch_reports(*this);
    }

    EpochSummary epoch_summary(const TrainEpochResult& tr, const io::EpochProgress& start, double seconds,
                               double allreduce_seconds) const {
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
        return s;
    }

    // Stuck at chance: say why, if a layer of ReLUs died.
    void warn_at_chance(int epoch) {
        const std::string why = dead_relu_diagnosis(*net, *val_reader);
        std::fprintf(stderr, "%s: warning: after epoch %d validation accuracy is %.2f%%, chance level. %s\n", recipe.name, epoch,
                     100.0 * last_eval.acc, why.c_str());
    }

    // ---- phase 4: the reports ----------------------------------------------------------

    // Stopped by a signal: checkpoint, weights and summary to continue from, and how.
    int finish_interrupted() {
        const char* signal_name = StopSignals::name_of(stop_signal);
        if (state.iterations == 0) {
            if (root)
                std::fprintf(stderr, "%s: interrupted by %s before the first training step; nothing to continue\n", recipe.name,
                             signal_name);
            return 128 + stop_signal;
        }
        if (!root) return 128 + stop_signal;
        const std::string where = stopped_where();
        // Saved again even between epochs: it then also records what this session changed
        // (--epochs, --keep-epochs, the session itself).
        io::save_checkpoint(checkpoint, *net, recipe.name, io::CheckpointContents::Training, state);
        io::save_checkpoint(out + "/weights.bin", *net, recipe.name, io::CheckpointContents::Weights, state);
        write_summary(*this, static_cast<const Eval*>(nullptr),
                      std::string("Interrupted by ") + signal_name + " " + where +
                          "; weights.bin holds the weights at that point, checkpoint.bin continues from it.");
        std::string again = std::string(recipe.name) + " train --out " + shell_word(out) + " --resume";
        if (args.has("data")) again += " --data " + shell_word(dataset->dir);
        std::fprintf(stderr, "%s: interrupted by %s %s; checkpoint, weights and reports are in %s; continue with: %s\n",
                     recipe.name, signal_name, where.c_str(), out.c_str(), again.c_str());
        return 128 + stop_signal;
    }

    std::string stopped_where() const {
        char where[160];
        if (state.partial.steps > 0)
            std::snprintf(where, sizeof where, "in epoch %u of %d after step %lld of %ld", state.epochs_done + 1, epochs,
                          (long long)state.partial.steps, train_reader->batches_per_epoch());
        else
            std::snprintf(where, sizeof where, "after epoch %u of %d", state.epochs_done, epochs);
        return where;
    }

    int finish() {
        if (!have_eval) last_eval = evaluate(*net, *val_reader, TestTimeAugmentation::None, &comm);  // resumed a finished run
        const Eval final_eval =
            final_tta == TestTimeAugmentation::None ? last_eval : evaluate(*net, *val_reader, final_tta, &comm);
        if (!root) return 0;
        write_final_reports(*this, final_eval);
        return 0;
    }
};

}  // namespace statnn::app
