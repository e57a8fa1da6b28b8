// src/compare.cpp — see compare.hpp.
#include "compare.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <utility>

#include "files.hpp"
#include "json.hpp"
#include "run_folder.hpp"
#include "statnn/io/atomic_file.hpp"

namespace statnn::compare {

namespace {

constexpr int kRunFormatVersion = kRunJsonVersion;  // and every older one

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

// The parsers name their file generically ("history csv, line 3: ..."); the error line
// names the file by its path instead ("runs/a/history.csv, line 3: ...").
std::string with_path(const std::string& path, const std::string& message, const std::string& generic_prefix) {
    if (message.compare(0, generic_prefix.size(), generic_prefix) == 0)
        return path + message.substr(generic_prefix.size() - 2);  // keep ", " or ": "
    return path + ": " + message;
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The whole file, or false when there is nothing at `path`. Anything else that stops the
// read (a folder in its place, no permission) throws naming the file.
bool read_file_if_present(const std::string& path, std::string& text) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return false;
        fail(path + ": cannot read (" + std::strerror(errno) + ")");
    }
    if (!S_ISREG(st.st_mode)) fail(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path + ": cannot read (" + std::strerror(errno) + ")");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) fail(path + ": cannot read");
    text = content.str();
    return true;
}

// ---- run.json ------------------------------------------------------------------------

std::string json_kind(const Json& j) {
    switch (j.type) {
        case Json::Type::Null: return "null";
        case Json::Type::Bool: return j.boolean ? "true" : "false";
        case Json::Type::Number: return "a number";
        case Json::Type::String: return "\"" + (j.string.size() > 40 ? j.string.substr(0, 40) + "..." : j.string) + "\"";
        case Json::Type::Array: return "an array";
        case Json::Type::Object: return "an object";
    }
    return "?";
}

std::string optional_text(const Json& object, const std::string& key, const std::string& where) {
    const Json* j = object.find(key);
    if (!j || j->type == Json::Type::Null) return "";
    if (j->type != Json::Type::String) fail("\"" + where + key + "\" is " + json_kind(*j) + ", expected a string");
    return j->string;
}

bool is_count(double v) { return std::isfinite(v) && v >= 0 && v <= 9007199254740992.0 && std::floor(v) == v; }

long long count_value(const Json& j, const std::string& name) {
    if (j.type != Json::Type::Number || !is_count(j.number)) {
        std::string shown = json_kind(j);
        if (j.type == Json::Type::Number) {
            std::ostringstream number;
            number << j.number;
            shown = number.str();
        }
        fail("\"" + name + "\" is " + shown + ", expected a non-negative integer");
    }
    return static_cast<long long>(j.number);
}

// A non-negative integer field; `unknown` when absent or null.
long long optional_count(const Json& object, const std::string& key, const std::string& where, long long unknown) {
    const Json* j = object.find(key);
    if (!j || j->type == Json::Type::Null) return unknown;
    return count_value(*j, where + key);
}

}  // namespace

