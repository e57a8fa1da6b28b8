// tests/report/test_compare.cpp — the compare command on run folders made here: the
// table's values (best epoch, time of learning, images/s, machines), the files it writes
// (well-formed SVG naming every run, the confusion difference's values), the JSON reader
// behind run.json, and bad run folders: one error line naming the folder and the problem,
// exit 1 (2 for a bad command line) and nothing written.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "compare.hpp"
#include "json.hpp"
#include "support/app_runner.hpp"
#include "support/xml_check.hpp"
#include "statnn/data/cifar10.hpp"

using namespace statnn;
using namespace statnn::test;
using Catch::Matchers::Contains;

namespace {

const KerasRecipe kRecipe = keras_recipe("cnn4", "test", models::kCnn4Sgd, 1);

// `cnn4 compare args...` in process.
RunResult compare_runs(std::vector<std::string> args) {
    args.insert(args.begin(), "compare");
    return run_command<models::Cnn4>(kRecipe, std::move(args));
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    REQUIRE(out);
    out << text;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++count;
    return count;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

report::EpochRecord epoch(int e, double loss, double acc, double val_loss, double val_acc, double seconds) {
    report::EpochRecord r;
    r.epoch = e;
    r.loss = loss;
    r.acc = acc;
    r.val_loss = val_loss;
    r.val_acc = val_acc;
    r.lr = 0.01;
    r.seconds = seconds;
    return r;
}

std::string run_json(const std::string& model, long long parameters, int epochs_planned, const std::string& sessions) {
    return "{\n"
           "  \"format\": \"statnn-run\", \"version\": 1,\n"
           "  \"model\": \"" + model + "\", \"title\": \"" + model + " recipe\", \"parameters\": " +
           std::to_string(parameters) + ", \"batch\": 32,\n"
           "  \"seed\": 1,\n"
           "  \"optimizer\": {\"kind\": \"keras-sgd\", \"lr\": 0.01, \"momentum\": 0.9, \"decay\": 1e-06, \"nesterov\": false},\n"
           "  \"train_images\": 50000, \"val_images\": 10000, \"data\": \"../shared/cifar-10/cifar-10-batches-bin\",\n"
           "  \"epochs_planned\": " + std::to_string(epochs_planned) + ",\n"
           "  \"keep_epochs\": [2, 4],\n"
           "  \"sessions\": " + sessions + "\n"
           "}\n";
}

std::string session(const std::string& machine, int first_epoch) {
    return "{\"started\": \"2026-12-02T17:50:00Z\", \"first_epoch\": " + std::to_string(first_epoch) +
           ", \"machine\": \"" + machine + "\", \"cores\": 2, \"simd\": \"avx512bw\", \"threads\": 2}";
}

// Ten classes; every row 1000 samples: 820 right, 20 on each other class.
report::ConfusionMatrix first_matrix() {
    report::ConfusionMatrix m(10, std::vector<std::int64_t>(10, 20));
    for (int i = 0; i < 10; ++i) m[i][i] = 820;
    return m;
}

// 730 right and 30 on each other class, except cats: 620 right, 220 taken for dogs.
report::ConfusionMatrix second_matrix() {
    report::ConfusionMatrix m(10, std::vector<std::int64_t>(10, 30));
    for (int i = 0; i < 10; ++i) m[i][i] = 730;
    m[3] = {20, 20, 20, 620, 20, 220, 20, 20, 20, 20};
    return m;
}

// An earlier state of both runs: 640 right, 40 on each other class.
report::ConfusionMatrix early_matrix() {
    report::ConfusionMatrix m(10, std::vector<std::int64_t>(10, 40));
    for (int i = 0; i < 10; ++i) m[i][i] = 640;
    return m;
}

// Three run folders under `root`:
//   cnn6-seed1: run.json, 4 of 10 epochs, one machine, confusion.csv, epoch-002 and epoch-004
//   cnn4-seed1: run.json, 4 epochs, two machines, confusion.csv, epoch-002 and epoch-004
//   (epoch 2: early_matrix for both; epoch 4: each run's final matrix)
//   old-run:    history.csv only (a run from before run.json)
struct RunFolders {
    std::string cnn6, cnn4, old;
};

RunFolders make_run_folders(const std::string& root) {
    RunFolders f{root + "/cnn6-seed1", root + "/cnn4-seed1", root + "/old-run"};
    for (const std::string& dir : {f.cnn6, f.cnn4, f.old}) REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    const auto& names = statnn::data::cifar10_class_names();

    write_text(f.cnn6 + "/history.csv", report::history_csv({epoch(1, 1.60, 0.41, 1.30, 0.5312, 75.5),
                                                             epoch(2, 1.20, 0.57, 1.05, 0.6390, 74.0),
                                                             epoch(3, 0.98, 0.65, 0.95, 0.6702, 76.25),
                                                             epoch(4, 0.85, 0.70, 0.97, 0.6655, 74.25)}));
    write_text(f.cnn6 + "/run.json", run_json("cnn6", 2395434, 10, "[" + session("AMD EPYC 9R14", 1) + "]"));
    write_text(f.cnn6 + "/confusion.csv", report::confusion_csv(first_matrix(), names));
    REQUIRE(::mkdir((f.cnn6 + "/epoch-002").c_str(), 0755) == 0);
    write_text(f.cnn6 + "/epoch-002/confusion.csv", report::confusion_csv(early_matrix(), names));
    REQUIRE(::mkdir((f.cnn6 + "/epoch-004").c_str(), 0755) == 0);
    write_text(f.cnn6 + "/epoch-004/confusion.csv", report::confusion_csv(first_matrix(), names));

    write_text(f.cnn4 + "/history.csv", report::history_csv({epoch(1, 1.75, 0.36, 1.45, 0.47, 40),
                                                             epoch(2, 1.35, 0.51, 1.20, 0.58, 41),
                                                             epoch(3, 1.15, 0.59, 1.10, 0.61, 95),
                                                             epoch(4, 1.05, 0.63, 1.08, 0.61, 94)}));
    write_text(f.cnn4 + "/run.json",
               run_json("cnn4", 1250858, 4,
                        "[" + session("AMD EPYC 9R14", 1) + ", " + session("Intel Xeon Platinum 8375C", 3) + "]"));
    write_text(f.cnn4 + "/confusion.csv", report::confusion_csv(second_matrix(), names));
    REQUIRE(::mkdir((f.cnn4 + "/epoch-002").c_str(), 0755) == 0);
    write_text(f.cnn4 + "/epoch-002/confusion.csv", report::confusion_csv(early_matrix(), names));
    REQUIRE(::mkdir((f.cnn4 + "/epoch-004").c_str(), 0755) == 0);
    write_text(f.cnn4 + "/epoch-004/confusion.csv", report::confusion_csv(second_matrix(), names));
    // Not a kept epoch's folder: ignored.
    REQUIRE(::mkdir((f.cnn4 + "/epoch-x").c_str(), 0755) == 0);
    write_text(f.cnn4 + "/epoch-x/confusion.csv", "not a csv");

    write_text(f.old + "/history.csv", report::history_csv({epoch(1, 1.5, 0.45, 1.3, 0.52, 1800.4),
                                                            epoch(2, 1.2, 0.58, 1.1, 0.60, 1800.2)}));
    return f;
}

// The rows of the printed table, split at runs of two or more spaces.
std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ') ++pos;
        std::size_t end = line.find("  ", pos);
        if (end == std::string::npos) end = line.size();
        if (end > pos) cells.push_back(line.substr(pos, end - pos));
        pos = end;
    }
    return cells;
}

