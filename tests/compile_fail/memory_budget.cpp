// A target that states the RAM its arena must fit in does not build when it does not; the
// compiler's message names both sizes (ArenaWithinBudget<arena bytes, budget bytes>).
// expect: memory budget: the network's arena at this batch (ArenaBytes, the first number) is larger than the budget
#include "statnn/memory_budget.hpp"
using namespace statnn;
using Net = Sequential<Input<1, 16, 16>, Conv2D<8, 3, Same, ReLU>, MaxPooling2D<2>, Flatten, Dense<4>, Softmax>;
static_assert(fits_in<Net, 8>(1024 * 1024) && !fits_in<Net, 8>(1024));
#ifdef STATNN_WRONG
static_assert(require_fits_in<Net, 8, 16 * 1024>());
#else
static_assert(require_fits_in<Net, 8, 1024 * 1024>());
#endif
int main() { return 0; }
