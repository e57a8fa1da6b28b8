// statnn/memory_budget.hpp — whether a network's arena fits in the RAM a board has, at
// compile time. The arena (Network<Arch, Batch>::kArenaBytes) is everything training
// allocates: parameters, gradients, optimizer state, activations, scratch.
//
//   static_assert(statnn::fits_in<Net, 8>(512 * 1024), "the network must fit in 512 KiB");
//   static_assert(statnn::require_fits_in<Net, 8, 512 * 1024>());   // the error names both sizes
//
// OptimizerSlots: the state arrays the recipe's optimizer keeps (SGD with momentum 1, Adam
// 2). statnn_add_model(... MEMORY_BUDGET <bytes>) has run_app check its recipe's network.
#pragma once

#include <cstddef>

#include "statnn/network.hpp"

namespace statnn {

template <class Arch, int Batch, int OptimizerSlots = 1>
constexpr bool fits_in(std::size_t budget_bytes) {
    return Network<Arch, Batch, OptimizerSlots>::kArenaBytes <= budget_bytes;
}

// Instantiated with the two sizes, so the compiler's message names them: "In instantiation
// of 'ArenaWithinBudget<ArenaBytes, BudgetBytes>'".
template <std::size_t ArenaBytes, std::size_t BudgetBytes>
struct ArenaWithinBudget {
    static_assert(ArenaBytes <= BudgetBytes,
                  "memory budget: the network's arena at this batch (ArenaBytes, the first number) is larger than the "
                  "budget (BudgetBytes, the second); use a smaller batch or network, or a larger budget");
    static constexpr bool value = true;
};

template <class Arch, int Batch, std::size_t BudgetBytes, int OptimizerSlots = 1>
constexpr bool require_fits_in() {
    return ArenaWithinBudget<Network<Arch, Batch, OptimizerSlots>::kArenaBytes, BudgetBytes>::value;
}

}  // namespace statnn
