// tests/train/test_faults.cpp — what the trainer does when things go wrong: bad command
// lines and bad data are one error line and a non-zero exit with nothing left behind;
// a run killed mid-epoch resumes to the weights of an uninterrupted run; a diverging
// run stops naming the step and keeps the last good checkpoint. The data is the tests'
// CIFAR-10 fixture (support/cifar_fixture.hpp). Cases that train are tagged [slow]: cross
// builds, which run tests under an emulator, leave them out.
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <memory>
#include <string>
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

const Recipe kRecipe{"cnn4", "test", models::kCnn4Sgd, 1};

const std::string kFew = "64";  // training images of the short runs

// `cnn4 args...` in process.
RunResult run(std::vector<std::string> args) { return run_command<models::Cnn4>(kRecipe, std::move(args)); }

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("bad command lines: one clear line naming the flag, usage hint, exit 2", "[cli][errors]") {
    TempDir dir;
    const std::string data = cifar_fixture_dir();
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
    // Blow the weights up inside a valid checkpoint: the next step overflows.
    auto net = std::make_unique<Network<models::Cnn4, 32>>(1, 1);
    io::TrainingState state = io::load_checkpoint(out + "/checkpoint.bin", *net);
    for (std::size_t i = 0; i < Network<models::Cnn4, 32>::kParamFloats; ++i) net->params()[i] *= 1e30f;
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
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto a = args(dir / "killed");
        std::vector<char*> argv;
        std::string bin = STATNN_CNN4_BINARY;
        argv.push_back(bin.data());
        for (auto& s : a) argv.push_back(s.data());
        argv.push_back(nullptr);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::execv(bin.c_str(), argv.data());
        ::_exit(127);
    }
    // Wait for the first checkpoint, then let the second epoch start and kill it.
    const std::string ck = dir / "killed/checkpoint.bin";
    for (int i = 0; i < 6000 && !exists(ck); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!exists(ck)) {  // never leave the child writing into a directory the test removes
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        FAIL("no checkpoint after 60 s: " << ck);
    }
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
