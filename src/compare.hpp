// src/compare.hpp — the compare command: finished or running runs side by side, from the
// files train leaves in their folders (any model: nothing here depends on a network type).
//
//   <binary> compare RUN_DIR RUN_DIR... [--out DIR]
//
// Reads each folder's history.csv, run.json (optional: older runs have none) and
// confusion.csv files, prints one table, and writes accuracy.svg, loss.svg, compare.md
// and, for two runs, confusion_difference.svg into --out (default ./compare). Every input
// is read and checked before anything is written.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "report/report.hpp"

namespace statnn::compare {

// One stretch of training in one process (a first run or a --resume), from run.json.
struct Session {
    std::string started, machine, simd;
    int first_epoch = 0;           // 0: not recorded
    int cores = 0, threads = 0;    // 0: not recorded
};

// What run.json says. Fields a file does not carry keep the "unknown" values below.
struct RunMetadata {
    std::string model, title, data;
    long long parameters = -1, train_images = -1, val_images = -1;  // -1: unknown
    long long batch = -1, epochs_planned = -1;                        // -1: unknown
    std::vector<long long> keep_epochs;
    std::vector<Session> sessions;
};

// Parses run.json's text. Throws std::runtime_error naming the problem (a JSON syntax
// error with its line, a missing or mistyped field, another format or a newer version).
RunMetadata parse_run_json(const std::string& text);

// A run folder, read and checked.
struct Run {
    std::string dir;   // as given on the command line
    std::string name;  // the folder's name; longer when two runs' names are the same
    bool has_metadata = false;
    RunMetadata metadata;
    std::vector<report::EpochRecord> history;
    bool has_confusion = false;
    report::ConfusionMatrix confusion;  // confusion.csv: the test set after the last epoch
    std::vector<std::string> class_names;
    std::map<int, report::ConfusionMatrix> kept_confusions;  // epoch -> epoch-NNN/confusion.csv
};

// Reads one run folder. Throws std::runtime_error "<dir>: <problem>" or
// "<dir>/<file>, line N: <problem>".
Run load_run(const std::string& dir);

// Reads every folder, gives the runs distinct names and checks that runs whose confusion
// matrices will be compared name the same classes.
std::vector<Run> load_runs(const std::vector<std::string>& dirs);

// The table's values for one run.
struct Summary {
    int epochs = 0;                 // the last epoch recorded
    double final_val_acc = 0, best_val_acc = 0;
    int best_epoch = 0;             // 0: no finite validation accuracy
    double final_loss = 0, final_val_loss = 0;
    double seconds = 0;             // time of learning: the sum of history.csv's seconds
    double images_per_s = -1;       // train_images x epochs / seconds; -1: unknown
    std::string machines;           // "" when run.json names none
};
Summary summarize(const Run& run);

// "h:mm:ss", seconds rounded to the nearest.
std::string hours_minutes_seconds(double seconds);

// The table as aligned text (printed) and as Markdown (compare.md), each followed by notes
// on what is unknown.
std::string table_text(const std::vector<Run>& runs);
std::string table_markdown(const std::vector<Run>& runs);

// One file of the comparison: its name inside --out and its content.
struct OutputFile {
    std::string name, content;
};
// Everything compare writes, and notes on what it left out (printed after the table).
struct Comparison {
    std::vector<OutputFile> files;
    std::vector<std::string> notes;
};
Comparison make_comparison(const std::vector<Run>& runs);

// The command: positional arguments are the run folders, --out the destination. Prints
// to `out`. Throws cli::UsageError (no run given, an unusable --out) or
// std::runtime_error (a bad run folder), each message starting with "compare: ".
int compare_command(const cli::Args& args, std::FILE* out);

}  // namespace statnn::compare
