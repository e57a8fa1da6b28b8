// A whitening stem set from training images anywhere but first: nothing before it could
// be trained through it. The valid variant puts it first.
// expect: must be the first layer
#include "statnn/layers/patch_whitening.hpp"
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, Conv2D<8, 3, Same>, PatchWhitening<>, Flatten, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 8, 8>, PatchWhitening<>, Conv2D<8, 3, Same>, Flatten, Dense<10>, Softmax>;
#endif
int main() {
    Network<Net, 2> net;
    net.forward(2, true);
    net.backward(2);
    return 0;
}
