// A strided conv padded by as much as its kernel (only zeros would reach the extra outputs).
// expect: Conv2DStrided: the padding must be at least 0 and smaller than the kernel
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, Conv2DStrided<8, 3, 2, 3>, Flatten, Dense<10>, Softmax>;
#else
using Net = Sequential<Input<3, 8, 8>, Conv2DStrided<8, 3, 2, 2>, Flatten, Dense<10>, Softmax>;
#endif
int main() { return int(Network<Net, 2>::kArenaBytes == 0); }