RunMetadata parse_run_json(const std::string& text) {
    Json root;
    try {
        root = Json::parse(text);
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        fail(message.compare(0, 6, "json: ") == 0 ? message.substr(6) : message);
    }
    if (root.type != Json::Type::Object) fail("expected a JSON object, found " + json_kind(root));

    const Json* format = root.find("format");
    if (!format) fail("no \"format\" (expected \"statnn-run\")");
    if (format->type != Json::Type::String || format->string != "statnn-run")
        fail("\"format\" is " + json_kind(*format) + ", expected \"statnn-run\"");
    const Json* version = root.find("version");
    if (!version) fail("no \"version\"");
    const long long v = count_value(*version, "version");
    if (v < 1) fail("\"version\" is 0, expected 1");
    if (v > kRunFormatVersion)
        fail("format version " + std::to_string(v) + " is newer than this program reads (" +
             std::to_string(kRunFormatVersion) + "); compare with a newer statnn");

    RunMetadata m;
    if (!root.find("model")) fail("no \"model\"");
    m.model = optional_text(root, "model", "");
    if (m.model.empty()) fail("\"model\" is empty");
    m.title = optional_text(root, "title", "");
    m.data = optional_text(root, "data", "");
    m.parameters = optional_count(root, "parameters", "", -1);
    m.batch = optional_count(root, "batch", "", -1);
    m.train_images = optional_count(root, "train_images", "", -1);
    m.val_images = optional_count(root, "val_images", "", -1);
    m.epochs_planned = optional_count(root, "epochs_planned", "", -1);
    if (const Json* keep = root.find("keep_epochs"); keep && keep->type != Json::Type::Null) {
        if (keep->type != Json::Type::Array) fail("\"keep_epochs\" is " + json_kind(*keep) + ", expected an array");
        for (std::size_t i = 0; i < keep->array.size(); ++i)
            m.keep_epochs.push_back(count_value(keep->array[i], "keep_epochs[" + std::to_string(i) + "]"));
    }
    if (const Json* sessions = root.find("sessions"); sessions && sessions->type != Json::Type::Null) {
        if (sessions->type != Json::Type::Array)
            fail("\"sessions\" is " + json_kind(*sessions) + ", expected an array");
        for (std::size_t i = 0; i < sessions->array.size(); ++i) {
            const Json& s = sessions->array[i];
            const std::string where = "sessions[" + std::to_string(i) + "].";
            if (s.type != Json::Type::Object)
                fail("\"sessions[" + std::to_string(i) + "]\" is " + json_kind(s) + ", expected an object");
            Session session;
            session.started = optional_text(s, "started", where);
            session.machine = optional_text(s, "machine", where);
            session.simd = optional_text(s, "simd", where);
            session.first_epoch = int(std::min<long long>(optional_count(s, "first_epoch", where, 0), 1 << 30));
            session.cores = int(std::min<long long>(optional_count(s, "cores", where, 0), 1 << 30));
            session.threads = int(std::min<long long>(optional_count(s, "threads", where, 0), 1 << 30));
            m.sessions.push_back(std::move(session));
        }
    }
    return m;
}

namespace {

// ---- run folders ---------------------------------------------------------------------

// The folder's path components, for naming it; "." and ".." are resolved first.
std::vector<std::string> name_components(const std::string& dir) {
    auto split = [](const std::string& path) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        while (start <= path.size()) {
            std::size_t slash = path.find('/', start);
            if (slash == std::string::npos) slash = path.size();
            const std::string part = path.substr(start, slash - start);
            if (!part.empty() && part != ".") parts.push_back(part);
            start = slash + 1;
        }
        return parts;
    };
    std::vector<std::string> parts = split(dir);
    if (parts.empty() || parts.back() == "..") {
        if (char* real = ::realpath(dir.c_str(), nullptr)) {
            parts = split(real);
            std::free(real);
        }
    }
    if (parts.empty()) parts.push_back(dir);
    return parts;
}

std::string last_components(const std::vector<std::string>& parts, std::size_t count) {
    std::string name;
    for (std::size_t i = parts.size() - std::min(count, parts.size()); i < parts.size(); ++i)
        name += (name.empty() ? "" : "/") + parts[i];
    return name;
}

// "epoch-010" -> 10; -1 for any other name.
int kept_epoch_number(const std::string& name) {
    const std::string prefix = "epoch-";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
    int epoch = -1;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    const auto result = std::from_chars(first, last, epoch);
    if (result.ec != std::errc() || result.ptr != last || epoch < 1) return -1;
    return epoch;
}

// Reads `path` as confusion.csv into the run, checking that every matrix of the run names
// the same classes.
report::ConfusionMatrix read_confusion(Run& run, const std::string& path, const std::string& text,
                                       std::string& classes_from) {
    std::vector<std::string> names;
    report::ConfusionMatrix matrix;
    try {
        matrix = report::parse_confusion_csv(text, &names);
    } catch (const std::runtime_error& e) {
        fail(with_path(path, e.what(), "confusion csv, "));
    }
    if (classes_from.empty()) {
        run.class_names = names;
        classes_from = path;
    } else if (names != run.class_names) {
        fail(path + ": " + std::to_string(names.size()) + " classes that differ from the " +
             std::to_string(run.class_names.size()) + " of " + classes_from);
    }
    return matrix;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

}  // namespace

