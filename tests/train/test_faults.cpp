// tests/train/test_faults.cpp — what the trainer does when things go wrong: bad command
// lines and bad data are one error line and a non-zero exit with nothing left behind;
// a run killed mid-epoch resumes to the weights of an uninterrupted run; SIGINT and
// SIGTERM stop a run with a checkpoint that resumes exactly and exit 130 and 143; a
// second run in a folder another run holds is refused and touches nothing, while a lock
// left by a killed process does not block; a diverging run stops naming the step and
// keeps the last good checkpoint; an augmented run stopped mid-epoch resumes exactly, too.
// The data is the tests' CIFAR-10 fixture
// (support/cifar_fixture.hpp). Cases that train are tagged [slow]: cross builds, which
// run tests under an emulator, leave them out.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "support/app_runner.hpp"
#include "support/cifar_fixture.hpp"

#ifndef STATNN_CNN4_BINARY
#define STATNN_CNN4_BINARY "cnn4"
#endif

using namespace statnn;
using namespace statnn::test;

namespace {

const KerasRecipe kRecipe = keras_recipe("cnn4", "test", models::kCnn4Sgd, 1);

// cnn4's network with AdamW (two state arrays per parameter), a warm-up cosine schedule
// written for 1000 steps, and label smoothing.
using AdamRecipe = Recipe<optim::AdamW, optim::WarmupCosineDecay>;
const AdamRecipe kAdamRecipe{"cnn4-adamw", "test", {0.9, 0.999, 1e-8, 5e-4}, {2e-3, 100, 1000, 0.1, 0.05}, {0.1}, 3};

const std::string kFew = "64";  // training images of the short runs

// `cnn4 args...` in process.
RunResult run(std::vector<std::string> args) { return run_command<models::Cnn4>(kRecipe, std::move(args)); }

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Every file of a folder and its subfolders (hidden ones too), by relative path, with
// its content.
std::map<std::string, std::string> folder_contents(const std::string& dir, const std::string& prefix = "") {
    std::map<std::string, std::string> files;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return files;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        ::stat((dir + "/" + name).c_str(), &st);
        if (S_ISDIR(st.st_mode)) {
            for (auto& [path, text] : folder_contents(dir + "/" + name, prefix + name + "/")) files[path] = text;
        } else {
            files[prefix + name] = read_text_file(dir + "/" + name);
        }
    }
    ::closedir(d);
    return files;
}

// In a forked child: stdout to /dev/null, stderr to `err_path`.
void redirect_child_output(const std::string& err_path) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err, 2);
}

// The real cnn4 binary as a child process, stdout to /dev/null, stderr to `err_path`.
pid_t spawn_cnn4(std::vector<std::string> args, const std::string& err_path) {
    const pid_t child = ::fork();
    if (child == 0) {
        std::vector<char*> argv;
        std::string bin = STATNN_CNN4_BINARY;
        argv.push_back(bin.data());
        for (auto& s : args) argv.push_back(s.data());
        argv.push_back(nullptr);
        redirect_child_output(err_path);
        ::execv(bin.c_str(), argv.data());
        ::_exit(127);
    }
    return child;
}

// `run_app` of `recipe` in a child process (no other binary needed), stdout to /dev/null,
// stderr to `err_path`; the child exits with the command's status.
template <class R>
pid_t spawn_in_process(const R& recipe, std::vector<std::string> args, const std::string& err_path) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t child = ::fork();
    if (child == 0) {
        redirect_child_output(err_path);
        const int status = run_command<models::Cnn4>(recipe, std::move(args)).status;
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(status);
    }
    return child;
}

