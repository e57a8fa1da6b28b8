// Pooling a 3x3 map with a 4x4 window.
// expect: MaxPooling2D: the input is smaller than the pool window
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 3, 3>, MaxPooling2D<4>, Flatten, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 3, 3>, MaxPooling2D<3>, Flatten, Dense<10>, Softmax>;
#endif
int main() { return int(Network<Net, 2>::kArenaBytes == 0); }