Run load_run(const std::string& dir) {
    Run run;
    run.dir = dir;
    run.name = last_components(name_components(dir), 1);

    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno == ENOENT) fail(dir + ": no such folder");
        fail(dir + ": cannot open (" + std::strerror(errno) + ")");
    }
    if (!S_ISDIR(st.st_mode)) fail(dir + ": not a folder (expected a run folder written by train)");

    std::string text;
    const std::string history_path = dir + "/history.csv";
    if (!read_file_if_present(history_path, text)) fail(dir + ": no history.csv (not a statnn run folder?)");
    try {
        run.history = report::parse_history_csv(text);
    } catch (const std::runtime_error& e) {
        fail(with_path(history_path, e.what(), "history csv, "));
    }
    if (run.history.empty()) fail(history_path + ": no epoch recorded yet (the run has not finished an epoch)");

    const std::string metadata_path = dir + "/run.json";
    if (read_file_if_present(metadata_path, text)) {
        try {
            run.metadata = parse_run_json(text);
        } catch (const std::runtime_error& e) {
            fail(metadata_path + ": " + e.what());
        }
        run.has_metadata = true;
    }

    std::string classes_from;
    const std::string confusion_path = dir + "/confusion.csv";
    if (read_file_if_present(confusion_path, text)) {
        run.confusion = read_confusion(run, confusion_path, text, classes_from);
        run.has_confusion = true;
    }

    // Kept epochs: epoch-NNN folders holding a confusion.csv (folders without one are
    // other things the run kept, such as weights only).
    if (DIR* folder = ::opendir(dir.c_str())) {
        std::vector<std::pair<int, std::string>> kept;
        while (const dirent* entry = ::readdir(folder)) {
            const std::string name = entry->d_name;
            const int epoch = kept_epoch_number(name);
            if (epoch > 0 && is_directory(dir + "/" + name)) kept.emplace_back(epoch, name);
        }
        ::closedir(folder);
        std::sort(kept.begin(), kept.end());
        for (const auto& [epoch, name] : kept) {
            const std::string path = dir + "/" + name + "/confusion.csv";
            if (!read_file_if_present(path, text)) continue;
            if (run.kept_confusions.count(epoch))
                fail(path + ": a second folder for epoch " + std::to_string(epoch) + " (" + name + ")");
            run.kept_confusions[epoch] = read_confusion(run, path, text, classes_from);
        }
    }
    return run;
}

std::vector<Run> load_runs(const std::vector<std::string>& dirs) {
    std::vector<Run> runs;
    for (const std::string& dir : dirs) runs.push_back(load_run(dir));

    // Distinct names: runs whose folder names coincide are named by more of their paths.
    std::vector<std::vector<std::string>> parts;
    std::vector<std::size_t> used(runs.size(), 1);
    for (const Run& run : runs) parts.push_back(name_components(run.dir));
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<bool> shared(runs.size(), false);
        for (std::size_t i = 0; i < runs.size(); ++i)
            for (std::size_t j = i + 1; j < runs.size(); ++j)
                if (runs[i].name == runs[j].name) shared[i] = shared[j] = true;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (!shared[i] || used[i] >= parts[i].size()) continue;
            runs[i].name = last_components(parts[i], ++used[i]);
            changed = true;
        }
    }

    if (runs.size() == 2 && !runs[0].class_names.empty() && !runs[1].class_names.empty() &&
        runs[0].class_names != runs[1].class_names) {
        fail(runs[0].dir + " and " + runs[1].dir + ": their confusion matrices name different classes (" +
             std::to_string(runs[0].class_names.size()) + ": " + join(runs[0].class_names, ",") + " / " +
             std::to_string(runs[1].class_names.size()) + ": " + join(runs[1].class_names, ",") + ")");
    }
    return runs;
}

