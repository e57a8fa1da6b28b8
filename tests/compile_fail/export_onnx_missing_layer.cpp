// The ONNX export of a network with a layer it has no form for stops the build, not a run.
// The valid variant has ReLU in that place and exports.
// expect: the ONNX export has no form for this layer
#include "export_onnx.hpp"
#include "layer_without_exports.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Middle = Identity;
#else
using Middle = ReLU;
#endif
using Net = Sequential<Input<3, 32, 32>, Conv2D<4, 3, Same>, Middle, MaxPooling2D<4>, Flatten, Dense<10>, Softmax>;
static_assert(export_onnx::kSupports<Network<Net, 2>> == std::is_same_v<Middle, ReLU>);
int main() {
    Network<Net, 2> net;
    return export_onnx::model(net, "net", data::Normalization{}).empty() ? 1 : 0;
}
