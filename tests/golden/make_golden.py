#!/usr/bin/python3
"""Writes a golden reference set for statnn's two seed models, cnn4 and cnn6.

For one small batch of each model it records what a real framework computes: every
activation, the logits, the probabilities, the loss, every parameter gradient and the
parameters after three Keras-SGD steps on that batch (learning-rate decay, momentum or
Nesterov, max-norm). PyTorch runs on the CPU in float64; each result is rounded to
float32 once, when it is written. The numbers are then cross-checked (an independent
NumPy forward pass, central finite differences, an independent NumPy optimizer, the same
pipeline in float32) and the checks are recorded in the manifest.

The on-disk format is described in tests/golden/README.md: one folder per model with a
manifest.json and raw little-endian arrays, each stored whole, sampled with a prime
stride (large float32 results), or (initial parameters) as the seed of a counter-based
generator. With --whole every array is a file, as in the format's first version.

    /usr/bin/python3 tests/golden/make_golden.py --seed 1 --threads 2 --out tests/golden/reference
"""
import argparse
import glob
import json
import math
import os
import sys
import time
from collections import OrderedDict

MODEL_NAMES = ("cnn4", "cnn6")
DEFAULT_SAMPLE_BUDGET = 24576  # keeps both models together near 3.2 MB at batch 4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="seed of the whole set (default 1)")
    parser.add_argument("--out", required=True, help="output folder; DIR/<model> is (re)written")
    parser.add_argument("--models", default="cnn4,cnn6", help="comma-separated subset of cnn4,cnn6")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch and BLAS (default 2)")
    parser.add_argument("--batch", type=int, default=4, help="images in the batch (default 4)")
    parser.add_argument("--sample-budget", type=int, default=DEFAULT_SAMPLE_BUDGET,
                        help="about how many values a sampled array keeps; a float32 result with more than "
                             "1.5x this many elements is sampled, the network input never (default %d)"
                             % DEFAULT_SAMPLE_BUDGET)
    parser.add_argument("--whole", action="store_true",
                        help="write every array whole and the initial parameters as files (format version 1)")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in args.models:
        if m not in MODEL_NAMES:
            parser.error("unknown model %r (known: %s)" % (m, ", ".join(MODEL_NAMES)))
    if not args.models:
        parser.error("--models is empty")
    if args.threads < 1 or args.batch < 1 or args.sample_budget < 1:
        parser.error("--threads, --batch and --sample-budget must be positive")
    if not 0 <= args.seed <= MAX_SEED:
        parser.error("--seed must be in [0, %d] (derived seeds must fit numpy's RandomState)" % MAX_SEED)
    return args


# Derived seeds: a model's seed is 10 * seed + its offset, and must fit RandomState (< 2^32).
MODEL_SEED_OFFSET = {"cnn4": 1, "cnn6": 2}
MAX_SEED = (2**32 - 1 - max(MODEL_SEED_OFFSET.values())) // 10

if __name__ == "__main__":
    ARGS = parse_args()
    # OpenMP and OpenBLAS size their thread pools when they load, so the limit has to be in
    # the environment before numpy and torch are imported.
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# ---------------------------------------------------------------------------------------
# The two models (Keras CIFAR-10 tutorial), as the manifest lists them
# ---------------------------------------------------------------------------------------


def conv(name, in_channels, out_channels, padding):
    return OrderedDict(name=name, kind="conv", in_channels=in_channels, out_channels=out_channels, kernel=[3, 3],
                       padding=padding, activation="relu")


def pool(name):
    return OrderedDict(name=name, kind="pool", pool=[2, 2], stride=2)


def drop(name, rate):
    return OrderedDict(name=name, kind="drop", rate_in_training=rate)


def flat(name):
    return OrderedDict(name=name, kind="flat")


def dense(name, fan_in, fan_out, relu):
    return OrderedDict(name=name, kind="dense", **{"in": fan_in, "out": fan_out},
                       activation="relu" if relu else "softmax (in loss)")


LAYERS = {
    "cnn6": [
        conv("conv1", 3, 32, "same"), drop("drop1", 0.2),
        conv("conv2", 32, 32, "same"), pool("pool1"),
        conv("conv3", 32, 64, "same"), drop("drop2", 0.2),
        conv("conv4", 64, 64, "same"), pool("pool2"),
        conv("conv5", 64, 128, "same"), drop("drop3", 0.2),
        conv("conv6", 128, 128, "same"), pool("pool3"),
        flat("flatten"), drop("drop4", 0.2),
        dense("dense1", 2048, 1024, True), drop("drop5", 0.2),
        dense("dense2", 1024, 10, False),
    ],
    "cnn4": [
        conv("conv1", 3, 32, "same"),
        conv("conv2", 32, 32, "valid"), pool("pool1"), drop("drop1", 0.25),
        conv("conv3", 32, 64, "same"),
        conv("conv4", 64, 64, "valid"), pool("pool2"), drop("drop2", 0.25),
        flat("flatten"),
        dense("dense1", 2304, 512, True), drop("drop3", 0.5),
        dense("dense2", 512, 10, False),
    ],
}
NUM_CLASSES = 10
IMAGE_SHAPE = (3, 32, 32)

