// BatchNorm inside a network with an impossible configuration (eps 0: a channel of equal
// values would divide by zero). The valid variant trains and evaluates a network with it.
// expect: BatchNorm: eps must be positive
#include "statnn/layers/batchnorm.hpp"
#include "statnn/network.hpp"
using namespace statnn;
struct NoEps : BatchNormDefaults {
#ifdef STATNN_WRONG
    static constexpr float eps = 0.0f;
#endif
};
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, BatchNorm<NoEps>, ReLU, Flatten, Dense<10>, Softmax>;
int main() {
    Network<Net, 2> net;
    net.forward(2, true);
    net.backward(2);
    net.forward(2, false);
    return 0;
}