// ---- the table -----------------------------------------------------------------------

namespace {

std::string fixed(double v, int decimals) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
    return result.ec == std::errc() ? std::string(buffer, result.ptr) : "?";
}

std::string percent(double fraction) {
    return std::isfinite(fraction) ? fixed(100.0 * fraction, 2) + "%" : fixed(fraction, 2);
}

// 2395434 -> "2,395,434".
std::string with_thousands(long long v) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
}

std::string session_label(const Session& s) {
    std::string label = s.machine.empty() ? "?" : s.machine;
    if (s.threads > 0) label += " (" + std::to_string(s.threads) + (s.threads == 1 ? " thread)" : " threads)");
    return label;
}

// The machines the run trained on. One: its name and thread count. Several: each with
// the epochs it ran, consecutive sessions on the same machine merged.
std::string machines(const Run& run, int last_epoch) {
    const auto& sessions = run.metadata.sessions;
    if (sessions.empty()) return "";
    const bool ranges_known = std::all_of(sessions.begin(), sessions.end(), [](const Session& s) { return s.first_epoch > 0; });
    struct Stretch {
        std::string label;
        int first = 0, last = 0;
    };
    std::vector<Stretch> stretches;
    for (std::size_t k = 0; k < sessions.size(); ++k) {
        Stretch s{session_label(sessions[k]), sessions[k].first_epoch,
                  k + 1 < sessions.size() ? sessions[k + 1].first_epoch - 1 : last_epoch};
        // A session that ended before finishing an epoch ran none: leave it out.
        if (ranges_known && s.first > s.last) continue;
        if (!stretches.empty() && stretches.back().label == s.label) {
            stretches.back().last = s.last;
            continue;
        }
        stretches.push_back(s);
    }
    if (stretches.empty()) stretches.push_back({session_label(sessions.front()), 0, 0});
    std::set<std::string> labels;
    for (const Stretch& s : stretches) labels.insert(s.label);
    if (labels.size() == 1) return stretches.front().label;
    std::vector<std::string> parts;
    for (const Stretch& s : stretches) {
        if (!ranges_known) {
            if (std::find(parts.begin(), parts.end(), s.label) == parts.end()) parts.push_back(s.label);
            continue;
        }
        parts.push_back(s.label + " epochs " + std::to_string(s.first) +
                        (s.last > s.first ? "-" + std::to_string(s.last) : std::string()));
    }
    return join(parts, "; ");
}

const std::vector<std::string>& column_titles() {
    static const std::vector<std::string> titles = {
        "run",        "model",         "parameters", "epochs",           "final val_acc", "best val_acc (epoch)",
        "final loss", "final val_loss", "time of learning", "images/s",   "machine"};
    return titles;
}

// Columns of numbers are right-aligned in the printed table.
bool is_numeric_column(std::size_t column) { return column >= 2 && column <= 9; }

std::vector<std::string> table_row(const Run& run) {
    const Summary s = summarize(run);
    const RunMetadata& m = run.metadata;
    std::string epochs = std::to_string(s.epochs);
    if (m.epochs_planned > s.epochs) epochs += "/" + std::to_string(m.epochs_planned);
    const std::string best = s.best_epoch > 0 ? percent(s.best_val_acc) + " (" + std::to_string(s.best_epoch) + ")" : "?";
    std::string rate = "?";
    if (s.images_per_s >= 0) rate = s.images_per_s >= 1000 ? with_thousands(std::llround(s.images_per_s)) : fixed(s.images_per_s, 0);
    return {run.name,
            m.model.empty() ? "?" : m.model,
            m.parameters >= 0 ? with_thousands(m.parameters) : "?",
            epochs,
            percent(s.final_val_acc),
            best,
            fixed(s.final_loss, 4),
            fixed(s.final_val_loss, 4),
            hours_minutes_seconds(s.seconds),
            rate,
            s.machines.empty() ? "?" : s.machines};
}