# The tutorial's optimizers, and the settings of the golden trajectories: the same with
# `decay` raised from 1e-6 to 0.1, so that the decay shows in three steps (1e-6 changes
# lr_t by 3e-6 relative, below what float32 weights can show).
TUTORIAL_SGD = {
    "cnn6": OrderedDict(lr=0.01, momentum=0.9, decay=1e-6, nesterov=False),
    "cnn4": OrderedDict(lr=0.1, momentum=0.0, decay=1e-6, nesterov=True),
}
GOLDEN_SGD = {
    "cnn6": OrderedDict(lr=0.01, momentum=0.9, decay=0.1, nesterov=False),
    "cnn4": OrderedDict(lr=0.1, momentum=0.0, decay=0.1, nesterov=True),
}
MAXNORM = {"cnn6": {"dense1.kernel": 3.0}, "cnn4": {}}  # Keras max_norm(3) kernel constraints
KERAS_EPSILON = 1e-7
STEPS = 3

# Initial parameters. Biases are non-zero so that the bias paths are exercised. In cnn6's
# dense1 kernel, columns j = 3 (mod 8) are scaled to a norm of about 3.46 (clipped by
# max-norm) and columns j = 5 (mod 8) to about 2.94 (just under the limit).
BIAS_LIMIT = 0.05
COLUMN_SCALE = OrderedDict(period=8, scale=OrderedDict([("3", 3.0), ("5", 2.55)]))

FD_STEP = 1e-7           # central differences; larger steps cross ReLU/max-pool kinks
FD_ENTRIES_PER_TENSOR = 6
POOL_TIE_GAP = 1e-6      # a pool window whose two largest values are this close counts as a near-tie


def parameter_layers(model):
    return [layer for layer in LAYERS[model] if layer["kind"] in ("conv", "dense")]


def parameter_shapes(model):
    """Parameter name -> shape in Keras layout (conv [O, I, kh, kw], dense [in, out])."""
    shapes = OrderedDict()
    for layer in parameter_layers(model):
        if layer["kind"] == "conv":
            shapes[layer["name"] + ".kernel"] = (layer["out_channels"], layer["in_channels"], *layer["kernel"])
            shapes[layer["name"] + ".bias"] = (layer["out_channels"],)
        else:
            shapes[layer["name"] + ".kernel"] = (layer["in"], layer["out"])
            shapes[layer["name"] + ".bias"] = (layer["out"],)
    return shapes


# ---------------------------------------------------------------------------------------
# splitmix64_uniform: initial parameters as a generator the C++ test re-creates bit for bit
# ---------------------------------------------------------------------------------------

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def splitmix64(seed, count):
    """The 64-bit outputs for elements 0..count-1: element e mixes seed + (e + 1) * gamma.

    Vectorised in numpy uint64, whose array arithmetic wraps modulo 2^64."""
    u64 = np.uint64
    with np.errstate(over="ignore"):
        z = np.arange(count, dtype=np.uint64) * u64(GOLDEN_GAMMA) + u64(seed)
        z = z + u64(GOLDEN_GAMMA)
        z = (z ^ (z >> u64(30))) * u64(MIX1)
        z = (z ^ (z >> u64(27))) * u64(MIX2)
        return z ^ (z >> u64(31))


def splitmix64_scalar(seed, e):
    """The same output for one element with Python integers: a cross-check of the wrapping."""
    z = (seed + e * GOLDEN_GAMMA + GOLDEN_GAMMA) & MASK64
    z = ((z ^ (z >> 30)) * MIX1) & MASK64
    z = ((z ^ (z >> 27)) * MIX2) & MASK64
    return z ^ (z >> 31)


def check_splitmix64():
    """Refuses to run on a numpy whose uint64 arithmetic would not reproduce the C++ values."""
    assert int(splitmix64(0, 1)[0]) == 0xE220A8397B1DCDAF, "splitmix64 known answer"
    for seed in (0, 1, 12003, 2**53 - 1):
        got = splitmix64(seed, 40)
        for e in (0, 1, 7, 39):
            assert int(got[e]) == splitmix64_scalar(seed, e), ("splitmix64 wrap", seed, e)


