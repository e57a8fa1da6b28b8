// A residual block whose branch changes the number of channels: its output cannot be
// added to its input. The valid variant keeps 8 channels and trains a step.
// expect: Residual: the branch must end in its input's shape
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
constexpr int kBranchChannels = 16;
#else
constexpr int kBranchChannels = 8;
#endif
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, ReLU,
                       Residual<Conv2DStrided<kBranchChannels, 3, 1, 1, Linear, NoBias>, BatchNorm<>>, ReLU, Flatten,
                       Dense<10>, Softmax>;
int main() {
    Network<Net, 2> net;
    net.forward(2, true);
    net.backward(2);
    return 0;
}