// Waits (up to 60 s) for `path` to appear; false if it did not.
bool wait_for_file(const std::string& path) {
    for (int i = 0; i < 6000 && !exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return exists(path);
}

// Waits for `path` as wait_for_file does; if it never appears, kills and reaps `child`
// (never leave it writing into a directory the test removes) and returns false.
bool wait_for_file_or_kill(pid_t child, const std::string& path) {
    if (wait_for_file(path)) return true;
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return false;
}

// The run in `resumed` ended with the weights of the uninterrupted one in `whole`, bit for
// bit, and with the same `epochs` history rows: loss, accuracy (the interrupted epoch's
// running values carried over exactly) and validation accuracy; only the seconds differ.
void check_same_run(const std::string& whole, const std::string& resumed, std::size_t epochs) {
    using Net = Network<models::Cnn4, 32>;
    auto a = std::make_unique<Net>(1, 1), b = std::make_unique<Net>(2, 1);
    io::load_checkpoint(whole + "/weights.bin", *a);
    io::load_checkpoint(resumed + "/weights.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));  // bit for bit
    const auto h1 = report::parse_history_csv(read_text_file(whole + "/history.csv"));
    const auto h2 = report::parse_history_csv(read_text_file(resumed + "/history.csv"));
    REQUIRE(h1.size() == epochs);
    REQUIRE(h2.size() == epochs);
    for (std::size_t e = 0; e < epochs; ++e) {
        CHECK(h1[e].loss == h2[e].loss);
        CHECK(h1[e].acc == h2[e].acc);
        CHECK(h1[e].val_acc == h2[e].val_acc);
    }
}

}  // namespace

TEST_CASE("bad command lines: one clear line naming the flag, usage hint, exit 2", "[cli][errors]") {
    TempDir dir;
    const std::string data = cifar_fixture_dir();
    // At most 4 threads per core this process may use.
    const std::string threads_limit = "--threads: expected at most " + std::to_string(4 * available_cores()) +
                                      " (4 per core; this process may use " + std::to_string(available_cores()) + "), ";
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"train", "--epochs", "0"}, "--epochs: expected a positive integer, got '0'"},
        {{"train", "--epochs", "ten"}, "--epochs: expected a positive integer, got 'ten'"},
        {{"train", "--epochs", "-3"}, "--epochs: expected a positive integer, got '-3'"},
        {{"train", "--limit", "12x"}, "--limit: expected a positive integer, got '12x'"},
        {{"train", "--threads", "0"}, "--threads: expected a positive integer, got '0'"},
        {{"train", "--seed", "-1"}, "--seed: expected a non-negative integer, got '-1'"},
        {{"train", "--lr", "nan"}, "--lr: expected a positive number, got 'nan'"},
        {{"train", "--lr", "-0.1"}, "--lr: expected a positive number, got '-0.1'"},
        {{"train", "--verbose", "7"}, "--verbose: expected 0, 1 or 2"},
        {{"train", "--weight-decay", "0.1"}, "--weight-decay: the recipe of cnn4 (keras-sgd) has no such setting"},
        {{"train", "--decay", "-1e-4"}, "--decay: expected a non-negative number, got '-1e-4'"},
        {{"train", "--momentum", "1.5"}, "the recipe's settings cannot train: momentum must be in [0, 1)"},
        {{"train", "--label-smoothing", "1"}, "the recipe's settings cannot train: label_smoothing must be in [0, 1)"},
        {{"train", "--augment", "--no-augment"}, "--augment and --no-augment contradict each other"},
        {{"train", "--bogus"}, "unknown flag --bogus"},
        {{"train", "-x"}, "unknown flag -x"},
        {{"train", "--epochs"}, "--epochs: missing value N"},
        {{"train", "--resume", "--data", data}, "--resume needs --out DIR"},
        {{"train", "--resume", "--out", dir / "none", "--data", data}, "--resume: " + dir / "none/checkpoint.bin" + " does not exist"},
        {{"train", "--data", data, "--out", "/proc/statnn-out"}, "--out /proc/statnn-out: cannot create"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{"evaluate", "--data", data}, "--weights FILE is required"},
        {{"predict", "--weights", "x.bin"}, "predict needs at least one IMAGE"},
        {{"predict", "--weights", "x.bin", "test:abc"}, "test:abc: expected test:INDEX"},
        {{"bench", "fly"}, "bench takes one mode: train or infer"},
        {{"evaluate", "--tta", "mirror", "--weights", "x.bin"}, "--tta: expected none, flip or flip-translate, got 'mirror'"},
        {{"evaluate", "--tta"}, "--tta: missing value none|flip|flip-translate"},
        {{"train", "--augment=4"}, "--augment takes no value"},
        {{"train", "--keep-epochs", "10,,20"},
         "--keep-epochs: expected a comma-separated list of positive integers (e.g. 10,20,50), got '10,,20'"},
        {{"train", "--keep-epochs", "0,5"},
         "--keep-epochs: expected a comma-separated list of positive integers (e.g. 10,20,50), got '0,5'"},
        {{"train", "--keep-epochs", "ten"},
         "--keep-epochs: expected a comma-separated list of positive integers (e.g. 10,20,50), got 'ten'"},
        {{"train", "--keep-epochs", "5,"},
         "--keep-epochs: expected a comma-separated list of positive integers (e.g. 10,20,50), got '5,'"},
        {{"train", "--threads", "100000", "--data", data, "--out", dir / "many"}, threads_limit + "got '100000'"},
        {{"bench", "--threads", std::to_string(4 * available_cores() + 1)},
         threads_limit + "got '" + std::to_string(4 * available_cores() + 1) + "'"},
    };
    for (const auto& c : cases) {
        std::string line;
        for (const auto& a : c.args) line += a + " ";
        INFO("cnn4 " << line);
        const RunResult r = run(c.args);
        CHECK(r.status == 2);
        INFO("stderr: " << r.err);
        CHECK(first_line(r.err).rfind("cnn4: " + c.says, 0) == 0);
        CHECK(r.err.find("Run 'cnn4 --help' for usage.") != std::string::npos);
        CHECK(r.out.empty());
    }
    CHECK(!exists(dir / "none"));
    CHECK(!exists(dir / "many"));
}