def float32_checksum(values):
    """sum over e of bits(value_e) * (2e + 1), mod 2^64, as hex: lets a reader that re-creates
    a generated array prove it has every bit, position included."""
    bits = np.ascontiguousarray(values, dtype="<f4").reshape(-1).view("<u4").astype(np.uint64)
    weights = np.arange(bits.size, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    with np.errstate(over="ignore"):
        return "%016x" % int(np.sum(bits * weights, dtype=np.uint64))


def splitmix64_uniform(seed, shape, limit, column_scale=None):
    """float32 values in [-limit, limit), each (limit * (2u - 1)) * s in float64, rounded once."""
    count = int(np.prod(shape))
    u = (splitmix64(seed, count) >> np.uint64(11)).astype(np.float64) * 2.0**-53  # exact
    values = limit * (2.0 * u - 1.0)                                               # 2u - 1 exact
    values = values.reshape(shape)
    if column_scale is not None:
        scale = np.ones(shape[-1])
        period = column_scale["period"]
        for residue, s in column_scale["scale"].items():
            scale[int(residue)::period] = s
        values = values * scale
    return values.astype(np.float32)


def glorot_limit(shape):
    """Keras glorot_uniform: sqrt(6 / (fan_in + fan_out)), with the kernel area in both fans for a conv."""
    if len(shape) == 4:
        out_ch, in_ch, kh, kw = shape
        fan_in, fan_out = in_ch * kh * kw, out_ch * kh * kw
    else:
        fan_in, fan_out = shape
    return math.sqrt(6.0 / (fan_in + fan_out))


def model_seed(model, seed):
    return 10 * seed + MODEL_SEED_OFFSET[model]


def initial_parameters(model, seed):
    """Parameter name -> (float32 values, generator description); parameter i uses seed 1000 * model_seed + i."""
    params = OrderedDict()
    for ordinal, (name, shape) in enumerate(parameter_shapes(model).items()):
        generator = OrderedDict(kind="splitmix64_uniform", seed=1000 * model_seed(model, seed) + ordinal)
        assert generator["seed"] < 2**53
        if name.endswith(".kernel"):
            generator["limit"] = glorot_limit(shape)
            if name in MAXNORM[model]:
                generator["column_scale"] = COLUMN_SCALE
        else:
            generator["limit"] = BIAS_LIMIT
        values = splitmix64_uniform(generator["seed"], shape, generator["limit"], generator.get("column_scale"))
        params[name] = (values, generator)
    return params


def draw_batch(model, seed, batch):
    """Random pixels and labels; the float input is float32(u8) / 255 divided in float32, as statnn's reader does."""
    rs = np.random.RandomState(model_seed(model, seed))
    pixels = rs.randint(0, 256, size=(batch,) + IMAGE_SHAPE).astype(np.uint8)
    labels = rs.randint(0, NUM_CLASSES, size=batch).astype(np.int32)
    inputs = pixels.astype(np.float32) / np.float32(255.0)
    return pixels, inputs, labels


# ---------------------------------------------------------------------------------------
# The PyTorch reference: parameters kept in Keras layout, so gradients come out in it too
# ---------------------------------------------------------------------------------------


def torch_forward(model, params, x, record=None, relu_inputs=None):
    """Logits of batch x; record[name] receives each conv/dense output (after its ReLU) and pool output,
    relu_inputs[name] each ReLU's input.

    Dropout is the identity; flatten reads the NCHW tensor in C order (channels first)."""
    for layer in LAYERS[model]:
        name, kind = layer["name"], layer["kind"]
        if kind in ("conv", "dense"):
            if kind == "conv":
                padding = layer["kernel"][0] // 2 if layer["padding"] == "same" else 0
                x = F.conv2d(x, params[name + ".kernel"], params[name + ".bias"], padding=padding)
            else:
                x = x @ params[name + ".kernel"] + params[name + ".bias"]
            if layer["activation"] == "relu":
                if relu_inputs is not None:
                    relu_inputs[name] = x
                x = torch.relu(x)
        elif kind == "pool":
            x = F.max_pool2d(x, layer["pool"], layer["stride"])  # floors odd sizes
        elif kind == "flat":
            x = x.reshape(x.shape[0], -1)
            continue
        else:
            continue
        if record is not None:
            record[name] = x
    return x


def mean_cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels)  # mean over the batch of -log softmax(logits)[label]


class KerasSGD:
    """Keras 2 SGD (learning-rate decay, momentum, Nesterov) followed by the max-norm constraints.

    Parameters are a dict of tensors in Keras layout, updated in place; each expression keeps
    Keras's evaluation order, so float64 results are Keras's up to summation order."""

    def __init__(self, lr, momentum, decay, nesterov, maxnorm):
        self.lr, self.momentum, self.decay, self.nesterov = lr, momentum, decay, nesterov
        self.maxnorm = maxnorm
        self.velocity = {}
        self.iterations = 0

    def learning_rate(self):
        return self.lr * (1.0 / (1.0 + self.decay * self.iterations))

    @torch.no_grad()
    def step(self, params, grads):
        """One update; returns lr_t and, per constrained layer, the columns whose norm exceeded the limit."""
        lr_t = self.learning_rate()
        for name, w in params.items():
            g = grads[name]
            v = self.momentum * self.velocity.get(name, torch.zeros_like(w)) - lr_t * g
            self.velocity[name] = v
            w.copy_(w + self.momentum * v - lr_t * g if self.nesterov else w + v)
        clipped = OrderedDict()
        for name, limit in self.maxnorm.items():
            w = params[name]  # [in, out]: one norm per output unit (column)
            norms = torch.sqrt(torch.sum(w * w, dim=0, keepdim=True))
            clipped[name.split(".")[0]] = int((norms > limit).sum())
            w.copy_(w * (torch.clamp(norms, 0.0, limit) / (KERAS_EPSILON + norms)))
        self.iterations += 1
        return lr_t, clipped


