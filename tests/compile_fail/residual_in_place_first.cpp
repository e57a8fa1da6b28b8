// A residual branch that begins with an in-place ReLU would overwrite the block's input
// before the Add reads it. The valid variant puts the ReLU before the block.
// expect: Residual: the branch must not begin with an in-place layer
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Block = Residual<ReLU, Conv2D<8, 3, Same>>;
#else
using Block = Residual<Conv2D<8, 3, Same, ReLU>>;
#endif
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, Block, Flatten, Dense<10>, Softmax>;
int main() {
    Network<Net, 2> net;
    net.forward(2, true);
    net.backward(2);
    return 0;
}
