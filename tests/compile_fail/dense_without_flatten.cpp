// A Dense layer directly after a convolution: the input is not flat.
// expect: Dense: its input must be flat (put Flatten before Dense)
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same, ReLU>, Flatten, Dense<10>, Softmax>;
#endif
int main() { return int(Network<Net, 2>::kArenaBytes == 0); }