def to_torch(params_np, dtype, requires_grad=True):
    return OrderedDict((k, torch.from_numpy(np.asarray(v, dtype=np.float64)).to(dtype).requires_grad_(requires_grad))
                       for k, v in params_np.items())


def to_numpy(tensors):
    return OrderedDict((k, t.detach().to(torch.float64).numpy().copy()) for k, t in tensors.items())


def loss_and_grads(model, params, x, y, record=None, relu_inputs=None):
    logits = torch_forward(model, params, x, record, relu_inputs)
    loss = mean_cross_entropy(logits, y)
    grads = torch.autograd.grad(loss, list(params.values()))
    return logits, loss, OrderedDict(zip(params.keys(), grads))


def run_trajectory(model, params32, inputs, labels, dtype):
    """Forward and backward at the initial parameters, then STEPS optimizer steps on the same batch.

    `passes` keeps every forward pass's outputs and ReLU inputs (the first pass of each step,
    then the pass at the final parameters) for the decision checks."""
    params = to_torch(params32, dtype)
    x = torch.from_numpy(inputs.astype(np.float64)).to(dtype)
    y = torch.from_numpy(labels.astype(np.int64))
    sgd = KerasSGD(maxnorm=MAXNORM[model], **GOLDEN_SGD[model])
    result = {"loss_before_step": [], "lr_t_per_step": [], "clipped_per_step": [], "passes": []}

    def forward_pass(with_grads):
        record, relu_inputs = OrderedDict(), OrderedDict()
        if with_grads:
            logits, loss, grads = loss_and_grads(model, params, x, y, record, relu_inputs)
        else:
            with torch.no_grad():
                logits = torch_forward(model, params, x, record, relu_inputs)
                loss, grads = mean_cross_entropy(logits, y), None
        result["passes"].append({"acts": to_numpy(record), "relu_inputs": to_numpy(relu_inputs)})
        return logits, loss, grads

    logits, loss, grads = forward_pass(True)
    result.update(acts=result["passes"][0]["acts"], logits=logits.detach().to(torch.float64).numpy().copy(),
                  probs=torch.softmax(logits, dim=1).detach().to(torch.float64).numpy().copy(),
                  loss=float(loss), grads=to_numpy(grads))
    for step in range(STEPS):
        if step > 0:
            _, loss, grads = forward_pass(True)
        result["loss_before_step"].append(float(loss))
        lr_t, clipped = sgd.step(params, grads)
        result["lr_t_per_step"].append(lr_t)
        result["clipped_per_step"].append(clipped)
    result["loss_after_steps"] = float(forward_pass(False)[1])
    result["params_after"] = to_numpy(params)
    return result


def torch_gradients_at(model, params64, inputs, labels):
    """float64 gradients at arbitrary parameters, for the independent optimizer check."""
    params = to_torch(params64, torch.float64)
    x = torch.from_numpy(inputs.astype(np.float64))
    y = torch.from_numpy(labels.astype(np.int64))
    return to_numpy(loss_and_grads(model, params, x, y)[2])


# ---------------------------------------------------------------------------------------
# Cross-checks
# ---------------------------------------------------------------------------------------


