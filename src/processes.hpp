// src/processes.hpp — the processes a `train` command runs on: one, or the ranks of an MPI
// job (`mpirun -np N <binary> train ...`) when the binary was built with MPI.
//
// MPI is joined only when an MPI launcher started this process (its environment says so):
// a plain `cnn6 train` never initialises MPI, so it behaves and costs exactly as a build
// without it. A binary without MPI started by a launcher refuses to run N copies of the
// same training.
#pragma once

#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "statnn/distributed.hpp"
#include "statnn/hints.hpp"

#if STATNN_WITH_MPI
#include <mpi.h>
#endif

namespace statnn {

// True when an MPI launcher (Open MPI's mpirun, PMI/PMIx-based ones such as srun) started
// this process.
inline bool started_by_mpi_launcher() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
        if (const char* v = std::getenv(var); v && *v) return true;
    return false;
}

// One line for summary: whether this binary can train over MPI.
inline std::string mpi_support_line() {
#if STATNN_WITH_MPI
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    std::string v(version, std::size_t(length));
    if (const auto cut = v.find_first_of(",\n"); cut != std::string::npos) v.resize(cut);
    return "MPI: built in (" + v + "); mpirun -np N <binary> train ... trains on N processes";
#else
    return "MPI: not built in (" + std::string(hints::kInstallMpi) + ", for mpirun -np N <binary> train)";
#endif
}

#if STATNN_WITH_MPI
class MpiCommunicator final : public Communicator {
public:
    MpiCommunicator() {
        int provided = 0;
        // Only the main thread calls MPI (the reader's and the pool's threads never do).
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiCommunicator() override { MPI_Finalize(); }
    MpiCommunicator(const MpiCommunicator&) = delete;
    MpiCommunicator& operator=(const MpiCommunicator&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void sum(float* data, std::size_t count) override {
        const auto t0 = std::chrono::steady_clock::now();
        reduce(data, count, MPI_FLOAT, MPI_SUM);
        gradient_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    void sum(double* data, std::size_t count) override { reduce(data, count, MPI_DOUBLE, MPI_SUM); }
    void max(double* data, std::size_t count) override { reduce(data, count, MPI_DOUBLE, MPI_MAX); }
    void broadcast(float* data, std::size_t count, int root) override {
        for (std::size_t done = 0; done < count;) {
            const int part = int(std::min<std::size_t>(count - done, INT_MAX));
            MPI_Bcast(data + done, part, MPI_FLOAT, root, MPI_COMM_WORLD);
            done += std::size_t(part);
        }
    }
    [[noreturn]] void abort(int status) override {
        MPI_Abort(MPI_COMM_WORLD, status);
        std::_Exit(status);
    }
    double gradient_seconds() const override { return gradient_seconds_; }
    void reset_gradient_seconds() override { gradient_seconds_ = 0.0; }

private:
    template <class T>
    static void reduce(T* data, std::size_t count, MPI_Datatype type, MPI_Op op) {
        for (std::size_t done = 0; done < count;) {  // MPI counts are int
            const int part = int(std::min<std::size_t>(count - done, INT_MAX));
            MPI_Allreduce(MPI_IN_PLACE, data + done, part, type, op, MPI_COMM_WORLD);
            done += std::size_t(part);
        }
    }

    int rank_ = 0, size_ = 1;
    double gradient_seconds_ = 0.0;
};
#endif

// The processes of this run: the MPI job's ranks when started by a launcher, else one.
inline std::unique_ptr<Communicator> join_processes() {
    if (!started_by_mpi_launcher()) return std::make_unique<SingleProcess>();
#if STATNN_WITH_MPI
    return std::make_unique<MpiCommunicator>();
#else
    throw std::runtime_error(
        "started by an MPI launcher, but this binary was built without MPI: every process would train the whole run "
        "alone (" + std::string(hints::kInstallMpi) + ")");
#endif
}

}  // namespace statnn