// Runs a test's body in `dir` as the current directory.
struct WorkingDirectory {
    explicit WorkingDirectory(const std::string& dir) {
        char buffer[4096];
        REQUIRE(::getcwd(buffer, sizeof buffer) != nullptr);
        saved = buffer;
        REQUIRE(::chdir(dir.c_str()) == 0);
    }
    ~WorkingDirectory() { (void)::chdir(saved.c_str()); }
    std::string saved;
};

}  // namespace

// ---- the JSON reader ---------------------------------------------------------------

TEST_CASE("the JSON reader parses the grammar and Python's non-finite numbers", "[compare][json]") {
    const Json j = Json::parse(
        " {\"a\": [1, -2.5e3, 0, 0.125, true, false, null], \"s\": \"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\",\n"
        "  \"o\": {\"nan\": NaN, \"inf\": Infinity, \"ninf\": -Infinity}, \"e\": {}, \"z\": []} ");
    REQUIRE(j.type == Json::Type::Object);
    CHECK(j["a"].size() == 7);
    CHECK(j["a"][1].number == -2500);
    CHECK(j["a"][3].number == 0.125);
    CHECK(j["a"][4].boolean);
    CHECK(j["a"][6].type == Json::Type::Null);
    CHECK(j["s"].string == "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(std::isnan(j["o"]["nan"].number));
    CHECK(j["o"]["inf"].number == std::numeric_limits<double>::infinity());
    CHECK(j["o"]["ninf"].number == -std::numeric_limits<double>::infinity());
    CHECK(j["e"].size() == 0);
    CHECK(j.find("missing") == nullptr);
    CHECK(j.find("z") != nullptr);
    CHECK(j.contains("e"));
    CHECK_THROWS_WITH(j["missing"], Contains("missing key 'missing'"));
    CHECK_THROWS_WITH(j["a"][7], Contains("index out of range"));
}

TEST_CASE("the JSON reader rejects malformed input, naming line and column", "[compare][json]") {
    CHECK_THROWS_WITH(Json::parse("{\"a\": 1,\n \"b\" 2}"), Contains("expected ':'") && Contains("line 2, column 6"));
    CHECK_THROWS_WITH(Json::parse("{\"a\": 1\n\n ]"), Contains("line 3, column 2"));
    CHECK_THROWS_WITH(Json::parse("[1] x"), Contains("trailing characters"));
    CHECK_THROWS_WITH(Json::parse(""), Contains("unexpected end"));
    CHECK_THROWS_WITH(Json::parse("\"abc"), Contains("unterminated string"));
    CHECK_THROWS_WITH(Json::parse("\"\\q\""), Contains("bad escape"));
    CHECK_THROWS_WITH(Json::parse("\"\\u12g4\""), Contains("bad \\u escape"));
    CHECK_THROWS_WITH(Json::parse("\"a\tb\""), Contains("control character"));
    CHECK_THROWS_WITH(Json::parse("tru"), Contains("unexpected token"));
    for (const char* number : {"01", "1.", ".5", "+1", "1e", "-", "0x10", "inf", "1e999"}) {
        INFO(number);
        CHECK_THROWS(Json::parse(number));
    }
    CHECK_THROWS_WITH(Json::parse(std::string(100000, '[')), Contains("nesting too deep"));
}

// ---- run.json ------------------------------------------------------------------------

TEST_CASE("parse_run_json reads the run folder's metadata", "[compare][run-json]") {
    const compare::RunMetadata m = compare::parse_run_json(
        run_json("cnn6", 2395434, 100, "[" + session("AMD EPYC 9R14", 1) + ", " + session("Intel Xeon", 41) + "]"));
    CHECK(m.model == "cnn6");
    CHECK(m.title == "cnn6 recipe");
    CHECK(m.parameters == 2395434);
    CHECK(m.batch == 32);
    CHECK(m.train_images == 50000);
    CHECK(m.val_images == 10000);
    CHECK(m.epochs_planned == 100);
    CHECK(m.keep_epochs == std::vector<long long>{2, 4});
    REQUIRE(m.sessions.size() == 2);
    CHECK(m.sessions[1].machine == "Intel Xeon");
    CHECK(m.sessions[1].first_epoch == 41);
    CHECK(m.sessions[1].threads == 2);
    CHECK(m.sessions[1].simd == "avx512bw");

    // Only format, version and model are required; unknown members are ignored.
    const compare::RunMetadata minimal =
        compare::parse_run_json(R"({"format": "statnn-run", "version": 1, "model": "cnn4", "future": [1]})");
    CHECK(minimal.model == "cnn4");
    CHECK(compare::parse_run_json(R"({"format": "statnn-run", "version": 2, "model": "fastcifar"})").model == "fastcifar");
    CHECK(minimal.parameters == -1);
    CHECK(minimal.train_images == -1);
    CHECK(minimal.sessions.empty());
}

TEST_CASE("parse_run_json names what is wrong", "[compare][run-json]") {
    auto with = [](const std::string& members) {
        return compare::parse_run_json("{\"format\": \"statnn-run\", \"version\": 1, \"model\": \"cnn6\"" + members + "}");
    };
    CHECK_THROWS_WITH(compare::parse_run_json("[1, 2]"), Contains("expected a JSON object"));
    CHECK_THROWS_WITH(compare::parse_run_json("{\"version\": 1}"), Contains("no \"format\""));
    CHECK_THROWS_WITH(compare::parse_run_json(R"({"format": "keras", "version": 1, "model": "m"})"),
                      Contains("\"format\" is \"keras\", expected \"statnn-run\""));
    CHECK_THROWS_WITH(compare::parse_run_json(R"({"format": "statnn-run", "model": "m"})"), Contains("no \"version\""));
    CHECK_THROWS_WITH(compare::parse_run_json(R"({"format": "statnn-run", "version": 3, "model": "m"})"),
                      Contains("version 3 is newer"));
    CHECK_THROWS_WITH(compare::parse_run_json(R"({"format": "statnn-run", "version": 1})"), Contains("no \"model\""));
    CHECK_THROWS_WITH(with(", \"model\": 6"), Contains("\"model\" is a number, expected a string"));
    CHECK_THROWS_WITH(with(", \"parameters\": \"many\""), Contains("\"parameters\" is \"many\", expected a non-negative integer"));
    CHECK_THROWS_WITH(with(", \"train_images\": -5"), Contains("\"train_images\" is -5"));
    CHECK_THROWS_WITH(with(", \"train_images\": 1.5"), Contains("\"train_images\" is 1.5"));
    CHECK_THROWS_WITH(with(", \"sessions\": {}"), Contains("\"sessions\" is an object, expected an array"));
    CHECK_THROWS_WITH(with(", \"sessions\": [{\"machine\": 3}]"), Contains("\"sessions[0].machine\" is a number"));
    CHECK_THROWS_WITH(with(", \"keep_epochs\": [10, \"x\"]"), Contains("\"keep_epochs[1]\" is \"x\""));
    CHECK_THROWS_WITH(compare::parse_run_json("{\"format\": \"statnn-run\",\n \"version\": 1,,}"),
                      Contains("expected string at line 2, column 15"));
}

// ---- the table -----------------------------------------------------------------------

TEST_CASE("compare's table: best epoch, time of learning, images/s, machines", "[compare]") {
    TempDir root;
    const RunFolders f = make_run_folders(root.path());
    const std::vector<compare::Run> runs = compare::load_runs({f.cnn6, f.cnn4, f.old});
    REQUIRE(runs.size() == 3);
    CHECK(runs[0].name == "cnn6-seed1");
    CHECK(runs[2].name == "old-run");
    CHECK(runs[0].has_metadata);
    CHECK_FALSE(runs[2].has_metadata);
    CHECK(runs[0].has_confusion);
    CHECK(runs[0].kept_confusions.size() == 2);
    CHECK(runs[1].kept_confusions.size() == 2);  // epoch-x is not a kept epoch
    CHECK(runs[1].kept_confusions.at(2) == early_matrix());
    CHECK(runs[1].class_names == statnn::data::cifar10_class_names());

    const compare::Summary cnn6 = compare::summarize(runs[0]);
    CHECK(cnn6.epochs == 4);
    CHECK(cnn6.final_val_acc == Approx(0.6655));
    CHECK(cnn6.best_val_acc == Approx(0.6702));
    CHECK(cnn6.best_epoch == 3);
    CHECK(cnn6.final_loss == Approx(0.85));
    CHECK(cnn6.final_val_loss == Approx(0.97));
    CHECK(cnn6.seconds == Approx(300.0));
    CHECK(cnn6.images_per_s == Approx(50000.0 * 4 / 300));
    CHECK(cnn6.machines == "AMD EPYC 9R14 (2 threads)");

    const compare::Summary cnn4 = compare::summarize(runs[1]);
    CHECK(cnn4.best_epoch == 3);  // epochs 3 and 4 tie at 61%: the first to get there
    CHECK(cnn4.seconds == Approx(270.0));
    CHECK(cnn4.images_per_s == Approx(50000.0 * 4 / 270));
    CHECK(cnn4.machines == "AMD EPYC 9R14 (2 threads) epochs 1-2; Intel Xeon Platinum 8375C (2 threads) epochs 3-4");

    const compare::Summary old = compare::summarize(runs[2]);
    CHECK(old.seconds == Approx(3600.6));
    CHECK(old.images_per_s < 0);
    CHECK(old.machines.empty());

    const std::vector<std::string> lines = lines_of(compare::table_text(runs));
    REQUIRE(lines.size() >= 4);
    CHECK(cells_of(lines[0]) == std::vector<std::string>{"run", "model", "parameters", "epochs", "final val_acc",
                                                         "best val_acc (epoch)", "final loss", "final val_loss",
                                                         "time of learning", "images/s", "machine"});
    CHECK(cells_of(lines[1]) == std::vector<std::string>{"cnn6-seed1", "cnn6", "2,395,434", "4/10", "66.55%",
                                                         "67.02% (3)", "0.8500", "0.9700", "0:05:00", "667",
                                                         "AMD EPYC 9R14 (2 threads)"});
    CHECK(cells_of(lines[2]) == std::vector<std::string>{"cnn4-seed1", "cnn4", "1,250,858", "4", "61.00%", "61.00% (3)",
                                                         "1.0500", "1.0800", "0:04:30", "741",
                                                         "AMD EPYC 9R14 (2 threads) epochs 1-2; Intel Xeon Platinum "
                                                         "8375C (2 threads) epochs 3-4"});
    CHECK(cells_of(lines[3]) == std::vector<std::string>{"old-run", "?", "?", "2", "60.00%", "60.00% (2)", "1.2000",
                                                         "1.1000", "1:00:01", "?", "?"});
    // Columns line up: every row as long as the header up to the machine column.
    CHECK(lines[1].find("AMD") == lines[0].find("machine"));
    const std::string notes = compare::table_text(runs);
    CHECK_THAT(notes, Contains("old-run has no run.json"));
    CHECK_THAT(notes, Contains("epochs N/M"));

    const std::string md = compare::table_markdown(runs);
    CHECK_THAT(md, Contains("| run | model | parameters | epochs | final val_acc |"));
    CHECK_THAT(md, Contains("| cnn6-seed1 | cnn6 | 2,395,434 | 4/10 | 66.55% | 67.02% (3) | 0.8500 | 0.9700 | 0:05:00 | "
                            "667 | AMD EPYC 9R14 (2 threads) |"));
    CHECK_THAT(md, Contains("| old-run | ? | ? | 2 | 60.00% | 60.00% (2) | 1.2000 | 1.1000 | 1:00:01 | ? | ? |"));

    CHECK(compare::hours_minutes_seconds(0) == "0:00:00");
    CHECK(compare::hours_minutes_seconds(59.5) == "0:01:00");
    CHECK(compare::hours_minutes_seconds(17 * 3600 + 10 * 60) == "17:10:00");
    CHECK(compare::hours_minutes_seconds(400000) == "111:06:40");
}

TEST_CASE("compare names runs whose folders share a name by more of their paths", "[compare]") {
    TempDir root;
    for (const char* dir : {"/a", "/b", "/a/run", "/b/run"}) REQUIRE(::mkdir((root.path() + dir).c_str(), 0755) == 0);
    for (const char* dir : {"/a/run", "/b/run"})
        write_text(root.path() + dir + "/history.csv", report::history_csv({epoch(1, 1, 0.5, 1, 0.5, 10)}));
    const auto runs = compare::load_runs({root / "a/run/", root / "b/run"});
    CHECK(runs[0].name == "a/run");
    CHECK(runs[1].name == "b/run");
    WorkingDirectory inside(root / "a/run");
    CHECK(compare::load_runs({"."})[0].name == "run");
}

// ---- the command ---------------------------------------------------------------------

TEST_CASE("compare writes overlaid curves, the table and the confusion difference", "[compare]") {
    TempDir root;
    const RunFolders f = make_run_folders(root.path());
    const std::string out = root / "out/nested";

    const RunResult r = compare_runs({f.cnn6, f.cnn4, "--out", out});
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const auto runs = compare::load_runs({f.cnn6, f.cnn4});
    CHECK_THAT(r.out, Contains(compare::table_text(runs)));
    CHECK_THAT(r.out, Contains("Wrote " + out + "/: accuracy.svg loss.svg confusion_difference.svg "
                               "confusion_difference-epoch-002.svg compare.md"));

    for (const char* name : {"accuracy.svg", "loss.svg"}) {
        INFO(name);
        const std::string svg = read_text_file(out + "/" + name);
        CHECK(xml_problem(svg) == "");
        CHECK(svg.find(">cnn6-seed1</text>") != std::string::npos);
        CHECK(svg.find(">cnn4-seed1</text>") != std::string::npos);
        CHECK(svg.find(">Epoch</text>") != std::string::npos);
        CHECK(svg.find(std::string(">") + (name[0] == 'a' ? "Accuracy" : "Loss") + "</text>") != std::string::npos);
        CHECK(count_of(svg, "<polyline") == 4);
    }

    // Second minus first, row-normalised, in percentage points: cnn4 gets 9 points fewer
    // right on nine classes and 1 point more on each wrong one; on cats 20 fewer right and
    // 20 more taken for dogs.
    const std::string diff = read_text_file(out + "/confusion_difference.svg");
    CHECK(xml_problem(diff) == "");
    CHECK(diff.find(">Confusion, row-normalised: cnn4-seed1 minus cnn6-seed1</text>") != std::string::npos);
    for (const std::string& name : statnn::data::cifar10_class_names()) CHECK(count_of(diff, ">" + name + "</text>") == 2);
    CHECK(count_of(diff, ">-9.0</text>") == 9);
    CHECK(count_of(diff, ">+1.0</text>") == 81);
    CHECK(count_of(diff, ">-20.0</text>") == 1);
    CHECK(count_of(diff, ">+20.0</text>") == 1);
    CHECK(count_of(diff, ">0.0</text>") == 8);
    for (const char* tick : {">-20</text>", ">-10</text>", ">0</text>", ">+10</text>", ">+20</text>"})
        CHECK(diff.find(tick) != std::string::npos);
    // An epoch both runs kept gets its own (at epoch 2 they were alike: all zero); epoch 4
    // holds the final matrices, already drawn.
    const std::string kept = read_text_file(out + "/confusion_difference-epoch-002.svg");
    CHECK(xml_problem(kept) == "");
    CHECK(kept.find(">Confusion at epoch 2, row-normalised: cnn4-seed1 minus cnn6-seed1</text>") != std::string::npos);
    CHECK(count_of(kept, ">0.0</text>") == 100);
    CHECK_FALSE(exists(out + "/confusion_difference-epoch-004.svg"));

    const std::string md = read_text_file(out + "/compare.md");
    CHECK_THAT(md, Contains(compare::table_markdown(runs)));
    CHECK_THAT(md, Contains("![Accuracy](accuracy.svg)"));
    CHECK_THAT(md, Contains("confusion_difference.svg"));
    CHECK_THAT(md, Contains("`" + f.cnn4 + "`"));
    // Files are written whole: no temporary file is left.
    for (const char* name : {"accuracy.svg", "loss.svg", "compare.md"}) CHECK(exists(out + "/" + name));
    CHECK(count_of(r.out, ".tmp.") == 0);
}

TEST_CASE("compare of one or three runs, with and without run.json, into ./compare by default", "[compare]") {
    TempDir root;
    const RunFolders f = make_run_folders(root.path());
    WorkingDirectory inside(root.path());

    const RunResult one = compare_runs({"old-run"});
    REQUIRE(one.status == 0);
    CHECK(exists("compare/accuracy.svg"));
    CHECK(exists("compare/compare.md"));
    CHECK_FALSE(exists("compare/confusion_difference.svg"));
    CHECK_THAT(one.out, Contains("old-run has no run.json"));

    const RunResult three = compare_runs({"cnn6-seed1", "cnn4-seed1", "old-run", "--out", "three"});
    REQUIRE(three.status == 0);
    const std::string acc = read_text_file("three/accuracy.svg");
    CHECK(xml_problem(acc) == "");
    for (const char* name : {">cnn6-seed1<", ">cnn4-seed1<", ">old-run<"}) CHECK(acc.find(name) != std::string::npos);
    CHECK(count_of(acc, "<polyline") == 6);
    // A confusion difference needs exactly two runs.
    CHECK_FALSE(exists("three/confusion_difference.svg"));

    // Two runs, one without confusion.csv: said, not an error.
    const RunResult two = compare_runs({"cnn6-seed1", "old-run", "--out", "two"});
    REQUIRE(two.status == 0);
    CHECK_THAT(two.out, Contains("no confusion_difference.svg: old-run has no confusion.csv"));
    CHECK_FALSE(exists("two/confusion_difference.svg"));
}

TEST_CASE("bad run folders: one line naming the folder and the problem, exit 1, nothing written", "[compare][errors]") {
    TempDir root;
    const RunFolders f = make_run_folders(root.path());
    const std::string out = root / "out";
    // An earlier comparison in --out stays as it was.
    REQUIRE(::mkdir(out.c_str(), 0755) == 0);
    write_text(out + "/compare.md", "earlier");

    auto broken = [&](const std::string& name) {
        const std::string dir = root / name;
        REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
        write_text(dir + "/history.csv", read_text_file(f.cnn6 + "/history.csv"));
        write_text(dir + "/run.json", read_text_file(f.cnn6 + "/run.json"));
        write_text(dir + "/confusion.csv", read_text_file(f.cnn6 + "/confusion.csv"));
        return dir;
    };
    struct Case {
        std::string dir, says;
    };
    std::vector<Case> cases;
    cases.push_back({root / "missing", root / "missing: no such folder"});
    cases.push_back({f.cnn6 + "/history.csv", f.cnn6 + "/history.csv: not a folder"});
    {
        const std::string dir = root / "empty";
        REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
        cases.push_back({dir, dir + ": no history.csv (not a statnn run folder?)"});
    }
    {
        const std::string dir = broken("bad-history");
        write_text(dir + "/history.csv", "epoch,loss,acc,val_loss,val_acc,lr,seconds\n1,0.5,0.5,0.5,0.5,0.01,3\n2,x,0,0,0,0,0\n");
        cases.push_back({dir, dir + "/history.csv, line 3: column 2 (loss) is \"x\", which is not a number"});
    }
    {
        const std::string dir = broken("no-epochs");
        write_text(dir + "/history.csv", "epoch,loss,acc,val_loss,val_acc,lr,seconds\n");
        cases.push_back({dir, dir + "/history.csv: no epoch recorded yet"});
    }
    {
        const std::string dir = broken("bad-json");
        write_text(dir + "/run.json", "{\"format\": \"statnn-run\",\n \"version\": 1\n \"model\": \"cnn6\"}");
        cases.push_back({dir, dir + "/run.json: expected ',' or '}' at line 3, column 2"});
    }
    {
        const std::string dir = broken("bad-json-field");
        write_text(dir + "/run.json", R"({"format": "statnn-run", "version": 1, "model": "cnn6", "parameters": "2M"})");
        cases.push_back({dir, dir + "/run.json: \"parameters\" is \"2M\", expected a non-negative integer"});
    }
    {
        const std::string dir = broken("nine-counts");
        std::string csv = read_text_file(dir + "/confusion.csv");
        const std::string row = "\nautomobile,20,820,20,20,20,20,20,20,20,20\n";
        REQUIRE(csv.find(row) != std::string::npos);
        csv.replace(csv.find(row), row.size(), "\nautomobile,20,820,20,20,20,20,20,20,20\n");
        write_text(dir + "/confusion.csv", csv);
        cases.push_back({dir, dir + "/confusion.csv, line 3: the row of \"automobile\" has 9 counts, expected 10"});
    }
    {
        const std::string dir = broken("kept-nine-classes");
        REQUIRE(::mkdir((dir + "/epoch-002").c_str(), 0755) == 0);
        std::vector<std::string> nine(statnn::data::cifar10_class_names().begin(), statnn::data::cifar10_class_names().end() - 1);
        write_text(dir + "/epoch-002/confusion.csv",
                   report::confusion_csv(report::ConfusionMatrix(9, std::vector<std::int64_t>(9, 1)), nine));
        cases.push_back({dir, dir + "/epoch-002/confusion.csv: 9 classes that differ from the 10 of " + dir +
                                  "/confusion.csv"});
    }

    for (const Case& c : cases) {
        INFO(c.dir);
        // The bad folder comes second: the good one before it is read, but nothing is written.
        const RunResult r = compare_runs({f.cnn4, c.dir, "--out", out});
        CHECK(r.status == 1);
        CHECK(r.err.rfind("cnn4: compare: " + c.says, 0) == 0);
        CHECK(count_of(r.err, "\n") == 1);
        CHECK(r.out.empty());
        CHECK(read_text_file(out + "/compare.md") == "earlier");
        CHECK_FALSE(exists(out + "/accuracy.svg"));
    }

    SECTION("two runs whose confusion matrices name different classes") {
        const std::string dir = root / "nine-classes";
        REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
        write_text(dir + "/history.csv", read_text_file(f.cnn6 + "/history.csv"));
        const std::vector<std::string> nine(statnn::data::cifar10_class_names().begin(), statnn::data::cifar10_class_names().end() - 1);
        write_text(dir + "/confusion.csv",
                   report::confusion_csv(report::ConfusionMatrix(9, std::vector<std::int64_t>(9, 1)), nine));
        const RunResult r = compare_runs({f.cnn6, dir, "--out", out});
        CHECK(r.status == 1);
        CHECK_THAT(r.err, Contains("cnn4: compare: " + f.cnn6 + " and " + dir + ": their confusion matrices name different classes (10: "));
        CHECK_FALSE(exists(out + "/accuracy.svg"));
        // With a third run there is no difference to draw, so the classes may differ.
        CHECK(compare_runs({f.cnn6, dir, f.old, "--out", out}).status == 0);
    }
}

TEST_CASE("compare's command line: no run is a usage error, --out must not be a run folder", "[compare][errors]") {
    TempDir root;
    const RunFolders f = make_run_folders(root.path());
    const RunResult none = compare_runs({});
    CHECK(none.status == 2);
    CHECK_THAT(none.err, Contains("cnn4: compare: needs at least one RUN_DIR"));
    CHECK_THAT(none.err, Contains("--help"));

    const RunResult into_run = compare_runs({f.cnn6, f.cnn4, "--out", f.cnn6});
    CHECK(into_run.status == 2);
    CHECK_THAT(into_run.err, Contains("--out " + f.cnn6 + " is the run folder " + f.cnn6));
    CHECK_FALSE(exists(f.cnn6 + "/compare.md"));

    write_text(root / "file", "x");
    const RunResult into_file = compare_runs({f.cnn6, "--out", root / "file/sub"});
    CHECK(into_file.status == 2);
    CHECK_THAT(into_file.err, Contains("--out"));

    const RunResult help = run_command<models::Cnn4>(kRecipe, {"--help"});
    CHECK_THAT(help.out, Contains("compare RUN_DIR... [--out DIR]"));
}
