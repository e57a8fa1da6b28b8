// tests/support/app_runner.hpp — runs a binary's command line in process (run_app), with
// stdout and stderr captured, for the end-to-end tests.
#pragma once

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "app.hpp"
#include "support/cifar_files.hpp"
#include "support/golden.hpp"

namespace statnn::test {

struct RunResult {
    int status = 0;
    std::string out, err;
};

// `<recipe.name> args...` through run_app<Arch, Batch>; what it printed is also echoed to
// this test's stdout, so a failing test's log shows the run.
template <class Arch, int Batch = 32, class R>
RunResult run_command(const R& recipe, std::vector<std::string> args) {
    std::vector<char*> argv;
    std::string name = recipe.name;
    argv.push_back(name.data());
    for (auto& a : args) argv.push_back(a.data());
    std::fflush(stdout);
    std::fflush(stderr);
    TempDir capture;
    const int saved_out = ::dup(1), saved_err = ::dup(2);
    std::FILE* out = std::fopen((capture / "out").c_str(), "w");
    std::FILE* err = std::fopen((capture / "err").c_str(), "w");
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(err), 2);
    RunResult r;
    r.status = run_app<Arch, Batch>(recipe, int(argv.size()), argv.data());
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out, 1);
    ::dup2(saved_err, 2);
    ::close(saved_out);
    ::close(saved_err);
    std::fclose(out);
    std::fclose(err);
    r.out = read_text_file(capture / "out");
    r.err = read_text_file(capture / "err");
    std::fputs(r.out.c_str(), stdout);
    return r;
}

}  // namespace statnn::test