// --decay is Keras' decay, a field of the keras-decay schedule only: it reaches the run's
// schedule (run.json) and another schedule refuses it by name.
TEST_CASE("train --decay sets a keras-decay schedule's decay, and a warm-up schedule refuses it", "[cli][optim]") {
    TempDir dir;
    const RunResult r = run({"train", "--data", cifar_fixture_dir(), "--limit", "64", "--val-limit", "32", "--epochs", "1",
                             "--decay", "0.001", "--threads", "1", "--verbose", "2", "--out", dir / "decayed"});
    INFO("stderr: " << r.err);
    INFO("stdout: " << r.out);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("\nwith the flags: optimizer keras-sgd momentum 0 nesterov 1, schedule keras-decay lr 0.1 decay 0.001, loss "
                     "softmax-cross-entropy label_smoothing 0\n") != std::string::npos);
    const std::string meta = read_text_file(dir / "decayed/run.json");
    CHECK(meta.find(R"("schedule": {"kind": "keras-decay", "lr": 0.1, "decay": 0.001})") != std::string::npos);
    const RunResult refused = run_command<models::Cnn4>(kAdamRecipe, {"train", "--decay", "0.001"});
    CHECK(refused.status == 2);
    CHECK(first_line(refused.err) == "cnn4-adamw: --decay: the recipe of cnn4-adamw (warmup-cosine) has no such setting");
}

