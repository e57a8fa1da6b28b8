// BatchNorm in a Sequential of today's Network, which has no train/eval mode or state for it.
// expect: BatchNorm: needs the train/eval mode and running-statistics state from the network
#include "statnn/layers/batchnorm.hpp"
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, BatchNorm<>, Flatten, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, Flatten, Dense<10>, Softmax>;
#endif
int main() {
    Network<Net, 2> net;
    net.forward(2, true);
    return 0;
}