// What the "?" in the table stand for.
std::vector<std::string> table_notes(const std::vector<Run>& runs) {
    std::vector<std::string> notes;
    std::vector<std::string> without_metadata;
    for (const Run& run : runs)
        if (!run.has_metadata) without_metadata.push_back(run.name);
    if (!without_metadata.empty()) {
        notes.push_back("? = not recorded: " + join(without_metadata, ", ") +
                        (without_metadata.size() == 1 ? " has" : " have") +
                        " no run.json (a run from before train wrote one), so model, parameters, images/s and "
                        "machine are unknown");
    } else {
        for (const Run& run : runs) {
            const Summary s = summarize(run);
            if (run.metadata.parameters < 0 || s.images_per_s < 0 || s.machines.empty()) {
                notes.push_back("? = not recorded in run.json");
                break;
            }
        }
    }
    if (std::any_of(runs.begin(), runs.end(), [](const Run& r) { return r.metadata.epochs_planned > summarize(r).epochs; }))
        notes.push_back("epochs N/M: N of the M planned epochs done");
    return notes;
}

}  // namespace

Summary summarize(const Run& run) {
    Summary s;
    const auto& h = run.history;
    if (h.empty()) return s;
    s.epochs = h.back().epoch;
    s.final_val_acc = h.back().val_acc;
    s.final_loss = h.back().loss;
    s.final_val_loss = h.back().val_loss;
    for (const report::EpochRecord& r : h) {
        s.seconds += r.seconds;
        // The first of equal bests: the epoch where the run got there.
        if (std::isfinite(r.val_acc) && (s.best_epoch == 0 || r.val_acc > s.best_val_acc)) {
            s.best_val_acc = r.val_acc;
            s.best_epoch = r.epoch;
        }
    }
    if (run.metadata.train_images > 0 && s.seconds > 0 && std::isfinite(s.seconds))
        s.images_per_s = double(run.metadata.train_images) * double(h.size()) / s.seconds;
    s.machines = machines(run, s.epochs);
    return s;
}

std::string hours_minutes_seconds(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long long t = std::llround(seconds);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", t / 3600, (t / 60) % 60, t % 60);
    return buffer;
}

std::string table_text(const std::vector<Run>& runs) {
    std::vector<std::vector<std::string>> rows = {column_titles()};
    for (const Run& run : runs) rows.push_back(table_row(run));
    std::vector<std::size_t> width(column_titles().size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - row[c].size(), ' ');
            line += (c ? "  " : "") + (is_numeric_column(c) ? pad + row[c] : row[c] + pad);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    for (const std::string& note : table_notes(runs)) out += note + "\n";
    return out;
}

namespace {

// A Markdown table cell: '|' would end it.
std::string cell(std::string text) {
    for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.insert(at, "\\");
    return text;
}

}  // namespace

std::string table_markdown(const std::vector<Run>& runs) {
    std::string out = "|";
    for (const std::string& title : column_titles()) out += " " + title + " |";
    out += "\n|";
    for (std::size_t c = 0; c < column_titles().size(); ++c) out += is_numeric_column(c) ? "---:|" : "---|";
    out += "\n";
    for (const Run& run : runs) {
        out += "|";
        for (const std::string& value : table_row(run)) out += " " + cell(value) + " |";
        out += "\n";
    }
    const std::vector<std::string> notes = table_notes(runs);
    if (!notes.empty()) out += "\n";
    for (const std::string& note : notes) out += note + ".\n";
    return out;
}

// ---- the files -----------------------------------------------------------------------

namespace {

std::string epoch_suffix(int epoch) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "epoch-%03d", epoch);
    return buffer;
}

}  // namespace