TEST_CASE("bad inputs at run time: one line naming the file, exit 1, nothing written", "[cli][errors]") {
    TempDir dir;
    SECTION("a data folder with a damaged file") {
        write_cifar_set(dir / "", 10);
        ::truncate((dir / "data_batch_2.bin").c_str(), 3073 * 3 + 5);
        const RunResult r = run({"train", "--data", dir.path(), "--out", dir / "run"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err) == "cnn4: " + dir / "data_batch_2.bin" +
                                       ": 9224 bytes is not a whole number of 3073-byte records");
        CHECK(!exists(dir / "run"));
    }
    SECTION("a missing data folder") {
        const RunResult r = run({"train", "--data", dir / "nowhere", "--out", dir / "run"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err) == "cnn4: " + dir / "nowhere" + ": no such directory (see --data)");
        CHECK(!exists(dir / "run"));
    }
    SECTION("a checkpoint of another architecture, a corrupted one, a missing one") {
        using Other = Sequential<Input<3, 32, 32>, Flatten, Dense<10>, Softmax>;
        auto other = std::make_unique<Network<Other, 32>>(1, 1);
        io::save_checkpoint(dir / "other.bin", *other, "tiny", io::CheckpointContents::Weights, io::TrainingState{});
        RunResult r = run({"evaluate", "--data", cifar_fixture_dir(), "--weights", dir / "other.bin"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err) == "cnn4: " + dir / "other.bin" +
                                       ": written for another architecture ('tiny'); this binary's network differs");
        std::FILE* f = std::fopen((dir / "junk.bin").c_str(), "wb");
        std::fputs("STATNNCK but then garbage follows", f);
        std::fclose(f);
        r = run({"evaluate", "--data", cifar_fixture_dir(), "--weights", dir / "junk.bin"});
        CHECK(r.status == 1);
        CHECK(r.err.find("junk.bin: checksum mismatch") != std::string::npos);
        r = run({"predict", "--weights", dir / "nope.bin", "test:0"});
        CHECK(r.status == 1);
        CHECK(r.err.find("nope.bin: cannot open") != std::string::npos);
    }
    SECTION("an image that is not 32x32, or not an image") {
        auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
        io::save_checkpoint(dir / "w.bin", *net, "cnn4", io::CheckpointContents::Weights, io::TrainingState{});
        std::FILE* f = std::fopen((dir / "big.ppm").c_str(), "wb");
        std::fprintf(f, "P6\n64 48\n255\n");
        for (int i = 0; i < 64 * 48 * 3; ++i) std::fputc(i % 256, f);
        std::fclose(f);
        f = std::fopen((dir / "text.png").c_str(), "wb");
        std::fputs("hello", f);
        std::fclose(f);
        RunResult r = run({"predict", "--weights", dir / "w.bin", dir / "big.ppm"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err) == "cnn4: " + dir / "big.ppm" + ": 64x48 pixels; predict needs 32x32 images");
        CHECK(r.out.empty());
        r = run({"predict", "--weights", dir / "w.bin", dir / "text.png"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err) == "cnn4: " + dir / "text.png" + ": not a PNG or binary PPM/PGM image");
        // A 32x32 grey PNG whose IDAT holds a broken zlib stream (found by fuzz_image):
        // the header reads, the pixels do not.
        const unsigned char broken[] = {
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
            0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x08, 0x00, 0x00, 0x00, 0x00, 0x56, 0x11, 0x25, 0x28, 0x00,
            0x00, 0x00, 0x32, 0x49, 0x44, 0x41, 0x54, 0x78, 0x5e, 0xff, 0xff, 0x0a, 0xe1, 0x0f, 0x18, 0x17, 0x10,
            0x52, 0xe0, 0x40, 0x48, 0xc1, 0x03, 0x42, 0x0a, 0x1a, 0x08, 0x29, 0x50, 0x20, 0xa4, 0xe0, 0x00, 0x21,
            0x05, 0x09, 0x84, 0x14, 0x8c, 0x86, 0x03, 0x38, 0x84, 0x46, 0xd3, 0x03, 0xeb, 0x68, 0x38, 0x20, 0xe5,
            0x15, 0x00, 0x4c, 0x8b, 0x21, 0x81, 0x42, 0x9f, 0x61, 0x67, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
            0x44, 0xae, 0x42, 0x60, 0x82};
        f = std::fopen((dir / "broken.png").c_str(), "wb");
        std::fwrite(broken, 1, sizeof broken, f);
        std::fclose(f);
        r = run({"predict", "--weights", dir / "w.bin", dir / "broken.png"});
        CHECK(r.status == 1);
        CHECK(first_line(r.err).rfind("cnn4: " + dir / "broken.png" + ": cannot decode (", 0) == 0);
        CHECK(r.out.empty());
    }
}

TEST_CASE("divergence: a non-finite loss stops the run naming the step, and the last checkpoint stays", "[train][errors][slow]") {
    TempDir dir;
    const std::string out = dir / "run";
    const std::vector<std::string> common = {"--data", cifar_fixture_dir(), "--limit", kFew, "--val-limit", "32",
                                             "--verbose", "0", "--threads", "2", "--out", out};
    auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), common.begin(), common.end());
        return a;
    };
    REQUIRE(run(with({"train", "--epochs", "1"})).status == 0);
    // Blow the output layer up inside a valid checkpoint: the next step's logits overflow.
    // (Scaling every weight instead lets infinities of both signs meet inside the
    // convolutions: whether the loss or only the next update is the first non-finite value
    // then depends on the order of their sums, which differs between conv algorithms.)
    auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
    io::TrainingState state = io::load_checkpoint(out + "/checkpoint.bin", *net);
    constexpr std::size_t kLastLayer = 512 * 10 + 10;  // Dense(10): kernel and bias, the last parameters
    for (std::size_t i = Network<models::Cnn4, 32>::kParamFloats - kLastLayer; i < Network<models::Cnn4, 32>::kParamFloats; ++i)
        net->params()[i] = 3e38f;
    io::save_checkpoint(out + "/checkpoint.bin", *net, "cnn4", io::CheckpointContents::Training, state);
    const std::string before = read_text_file(out + "/checkpoint.bin");
    const RunResult r = run(with({"train", "--epochs", "2", "--resume"}));
    CHECK(r.status == 1);
    INFO("stderr: " << r.err);
    CHECK(r.err.find("cnn4: epoch 2, step 1 (update 3): the loss is ") == 0);
    CHECK(read_text_file(out + "/checkpoint.bin") == before);  // the last good checkpoint is kept
    CHECK(report::parse_history_csv(read_text_file(out + "/history.csv")).size() == 1);
}

