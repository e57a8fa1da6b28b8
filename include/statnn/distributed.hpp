// statnn/distributed.hpp — data-parallel training: which rows of a batch a process owns,
// and the collective operations the processes of one run share.
//
// A run on N processes keeps the recipe's batch as the *global* batch: every process reads
// the same global batches (the same shuffled order), trains on its own contiguous share of
// rows, and the gradients are summed over the processes before the identical optimizer
// step everywhere. Each process scales its loss gradient by rows/global_rows, so the sum
// is the gradient of the mean loss over the global batch — the one-process gradient up to
// the order of floating-point additions. Dropout masks and augmentation are keyed by the
// global row, so what a sample sees does not depend on N.
//
// The library stays free of any transport: Communicator is an interface, SingleProcess
// its trivial form, and the MPI one lives in the application (src/mpi_communicator.hpp).
#pragma once

#include <cstddef>
#include <cstdlib>

namespace statnn {

// Process `rank` of `ranks` owns rows [begin(n), end(n)) of a global batch of n rows;
// the shares differ by at most one row and cover the batch exactly.
struct BatchShard {
    int rank = 0, ranks = 1;
    int begin(int n) const { return int(long(n) * rank / ranks); }
    int end(int n) const { return int(long(n) * (rank + 1) / ranks); }
    int rows(int n) const { return end(n) - begin(n); }
};

// The rows of one global batch this process holds (at the start of net.input()).
struct ShardRows {
    int rows = 0;   // this process's share; may be 0 when the batch has fewer rows than processes
    int first = 0;  // global row of the first one
    int total = 0;  // rows of the global batch
};

// Collective operations over the processes of a run; every process calls them in the
// same order. Implementations allocate nothing per call.
class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // In place: every process ends with the element-wise sum over all processes.
    virtual void sum(float* data, std::size_t count) = 0;
    virtual void sum(double* data, std::size_t count) = 0;
    virtual void max(double* data, std::size_t count) = 0;
    // In place: every process ends with the root's data.
    virtual void broadcast(float* data, std::size_t count, int root) = 0;
    // Ends every process of the run at once with this exit status (after a fault that
    // only this process saw: the others would otherwise wait for it forever).
    [[noreturn]] virtual void abort(int status) = 0;
    // Seconds spent in sum() over the gradient since the last reset (the cost of
    // distribution, reported per epoch).
    virtual double gradient_seconds() const { return 0.0; }
    virtual void reset_gradient_seconds() {}

    BatchShard shard() const { return BatchShard{rank(), size()}; }
    bool is_root() const { return rank() == 0; }
};

// One process: every collective is the identity.
class SingleProcess final : public Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void sum(float*, std::size_t) override {}
    void sum(double*, std::size_t) override {}
    void max(double*, std::size_t) override {}
    void broadcast(float*, std::size_t, int) override {}
    [[noreturn]] void abort(int status) override { std::exit(status); }
};

}  // namespace statnn