Comparison make_comparison(const std::vector<Run>& runs) {
    Comparison c;
    std::vector<report::NamedHistory> histories;
    for (const Run& run : runs) histories.push_back({run.name, run.history});
    c.files.push_back({"accuracy.svg", report::overlaid_accuracy_svg(histories)});
    c.files.push_back({"loss.svg", report::overlaid_loss_svg(histories)});

    std::vector<std::string> differences;
    if (runs.size() == 2) {
        const Run& first = runs[0];
        const Run& second = runs[1];
        const std::string versus = second.name + " minus " + first.name;
        if (first.has_confusion && second.has_confusion) {
            c.files.push_back({"confusion_difference.svg",
                               report::confusion_difference_svg(first.confusion, second.confusion, first.class_names,
                                                                "Confusion, row-normalised: " + versus)});
            differences.push_back("confusion_difference.svg");
        } else {
            for (const Run* run : {&first, &second})
                if (!run->has_confusion)
                    c.notes.push_back("no confusion_difference.svg: " + run->dir + " has no confusion.csv");
        }
        // Epochs both runs kept get their own difference, unless both are the final
        // matrices already drawn (a run keeps its last epoch too).
        for (const auto& [epoch, matrix] : first.kept_confusions) {
            const auto other = second.kept_confusions.find(epoch);
            if (other == second.kept_confusions.end()) continue;
            if (first.has_confusion && second.has_confusion && matrix == first.confusion &&
                other->second == second.confusion)
                continue;
            const std::string name = "confusion_difference-" + epoch_suffix(epoch) + ".svg";
            c.files.push_back({name, report::confusion_difference_svg(matrix, other->second, first.class_names,
                                                                       "Confusion at epoch " + std::to_string(epoch) +
                                                                           ", row-normalised: " + versus)});
            differences.push_back(name);
        }
    }

    std::string md = "# Runs compared\n\n" + table_markdown(runs) + "\n";
    md += "| run | folder | title |\n|---|---|---|\n";
    for (const Run& run : runs) {
        const std::string title = run.metadata.title.empty() ? "?" : run.metadata.title;
        md += "| " + cell(run.name) + " | `" + cell(run.dir) + "` | " + cell(title) + " |\n";
    }
    md += "\nValidation accuracy and loss per epoch (solid: validation, dashed: training):\n\n";
    md += "![Accuracy](accuracy.svg)\n\n![Loss](loss.svg)\n";
    if (!differences.empty()) {
        md += "\nRow-normalised confusion matrices, " + runs[1].name + " minus " + runs[0].name +
              " (percentage points of each true class; red: more often in " + runs[1].name + "):\n\n";
        for (const std::string& name : differences) md += "![" + name + "](" + name + ")\n\n";
    }
    for (const std::string& note : c.notes) md += "\n" + note + ".\n";
    c.files.push_back({"compare.md", md});
    return c;
}

// ---- the command ---------------------------------------------------------------------

namespace {

bool same_folder(const std::string& a, const std::string& b) {
    struct stat sa {}, sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int run_command(const cli::Args& args, std::FILE* out) {
    const std::vector<std::string>& dirs = args.positional();
    if (dirs.empty()) throw cli::UsageError("needs at least one RUN_DIR (a folder written by train)");
    const std::string out_dir = args.text("out", "compare");

    // Everything is read, checked and drawn before the first file is written.
    const std::vector<Run> runs = load_runs(dirs);
    const Comparison comparison = make_comparison(runs);
    for (const Run& run : runs)
        if (same_folder(out_dir, run.dir))
            throw cli::UsageError("--out " + out_dir + " is the run folder " + run.dir +
                                  " (its own charts would be overwritten); choose another --out");
    make_writable_dir(out_dir, "--out");
    std::vector<std::string> written;
    for (const OutputFile& file : comparison.files) {
        io::write_file_atomic(out_dir + "/" + file.name, file.content);
        written.push_back(file.name);
    }

    std::fputs(table_text(runs).c_str(), out);
    for (const std::string& note : comparison.notes) std::fprintf(out, "%s\n", note.c_str());
    std::fprintf(out, "Wrote %s/: %s\n", out_dir.c_str(), join(written, " ").c_str());
    return 0;
}

}  // namespace

int compare_command(const cli::Args& args, std::FILE* out) {
    try {
        return run_command(args, out);
    } catch (const cli::UsageError& e) {
        throw cli::UsageError(std::string("compare: ") + e.what());
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("compare: ") + e.what());
    }
}

}  // namespace statnn::compare