TEST_CASE("a run killed mid-epoch resumes to the weights of an uninterrupted run", "[train][faults][slow]") {
    TempDir dir;
    auto args = [&](const std::string& out) {
        return std::vector<std::string>{"train", "--data", cifar_fixture_dir(), "--limit", "1024", "--val-limit", "64",
                                        "--epochs", "4", "--seed", "9", "--threads", "2", "--verbose", "0", "--out", out};
    };
    REQUIRE(run(args(dir / "whole")).status == 0);

    // The same run as a separate process, killed with SIGKILL during its second epoch.
    const pid_t child = spawn_cnn4(args(dir / "killed"), dir / "stderr");
    REQUIRE(child >= 0);
    // Wait for the first checkpoint, then let the second epoch start and kill it.
    const std::string ck = dir / "killed/checkpoint.bin";
    if (!wait_for_file_or_kill(child, ck)) FAIL("no checkpoint after 60 s: " << ck);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    if (WIFSIGNALED(status)) {
        // Killed mid-run: at most the interrupted epoch is lost.
        auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
        const auto state = io::load_checkpoint(ck, *net);
        CHECK(state.epochs_done >= 1);
        CHECK(state.epochs_done < 4);
    } else {
        WARN("the run finished before it could be killed; resume is then a no-op");
    }
    // No torn or temporary files.
    CHECK(std::system(("test -z \"$(ls -A '" + dir / "killed" + "' | grep tmp)\"").c_str()) == 0);

    auto resume = args(dir / "killed");
    resume.push_back("--resume");
    REQUIRE(run(resume).status == 0);
    using Net = Network<models::Cnn4, 32>;
    auto a = std::make_unique<Net>(1, 1), b = std::make_unique<Net>(2, 1);
    io::load_checkpoint(dir / "whole/weights.bin", *a);
    io::load_checkpoint(dir / "killed/weights.bin", *b);
    CHECK(std::equal(a->params(), a->params() + Net::kParamFloats, b->params()));  // bit for bit
}

TEST_CASE("a run stuck at chance says which layer of ReLUs died", "[train][errors][slow]") {
    TempDir dir;
    const std::string out = dir / "run";
    const std::vector<std::string> common = {"--data", cifar_fixture_dir(), "--limit", kFew, "--val-limit", "64",
                                             "--verbose", "0", "--threads", "2", "--out", out};
    auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), common.begin(), common.end());
        return a;
    };
    REQUIRE(run(with({"train", "--epochs", "1"})).status == 0);
    // Kill every unit of dense1 (cnn4's Dense(512) + ReLU): a large negative bias.
    using Net = Network<models::Cnn4, 32>;
    auto net = std::make_unique<Net>(1, 1);
    io::TrainingState state = io::load_checkpoint(out + "/checkpoint.bin", *net);
    net->visit([](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (std::is_same_v<typename L::Out, Flat<512>> && L::kBiasSize == 512)
            for (int j = 0; j < 512; ++j) layer.bias[j] = -1e4f;
        (void)k;
    });
    io::save_checkpoint(out + "/checkpoint.bin", *net, "cnn4", io::CheckpointContents::Training, state);
    const RunResult r = run(with({"train", "--epochs", "2", "--resume"}));
    CHECK(r.status == 0);
    INFO("stderr: " << r.err);
    CHECK(r.err.find("cnn4: warning: after epoch 2 validation accuracy is") == 0);
    CHECK(r.err.find("Every ReLU of dense1 (relu5) outputs 0 for all of 64 validation images") != std::string::npos);
    CHECK(r.err.find("restart with another --seed or a lower --lr.") != std::string::npos);
}

TEST_CASE("a run folder another train run holds is refused, and nothing in it changes", "[train][lock][slow]") {
    TempDir dir;
    const std::string out = dir / "run";
    const std::vector<std::string> common = {"--data", cifar_fixture_dir(), "--limit", kFew, "--val-limit", "32",
                                             "--verbose", "0", "--threads", "2", "--out", out};
    auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), common.begin(), common.end());
        return a;
    };
    REQUIRE(run(with({"train", "--epochs", "1"})).status == 0);
    const auto before = folder_contents(out);
    REQUIRE(before.count(".lock") == 1);

    // Hold the lock as a running train would (flock on another open file of .lock).
    const int fd = ::open((out + "/.lock").c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    for (const auto& args : {with({"train", "--epochs", "2", "--resume"}), with({"train", "--epochs", "2"}),
                             with({"train", "--epochs", "2", "--resume", "--keep-epochs", "2"})}) {
        const RunResult r = run(args);
        CHECK(r.status == 1);
        INFO("stderr: " << r.err);
        const std::string says = first_line(r.err);
        CHECK(says.rfind("cnn4: --out " + out + ": another train run is using it (", 0) == 0);
        CHECK(says.size() >= out.size() + 7);
        CHECK(says.compare(says.size() - (out.size() + 7), std::string::npos, out + "/.lock)") == 0);
        CHECK(r.err.find("Run 'cnn4 --help'") == std::string::npos);  // not a command-line mistake: exit 1
        CHECK(r.out.empty());
    }
    CHECK(folder_contents(out) == before);
    ::close(fd);  // released: the same command now goes on
    CHECK(run(with({"train", "--epochs", "2", "--resume"})).status == 0);
}