def numpy_forward(model, params, x):
    """An independent float64 forward pass: each conv as a sum over its kernel taps of channel products."""
    acts = OrderedDict()
    for layer in LAYERS[model]:
        name, kind = layer["name"], layer["kind"]
        if kind == "conv":
            kernel = params[name + ".kernel"].astype(np.float64)
            bias = params[name + ".bias"].astype(np.float64)
            kh, kw = layer["kernel"]
            pad = kh // 2 if layer["padding"] == "same" else 0
            padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
            out_h, out_w = padded.shape[2] - kh + 1, padded.shape[3] - kw + 1
            out = np.zeros((x.shape[0], kernel.shape[0], out_h, out_w))
            for dy in range(kh):
                for dx in range(kw):
                    window = padded[:, :, dy:dy + out_h, dx:dx + out_w]
                    out += np.einsum("nihw,oi->nohw", window, kernel[:, :, dy, dx], optimize=True)
            x = np.maximum(out + bias[None, :, None, None], 0.0)
        elif kind == "pool":
            p = layer["pool"][0]
            n, c, h, w = x.shape
            x = x[:, :, :h // p * p, :w // p * p].reshape(n, c, h // p, p, w // p, p).max(axis=(3, 5))
        elif kind == "dense":
            x = x @ params[name + ".kernel"].astype(np.float64) + params[name + ".bias"].astype(np.float64)
            if layer["activation"] == "relu":
                x = np.maximum(x, 0.0)
        elif kind == "flat":
            x = x.reshape(x.shape[0], -1)
            continue
        else:
            continue
        acts[name] = x
    return acts


def numpy_keras_sgd(model, params32, gradients_at):
    """An independent NumPy float64 Keras SGD + max-norm; gradients_at(params) supplies the gradients."""
    hp = GOLDEN_SGD[model]
    params = OrderedDict((k, v.astype(np.float64)) for k, v in params32.items())
    velocity = OrderedDict((k, np.zeros_like(v)) for k, v in params.items())
    for t in range(STEPS):
        grads = gradients_at(params)
        lr_t = hp["lr"] * (1.0 / (1.0 + hp["decay"] * t))
        for k in params:
            velocity[k] = hp["momentum"] * velocity[k] - lr_t * grads[k]
            if hp["nesterov"]:
                params[k] = params[k] + hp["momentum"] * velocity[k] - lr_t * grads[k]
            else:
                params[k] = params[k] + velocity[k]
        for k, limit in MAXNORM[model].items():
            norms = np.sqrt(np.sum(params[k] ** 2, axis=0, keepdims=True))
            params[k] = params[k] * (np.clip(norms, 0.0, limit) / (KERAS_EPSILON + norms))
    return params


def finite_differences(model, params32, inputs, labels, grads, rs):
    """Central differences of the float64 loss for a few entries of every parameter, against autograd."""
    params = to_torch(params32, torch.float64, requires_grad=False)
    x = torch.from_numpy(inputs.astype(np.float64))
    y = torch.from_numpy(labels.astype(np.int64))

    def loss():
        return float(mean_cross_entropy(torch_forward(model, params, x), y))

    worst_abs = worst_rel = 0.0
    checked = 0
    for name, tensor in params.items():
        for _ in range(FD_ENTRIES_PER_TENSOR):
            index = tuple(int(rs.randint(0, d)) for d in tensor.shape)
            original = float(tensor[index])
            tensor[index] = original + FD_STEP
            plus = loss()
            tensor[index] = original - FD_STEP
            minus = loss()
            tensor[index] = original
            numeric = (plus - minus) / (2 * FD_STEP)
            analytic = float(grads[name][index])
            worst_abs = max(worst_abs, abs(numeric - analytic))
            # relative with a floor: below 1e-4 the quotient's own round-off (~1e-9) dominates
            worst_rel = max(worst_rel, abs(numeric - analytic) / max(1e-4, abs(analytic), abs(numeric)))
            checked += 1
    return OrderedDict([("entries_checked", checked), ("max_abs_err", worst_abs),
                        ("max_rel_err_floor_1e-4", worst_rel), ("step", FD_STEP)])


def error_of(reference, other):
    """max|a - b| and max|a - b| / max|a|, for one array or the worst over a dict of arrays."""
    if isinstance(reference, dict):
        per = [error_of(reference[k], other[k]) for k in reference]
        return OrderedDict([("max_abs", max(e["max_abs"] for e in per)),
                            ("max_rel_to_tensor_max", max(e["max_rel_to_tensor_max"] for e in per))])
    diff = float(np.max(np.abs(np.asarray(reference) - np.asarray(other))))
    scale = float(np.max(np.abs(reference)))
    return OrderedDict([("max_abs", diff), ("max_rel_to_tensor_max", diff / scale if scale > 0 else diff)])


def pool_windows(model, acts):
    """Pool layer name -> its input's windows, [N, C, H', W', p*p] in row-major window order."""
    windows, producer = OrderedDict(), None
    for layer in LAYERS[model]:
        if layer["kind"] == "pool":
            p = layer["pool"][0]
            a = acts[producer]
            n, c, h, w = a.shape
            a = a[:, :, :h // p * p, :w // p * p].reshape(n, c, h // p, p, w // p, p)
            windows[layer["name"]] = a.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // p, w // p, p * p)
        if layer["kind"] in ("conv", "pool", "dense"):
            producer = layer["name"]
    return windows


def pool_near_ties(model, passes):
    """Pool windows, over every forward pass, whose two largest values are non-zero and within POOL_TIE_GAP
    of each other (relative), and the closest such pair."""
    count = 0
    closest = OrderedDict([("relative", math.inf), ("layer", None), ("forward_pass", None)])
    for number, forward_pass in enumerate(passes, start=1):
        for name, windows in pool_windows(model, forward_pass["acts"]).items():
            ordered = np.sort(windows, axis=-1)
            first, second = ordered[..., -1], ordered[..., -2]
            live = second > 0
            gaps = (first[live] - second[live]) / first[live]
            count += int(np.sum(gaps <= POOL_TIE_GAP))
            if gaps.size and float(gaps.min()) < closest["relative"]:
                closest.update(relative=float(gaps.min()), layer=name, forward_pass=number)
    return OrderedDict([("relative_gap", POOL_TIE_GAP), ("forward_passes", len(passes)), ("windows", count),
                        ("closest", closest)])


def relu_margin(passes):
    """The ReLU input closest to its kink over every forward pass, relative to its layer's largest output."""
    closest = OrderedDict([("relative", math.inf), ("layer", None), ("forward_pass", None)])
    for number, forward_pass in enumerate(passes, start=1):
        for name, z in forward_pass["relu_inputs"].items():
            scale = float(np.max(forward_pass["acts"][name]))
            margin = float(np.min(np.abs(z))) / scale if scale > 0 else math.inf
            if margin < closest["relative"]:
                closest.update(relative=margin, layer=name, forward_pass=number)
    return closest


def decisions_differing(model, passes, other_passes):
    """Per forward pass, the ReLU and max-pool (first maximum) decisions on which two trajectories disagree."""
    counts = []
    for mine, theirs in zip(passes, other_passes):
        count = 0
        for name, z in mine["relu_inputs"].items():
            count += int(np.sum((z > 0) != (theirs["relu_inputs"][name] > 0)))
        their_windows = pool_windows(model, theirs["acts"])
        for name, windows in pool_windows(model, mine["acts"]).items():
            count += int(np.sum(np.argmax(windows, axis=-1) != np.argmax(their_windows[name], axis=-1)))
        counts.append(count)
    return counts


def verify(model, params32, inputs, labels, reference, rs):
    """The checks recorded in the manifest: each recomputes part of the reference another way."""
    checks = OrderedDict()
    checks["numpy_forward_vs_torch_f64"] = error_of(reference["acts"],
                                                    numpy_forward(model, params32, inputs.astype(np.float64)))
    checks["finite_differences_f64"] = finite_differences(model, params32, inputs, labels, reference["grads"], rs)
    independent = numpy_keras_sgd(model, params32, lambda p: torch_gradients_at(model, p, inputs, labels))
    checks["numpy_optimizer_vs_torch_f64"] = error_of(reference["params_after"], independent)
    single = run_trajectory(model, params32, inputs, labels, torch.float32)
    checks["float32_pipeline_vs_reference"] = OrderedDict([
        ("acts", error_of(reference["acts"], single["acts"])),
        ("logits", error_of(reference["logits"], single["logits"])),
        ("loss_abs", abs(reference["loss"] - single["loss"])),
        ("grads", OrderedDict((k, error_of(v, single["grads"][k])) for k, v in reference["grads"].items())),
        ("params_after", OrderedDict((k, error_of(v, single["params_after"][k]))
                                     for k, v in reference["params_after"].items())),
        ("decisions_differing_per_pass", decisions_differing(model, reference["passes"], single["passes"])),
        ("note", "the same PyTorch code in float32 (oneDNN convolutions, BLAS dense layers): a realistic "
                 "tolerance while its ReLU and max-pool decisions agree with float64; after one differs (a unit "
                 "within float32 rounding of its kink, see relu_margin) its later steps follow another trajectory"),
    ])
    checks["pool_windows_near_tie"] = pool_near_ties(model, reference["passes"])
    checks["relu_margin"] = relu_margin(reference["passes"])
    return checks


# ---------------------------------------------------------------------------------------
# Writing a set
# ---------------------------------------------------------------------------------------


def is_prime(n):
    if n < 2:
        return False
    f = 2
    while f * f <= n:
        if n % f == 0:
            return False
        f += 1
    return True


def sample_stride(shape, budget):
    """The smallest prime S >= n / budget that divides no dimension, so the sample crosses every row and column."""
    s = max(2, -(-int(np.prod(shape)) // budget))
    while not (is_prime(s) and all(d % s for d in shape)):
        s += 1
    return s


def file_name(array_name):
    return array_name.replace("/", "__") + ".bin"


class SetWriter:
    """Writes a model folder's arrays and remembers their manifest entries."""

    def __init__(self, folder, budget, whole):
        self.folder, self.budget, self.whole = folder, budget, whole
        self.entries = []
        self.stored = {}  # name -> values as written, for the read-back check
        os.makedirs(folder, exist_ok=True)
        # A folder being rewritten must not keep arrays, or a manifest, of an earlier set.
        for stale in glob.glob(os.path.join(folder, "*.bin")) + glob.glob(os.path.join(folder, "manifest.json")):
            os.remove(stale)

    def _entry(self, name, values, dtype, layout, description):
        entry = OrderedDict(name=name, dtype=dtype, shape=[int(d) for d in values.shape], layout=layout,
                            description=description)
        self.entries.append(entry)
        return entry

    def _write(self, entry, values):
        entry["file"] = file_name(entry["name"])
        np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).tofile(
            os.path.join(self.folder, entry["file"]))

    def put(self, name, values, dtype, layout, description, samplable=True):
        """A result: whole, or sampled when it is a large float32 array."""
        values = np.ascontiguousarray(np.asarray(values).astype(dtype))
        entry = self._entry(name, values, dtype, layout, description)
        self.stored[name] = values
        if self.whole or not samplable or dtype != "float32" or values.size <= 1.5 * self.budget:
            self._write(entry, values)
            return
        stride = sample_stride(values.shape, self.budget)
        self._write(entry, values.reshape(-1)[::stride])
        entry["sample"] = OrderedDict(stride=stride, max_abs=float(np.max(np.abs(values))))

    def put_generated(self, name, values, generator, layout, description):
        """An initial parameter: its generator, or (whole sets) its values."""
        if self.whole:
            self.put(name, values, "float32", layout, description)
            return
        entry = self._entry(name, values, "float32", layout, description)
        entry["generator"] = OrderedDict(generator, checksum=float32_checksum(values))
        self.stored[name] = values

    def read_back(self):
        """Re-reads every array as a reader of the format would; returns how many matched bit for bit."""
        for entry in json.loads(json.dumps(self.entries)):
            expected = self.stored[entry["name"]]
            shape = tuple(entry["shape"])
            if "generator" in entry:
                g = entry["generator"]
                got = splitmix64_uniform(g["seed"], shape, g["limit"], g.get("column_scale"))
                assert got.tobytes() == expected.tobytes(), entry["name"]
                continue
            dtype = np.dtype(entry["dtype"]).newbyteorder("<")
            data = np.fromfile(os.path.join(self.folder, entry["file"]), dtype=dtype)
            if "sample" in entry:
                stride = entry["sample"]["stride"]
                assert data.size == -(-expected.size // stride), entry["name"]
                assert data.tobytes() == expected.reshape(-1)[::stride].tobytes(), entry["name"]
                assert entry["sample"]["max_abs"] == float(np.max(np.abs(expected))), entry["name"]
            else:
                assert data.size == expected.size and data.tobytes() == expected.tobytes(), entry["name"]
        return len(self.entries)

    def bytes_written(self):
        return sum(os.path.getsize(os.path.join(self.folder, e["file"])) for e in self.entries if "file" in e)


def parameter_layout(values):
    return {4: "O,I,kh,kw", 2: "in,out", 1: "O"}[values.ndim]


def activation_description(layer):
    if layer["kind"] == "pool":
        return "max-pool output, first forward pass"
    if layer["activation"] == "relu":
        return "output after its ReLU, first forward pass"
    return "logits (same values as `logits`), first forward pass"


def write_arrays(writer, model, params, pixels, inputs, labels, reference):
    writer.put("input_u8", pixels, "uint8", "NCHW", "pixels, channel planes R, G, B")
    writer.put("input", inputs, "float32", "NCHW", "float32(input_u8) / 255, divided in float32", samplable=False)
    writer.put("labels", labels, "int32", "N", "class index of each image")
    writer.put("labels_onehot", np.eye(NUM_CLASSES, dtype=np.float32)[labels], "float32", "N,K", "one-hot targets")
    for name, (values, generator) in params.items():
        writer.put_generated("params/" + name, values, generator, parameter_layout(values), "initial value")
    by_name = {layer["name"]: layer for layer in LAYERS[model]}
    for name, values in reference["acts"].items():
        writer.put("acts/" + name, values, "float32", "NCHW" if values.ndim == 4 else "N,F",
                   activation_description(by_name[name]))
    writer.put("logits", reference["logits"], "float32", "N,K", "output of the last dense layer, before softmax")
    writer.put("probs", reference["probs"], "float32", "N,K", "softmax of the logits")
    writer.put("loss", np.array([reference["loss"]]), "float32", "scalar",
               "mean categorical cross-entropy over the batch")
    for name, values in reference["grads"].items():
        writer.put("grads/" + name, values, "float32", parameter_layout(values),
                   "d loss / d parameter at the initial parameters")
    for name, values in reference["params_after"].items():
        writer.put("params_after_%d/%s" % (STEPS, name), values, "float32", parameter_layout(values),
                   "after %d optimizer steps on this batch" % STEPS)


def manifest_for(model, args, params, reference, checks, writer):
    init = OrderedDict([
        ("generator", "splitmix64_uniform (tests/golden/README.md); parameter i (kernel, bias, layer by layer) "
                      "has seed 1000 * model_seed + i"),
        ("kernels", "glorot_uniform: limit sqrt(6 / (fan_in + fan_out)); conv fan_in = I*kh*kw, fan_out = O*kh*kw"),
        ("biases", "uniform(-%g, %g)" % (BIAS_LIMIT, BIAS_LIMIT)),
        ("maxnorm_columns_scaled", OrderedDict(("columns j %% %d == %s" % (COLUMN_SCALE["period"], r), s)
                                               for r, s in COLUMN_SCALE["scale"].items()) if MAXNORM[model] else {}),
        ("model_seed", model_seed(model, args.seed)),
        ("images", "numpy RandomState(model_seed): randint(0, 256, [N, 3, 32, 32]) pixels, then randint(0, 10, N) "
                  "labels"),
        ("param_seeds", OrderedDict((name, g["seed"]) for name, (_, g) in params.items())),
    ])
    command = "tests/golden/make_golden.py --seed %d --batch %d" % (args.seed, args.batch)
    command += " --whole" if args.whole else " --sample-budget %d" % args.sample_budget
    return OrderedDict([
        ("format_version", 1 if args.whole else 2),
        ("model", model),
        ("seed", args.seed),
        ("batch", args.batch),
        ("num_classes", NUM_CLASSES),
        ("byte_order", "little-endian, C (row-major) order, no header"),
        ("computed_in", "float64 (PyTorch CPU), stored rounded to float32"),
        ("dropout", "disabled (identity) everywhere; otherwise training semantics"),
        ("generated_by", command),
        ("layers", LAYERS[model]),
        ("optimizer", OrderedDict([
            ("type", "keras SGD"),
            *GOLDEN_SGD[model].items(),
            ("lr_schedule", "lr_t = lr / (1 + decay * t), t = number of updates already applied (0 for the first)"),
            ("steps", STEPS),
            ("maxnorm", OrderedDict(MAXNORM[model])),
            ("maxnorm_epsilon", KERAS_EPSILON),
            ("tutorial_settings", TUTORIAL_SGD[model]),
            ("note", "decay raised from the tutorial's 1e-6 so that it is observable in %d steps" % STEPS),
        ])),
        ("scalars", OrderedDict([
            ("loss", reference["loss"]),
            ("loss_before_step", reference["loss_before_step"]),
            ("lr_t_per_step", reference["lr_t_per_step"]),
            ("loss_after_steps", reference["loss_after_steps"]),
            ("maxnorm_clipped_columns_per_step", reference["clipped_per_step"]),
        ])),
        ("init", init),
        ("verification", checks),
        ("arrays", writer.entries),
    ])


def generate(model, args):
    """Computes, checks and writes one model's folder; returns its one-line summary."""
    started = time.time()
    params = initial_parameters(model, args.seed)
    params32 = OrderedDict((k, v) for k, (v, _) in params.items())
    pixels, inputs, labels = draw_batch(model, args.seed, args.batch)

    reference = run_trajectory(model, params32, inputs, labels, torch.float64)
    checks = verify(model, params32, inputs, labels, reference,
                    np.random.RandomState([model_seed(model, args.seed), 7]))

    writer = SetWriter(os.path.join(args.out, model), args.sample_budget, args.whole)
    write_arrays(writer, model, params, pixels, inputs, labels, reference)
    checks["read_back"] = OrderedDict(arrays=writer.read_back(), bitwise_equal=True)
    manifest = manifest_for(model, args, params, reference, checks, writer)
    manifest_path = os.path.join(writer.folder, "manifest.json")
    with open(manifest_path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(manifest_path + ".tmp", manifest_path)

    f32 = checks["float32_pipeline_vs_reference"]
    return OrderedDict([
        ("model", model),
        ("bytes", writer.bytes_written() + os.path.getsize(manifest_path)),
        ("seconds", round(time.time() - started, 1)),
        ("sampled_arrays", sum("sample" in e for e in writer.entries)),
        ("generated_arrays", sum("generator" in e for e in writer.entries)),
        ("loss", reference["loss"]),
        ("loss_before_step", reference["loss_before_step"]),
        ("loss_after", reference["loss_after_steps"]),
        ("lr_t", reference["lr_t_per_step"]),
        ("clipped", reference["clipped_per_step"]),
        ("numpy_fwd_max_abs", checks["numpy_forward_vs_torch_f64"]["max_abs"]),
        ("fd_max_abs", checks["finite_differences_f64"]["max_abs_err"]),
        ("fd_max_rel", checks["finite_differences_f64"]["max_rel_err_floor_1e-4"]),
        ("numpy_opt_max_abs", checks["numpy_optimizer_vs_torch_f64"]["max_abs"]),
        ("f32_logits_rel", f32["logits"]["max_rel_to_tensor_max"]),
        ("f32_grads_worst_rel", max(e["max_rel_to_tensor_max"] for e in f32["grads"].values())),
        ("f32_after_worst_rel", max(e["max_rel_to_tensor_max"] for e in f32["params_after"].values())),
        ("f32_decisions_differing", f32["decisions_differing_per_pass"]),
        ("pool_near_ties", checks["pool_windows_near_tie"]["windows"]),
        ("relu_margin", checks["relu_margin"]["relative"]),
    ])


def main(args):
    torch.set_num_threads(args.threads)
    check_splitmix64()
    started = time.time()
    total = 0
    for model in args.models:
        summary = generate(model, args)
        total += summary["bytes"]
        print(json.dumps(summary), flush=True)
    print(json.dumps(OrderedDict(total_bytes=total, seconds=round(time.time() - started, 1))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
