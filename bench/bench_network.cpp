// bench/bench_network.cpp — end to end: one training step (forward, backward, SGD and
// max-norm) and one inference pass of a batch of 32 on synthetic data, per architecture,
// with 1 and 2 threads. Counters: images/s, FLOP/s and peak_fraction (multiply-add = 2 FLOPs; the
// training count is forward + input gradients (not for the first layer) + kernel gradients).
#include <memory>

#include "bench_util.hpp"
#include "cnn4.hpp"
#include "cnn6.hpp"
#include "statnn/flops.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

template <class Arch, class R>
void training_step(benchmark::State& state, R recipe) {
    using Net = Network<Arch, 32, R::OptimizerType::kStateSlots>;
    auto net = std::make_unique<Net>(1, int(state.range(0)));
    Rng rng(1);
    for (std::size_t i = 0; i < 32 * Net::InShape::size; ++i) net->input()[i] = rng.uniform01();
    for (int i = 0; i < 32; ++i) net->labels()[i] = i % Net::kClasses;
    std::int64_t step = 0;
    const LoopClock clock;
    for (auto _ : state) train_step(*net, recipe, 32, step++);
    state.counters["images/s"] = benchmark::Counter(32, benchmark::Counter::kIsIterationInvariantRate);
    set_flop_counters(state, clock, 32.0 * double(training_flops_per_image<Net>()), int(state.range(0)));
}

template <class Arch>
void inference(benchmark::State& state) {
    using Net = Network<Arch, 32>;
    auto net = std::make_unique<Net>(1, int(state.range(0)));
    Rng rng(1);
    for (std::size_t i = 0; i < 32 * Net::InShape::size; ++i) net->input()[i] = rng.uniform01();
    const LoopClock clock;
    for (auto _ : state) net->forward(32, false);
    state.counters["images/s"] = benchmark::Counter(32, benchmark::Counter::kIsIterationInvariantRate);
    set_flop_counters(state, clock, 32.0 * double(forward_flops_per_image<Net>()), int(state.range(0)));
}

const bool registered = [] {
    benchmark::RegisterBenchmark("train_step/cnn6", training_step<models::Cnn6, KerasRecipe>, models::kCnn6Recipe)->Arg(1)->Arg(2)->UseRealTime();
    benchmark::RegisterBenchmark("train_step/cnn4", training_step<models::Cnn4, KerasRecipe>, models::kCnn4Recipe)->Arg(1)->Arg(2)->UseRealTime();
    benchmark::RegisterBenchmark("inference/cnn6", inference<models::Cnn6>)->Arg(1)->Arg(2)->UseRealTime();
    benchmark::RegisterBenchmark("inference/cnn4", inference<models::Cnn4>)->Arg(1)->Arg(2)->UseRealTime();
    return true;
}();

}  // namespace