TEST_CASE("a lock left by a killed process does not block the next run", "[train][lock][slow]") {
    TempDir dir;
    const std::string out = dir / "run";
    REQUIRE(::mkdir(out.c_str(), 0755) == 0);
    const std::string lock = out + "/.lock";
    // A process that takes the lock and waits to be killed.
    const pid_t holder = ::fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
        const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
        if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
        for (;;) ::pause();
    }
    auto lock_is_held = [&] {
        const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) return false;
        const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
        ::close(fd);
        return held;
    };
    for (int i = 0; i < 1000 && !lock_is_held(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const std::vector<std::string> args = {"train", "--data", cifar_fixture_dir(), "--limit", kFew, "--val-limit", "32",
                                           "--epochs", "1", "--verbose", "0", "--threads", "2", "--out", out};
    const RunResult refused = run(args);
    ::kill(holder, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(holder, &status, 0) == holder);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("another train run is using it") != std::string::npos);
    CHECK(!exists(out + "/run.json"));
    CHECK(WIFSIGNALED(status));
    // The kernel dropped the dead process's lock; the file is still there and does not matter.
    CHECK(exists(lock));
    const RunResult r = run(args);
    INFO("stderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(exists(out + "/weights.bin"));
}

TEST_CASE("train puts back the signal handlers it found", "[train][signals][slow]") {
    struct sigaction int_before {}, term_before {}, int_after {}, term_after {};
    ::sigaction(SIGINT, nullptr, &int_before);
    ::sigaction(SIGTERM, nullptr, &term_before);
    TempDir dir;
    REQUIRE(run({"train", "--data", cifar_fixture_dir(), "--limit", "32", "--val-limit", "32", "--epochs", "1",
                 "--verbose", "0", "--threads", "1", "--out", dir / "run"})
                .status == 0);
    CHECK(run({"train", "--data", dir / "nowhere", "--out", dir / "bad"}).status == 1);  // and after an error
    ::sigaction(SIGINT, nullptr, &int_after);
    ::sigaction(SIGTERM, nullptr, &term_after);
    CHECK(int_after.sa_handler == int_before.sa_handler);
    CHECK(term_after.sa_handler == term_before.sa_handler);
}

TEST_CASE("SIGINT mid-epoch: reports, a checkpoint that resumes bit for bit, exit 130", "[train][signals][slow]") {
    TempDir dir;
    auto args = [&](const std::string& out) {
        return std::vector<std::string>{"train", "--data", cifar_fixture_dir(), "--limit", "1024", "--val-limit", "64",
                                        "--epochs", "4", "--seed", "9", "--threads", "2", "--verbose", "0", "--out", out};
    };
    REQUIRE(run(args(dir / "whole")).status == 0);

    // The same run as a separate process, interrupted during its second epoch.
    const std::string out = dir / "stopped";
    const pid_t child = spawn_cnn4(args(out), dir / "stderr");
    REQUIRE(child >= 0);
    if (!wait_for_file_or_kill(child, out + "/checkpoint.bin")) FAIL("no checkpoint after 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const std::string err = read_text_file(dir / "stderr");
    INFO("stderr: " << err);
    REQUIRE(WIFEXITED(status));
    const bool finished = WEXITSTATUS(status) == 0;
    if (finished) {
        WARN("the run finished before the signal arrived; nothing to check but the resume");
    } else {
        CHECK(WEXITSTATUS(status) == 130);
        CHECK(err.find("cnn4: interrupted by SIGINT ") == 0);
        CHECK(err.find("; continue with: cnn4 train --out " + out + " --resume --data ") != std::string::npos);
        // The reports of the completed epochs and the weights of the last step.
        for (const char* f : {"history.csv", "accuracy.svg", "loss.svg", "summary.txt", "weights.bin", "run.json"})
            CHECK(exists(out + "/" + f));
        CHECK(read_text_file(out + "/summary.txt").find("Interrupted by SIGINT") != std::string::npos);
        auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
        const auto state = io::load_checkpoint(out + "/checkpoint.bin", *net);
        CHECK(state.epochs_done >= 1);
        CHECK(state.epochs_done < 4);
        CHECK(report::parse_history_csv(read_text_file(out + "/history.csv")).size() == state.epochs_done);
        // The signal usually lands mid-epoch (the checkpoint then continues at the next step).
        if (state.partial.steps == 0) WARN("the signal arrived between epochs");
        CHECK(state.partial.steps < 32);
        CHECK(state.iterations == std::int64_t(state.epochs_done) * 32 + state.partial.steps);
        auto weights = std::make_unique<Network<models::Cnn4, 32>>(2, 1);
        io::load_checkpoint(out + "/weights.bin", *weights);
        CHECK(std::equal(net->params(), net->params() + Network<models::Cnn4, 32>::kParamFloats, weights->params()));
    }
    CHECK(std::system(("test -z \"$(ls -A '" + out + "' | grep tmp)\"").c_str()) == 0);

    auto resume = args(out);
    resume.push_back("--resume");
    REQUIRE(run(resume).status == 0);
    check_same_run(dir / "whole", out, 4);
}

// Augmentation draws from (seed, epoch, record index), never from state that a stop could
// lose: a run stopped mid-epoch resumes to exactly the uninterrupted run's weights.
TEST_CASE("SIGINT mid-epoch of an augmented run: it resumes, augmented, to the weights of an uninterrupted one",
          "[train][signals][augment][slow]") {
    TempDir dir;
    const std::string fixture = cifar_fixture_dir();
    auto args = [&](const std::string& out) {
        return std::vector<std::string>{"train", "--augment", "--data", fixture, "--limit", "512", "--val-limit", "64",
                                        "--epochs", "3", "--seed", "9", "--threads", "2", "--verbose", "0", "--out", out};
    };
    REQUIRE(run(args(dir / "whole")).status == 0);

    const std::string out = dir / "stopped";
    const pid_t child = spawn_cnn4(args(out), dir / "stderr");
    REQUIRE(child >= 0);
    // run.json comes before the first step, the checkpoint after the first epoch: half as
    // long again after it, the run is in the middle of epoch 2, however busy the machine.
    if (!wait_for_file_or_kill(child, out + "/run.json")) FAIL("no run.json after 60 s");
    const auto started = std::chrono::steady_clock::now();
    if (!wait_for_file_or_kill(child, out + "/checkpoint.bin")) FAIL("no checkpoint after 60 s");
    std::this_thread::sleep_for((std::chrono::steady_clock::now() - started) / 2);
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const std::string err = read_text_file(dir / "stderr");
    INFO("stderr: " << err);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) {
        WARN("the run finished before the signal arrived; nothing to check but the resume");
    } else {
        CHECK(WEXITSTATUS(status) == 130);
        auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
        const auto state = io::load_checkpoint(out + "/checkpoint.bin", *net);
        CHECK(state.augment == data::kSeedModelAugmentation);
        if (state.partial.steps == 0) WARN("the signal arrived between epochs");
        CHECK(state.iterations == std::int64_t(state.epochs_done) * 16 + state.partial.steps);
    }

    // Continued without --augment: the run goes on as it was started.
    const RunResult resumed = run({"train", "--out", out, "--resume", "--data", fixture, "--threads", "1", "--verbose", "1"});
    REQUIRE(resumed.status == 0);
    CHECK(resumed.out.find("augmenting training images: random shift of up to 4 pixels (zero padding) and horizontal flip\n") !=
          std::string::npos);
    check_same_run(dir / "whole", out, 3);
}

TEST_CASE("SIGTERM: the run stops with a checkpoint and exits 143", "[train][signals][slow]") {
    TempDir dir;
    const std::string out = dir / "run";
    const std::vector<std::string> args = {"train", "--data", cifar_fixture_dir(), "--limit", "1024", "--val-limit", "64",
                                           "--epochs", "20", "--threads", "2", "--verbose", "0", "--out", out};
    const pid_t child = spawn_cnn4(args, dir / "stderr");
    REQUIRE(child >= 0);
    // run.json is written once the handlers are in place and before the first step.
    if (!wait_for_file_or_kill(child, out + "/run.json")) FAIL("no run.json after 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(child, SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const std::string err = read_text_file(dir / "stderr");
    INFO("stderr: " << err);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 143);
    CHECK(err.find("cnn4: interrupted by SIGTERM ") == 0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    if (exists(out + "/checkpoint.bin")) {
        auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
        const auto state = io::load_checkpoint(out + "/checkpoint.bin", *net);
        CHECK(state.epochs_done < 20);
        CHECK(state.epochs_planned == 20);
        CHECK(state.iterations > 0);
    } else {
        CHECK(err.find("before the first training step") != std::string::npos);
    }
}

// The recipe's optimizer state (both of Adam's moments), its schedule (stretched to the
// run when it starts) and its loss live in the checkpoint: an AdamW run stopped mid-epoch
// resumes to the uninterrupted run's weights.
TEST_CASE("SIGINT mid-epoch of an AdamW run with a warm-up schedule and label smoothing: it resumes bit for bit",
          "[train][signals][optim][slow]") {
    TempDir dir;
    auto args = [&](const std::string& out) {
        return std::vector<std::string>{"train", "--data", cifar_fixture_dir(), "--limit", "1024", "--val-limit", "64",
                                        "--epochs", "3", "--seed", "4", "--threads", "2", "--verbose", "0", "--out", out};
    };
    REQUIRE(run_command<models::Cnn4>(kAdamRecipe, args(dir / "whole")).status == 0);
    // The schedule, written for 1000 steps with 100 of warm-up, stretched to 3 x 32 steps.
    const std::string meta = read_text_file(dir / "whole/run.json");
    CHECK(meta.find(R"("optimizer": {"kind": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "weight_decay": 0.0005})") !=
          std::string::npos);
    CHECK(meta.find(R"("schedule": {"kind": "warmup-cosine", "peak_lr": 0.002, "warmup_steps": 10, "total_steps": 96, )") !=
          std::string::npos);
    CHECK(meta.find(R"("loss": {"kind": "softmax-cross-entropy", "label_smoothing": 0.1})") != std::string::npos);
    CHECK(read_text_file(dir / "whole/summary.txt").find("optimizer adamw beta1 0.9") != std::string::npos);

    const std::string out = dir / "stopped";
    const pid_t child = spawn_in_process(kAdamRecipe, args(out), dir / "stderr");
    REQUIRE(child >= 0);
    if (!wait_for_file_or_kill(child, out + "/checkpoint.bin")) FAIL("no checkpoint after 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    INFO("stderr: " << read_text_file(dir / "stderr"));
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) WARN("the run finished before the signal arrived; nothing to check but the resume");
    else CHECK(WEXITSTATUS(status) == 130);
    {
        auto net = std::make_unique<Network<models::Cnn4, 32, 2>>(1, 1);
        const auto state = io::load_checkpoint(out + "/checkpoint.bin", *net);
        CHECK(state.optimizer_slots == std::vector<std::string>{"exp_avg", "exp_avg_sq"});
        CHECK(state.recipe.optimizer.kind == "adamw");
        CHECK(field_value(state.recipe.schedule, "total_steps", 0) == 96);
        CHECK(field_value(state.recipe.loss, "label_smoothing", 0) == 0.1);
        // Adam's second moment is never negative and not all zero after a step.
        const float* v = net->optimizer_state(1);
        CHECK(*std::min_element(v, v + Network<models::Cnn4, 32, 2>::kParamFloats) >= 0.0f);
        CHECK(*std::max_element(v, v + Network<models::Cnn4, 32, 2>::kParamFloats) > 0.0f);
    }
    // Another learning rate on resume is refused (the run's schedule is in the checkpoint).
    auto other_lr = args(out);
    other_lr.insert(other_lr.end(), {"--resume", "--lr", "0.5"});
    const RunResult refused = run_command<models::Cnn4>(kAdamRecipe, other_lr);
    CHECK(refused.status == 2);
    CHECK(first_line(refused.err) == "cnn4-adamw: --lr differs from the run being resumed (" + out + "/checkpoint.bin)");

    auto resume = args(out);
    resume.push_back("--resume");
    REQUIRE(run_command<models::Cnn4>(kAdamRecipe, resume).status == 0);
    check_same_run(dir / "whole", out, 3);
    // A Keras-SGD binary of the same network cannot continue an AdamW run.
    auto keras = args(out);
    keras.insert(keras.end(), {"--resume", "--epochs", "4"});
    const RunResult wrong = run(keras);
    CHECK(wrong.status == 1);
    CHECK(first_line(wrong.err).find("holds 2 optimizer state arrays, this binary's optimizer keeps 1") != std::string::npos);
}
