// A 'valid' 3x3 convolution on a 2x2 map (after two poolings of 8x8).
// expect: Conv2D: the input is smaller than the kernel
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, MaxPooling2D<2>, MaxPooling2D<2>, Conv2D<4, 3, Valid>, Flatten, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 8, 8>, MaxPooling2D<2>, MaxPooling2D<2>, Conv2D<4, 3, Same>, Flatten, Dense<10>, Softmax>;
#endif
int main() { return int(Network<Net, 2>::kArenaBytes == 0); }
