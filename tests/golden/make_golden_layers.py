#!/usr/bin/python3
"""Writes golden references for statnn's layer kernels beyond the seed models: batch
normalisation (training and evaluation, every affine option), GELU (erf and tanh forms),
average pooling (window and stride, and global), convolution with stride and explicit
padding (2x2 patches, strided 3x3, 1x1, stride 1), and a residual block behind a 1x1 stem
(x -> stem -> s + conv1x1(gelu(bn(conv3x3(s))))), whose stem's gradient takes the skip.

Each case is one kernel on a tiny seeded input: its input, parameters and output gradient,
and what PyTorch computes from them on the CPU in float64 — the output, the running
statistics after a training step, and the gradients of the input and of every trained
parameter — each rounded to float32 once, when it is written. The script cross-checks its
own numbers (an independent NumPy forward pass of every case, torch.autograd.gradcheck of
every operation) and records the checks in the manifest.

The format is that of the model sets (tests/golden/README.md, "Layer kernels"): one
folder, OUT/layers, with a manifest.json listing the cases and every array, stored whole.

    /usr/bin/python3 tests/golden/make_golden_layers.py --seed 1 --threads 1 --out tests/golden/reference
"""
import argparse
import json
import math
import os
import sys
import time
from collections import OrderedDict

FORMAT = "statnn-golden-layers"
FORMAT_VERSION = 1
SEED_OFFSET = 5  # case seeds: 1000 * (10 * seed + SEED_OFFSET) + case ordinal; make_golden.py's models use 1 and 2


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="seed of the whole set (default 1)")
    parser.add_argument("--out", required=True, help="output folder; OUT/layers is (re)written")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for PyTorch and BLAS (default 1: the tensors are tiny, and more threads only spin)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be positive")
    if not 0 <= args.seed <= (2**32 - 1 - SEED_OFFSET) // 10 // 1000:
        parser.error("--seed is too large (case seeds must fit numpy's RandomState)")
    return args


if __name__ == "__main__":
    ARGS = parse_args()
    # OpenMP and OpenBLAS size their thread pools when they load: before numpy and torch.
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

sys.dont_write_bytecode = True  # importing make_golden must leave no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from make_golden import SetWriter  # noqa: E402

# ---------------------------------------------------------------------------------------
# The cases. Shapes are NCHW as PyTorch has them; the C++ test instantiates each case's
# kernels with these shapes and refuses a set whose shapes differ.
# ---------------------------------------------------------------------------------------


def batchnorm(name, shape, mode, affine, momentum, eps, x_offset=0.0, x_scale=1.0):
    return OrderedDict(name=name, kind="batchnorm", shape=shape, mode=mode, affine=affine, momentum=momentum, eps=eps,
                       x_offset=x_offset, x_scale=x_scale)


def gelu(name, size, approximate):
    return OrderedDict(name=name, kind="gelu", shape=[size], approximate=approximate)


def avgpool(name, shape, kernel, stride):
    return OrderedDict(name=name, kind="avgpool", shape=shape, kernel=kernel, stride=stride)


def global_avgpool(name, shape):
    return OrderedDict(name=name, kind="global_avgpool", shape=shape)


def conv(name, shape, out_channels, kernel, stride, padding, bias):
    return OrderedDict(name=name, kind="conv", shape=shape, out_channels=out_channels, kernel=kernel, stride=stride,
                       padding=padding, bias=bias)


def residual(name, shape, channels):
    return OrderedDict(name=name, kind="residual", shape=shape, channels=channels, mode="train", momentum=0.1, eps=1e-5)


def whitening(name, shape, patch, eps):
    return OrderedDict(name=name, kind="whitening", shape=shape, patch=patch, eps=eps)


CASES = [
    batchnorm("bn_train_affine", [3, 5, 4, 3], "train", "scale_and_shift", 0.1, 1e-5, x_offset=2.0, x_scale=1.5),
    batchnorm("bn_train_frozen_scale", [1, 24, 3, 5], "train", "frozen_scale", 0.6, 1e-12),
    batchnorm("bn_train_no_affine", [2, 16, 5, 3], "train", "none", 0.1, 1e-3, x_offset=-1.0, x_scale=0.5),
    batchnorm("bn_train_wide", [2, 64, 4, 4], "train", "scale_and_shift", 0.6, 1e-12, x_offset=30.0, x_scale=0.1),
    batchnorm("bn_eval_affine", [3, 7, 3, 3], "eval", "scale_and_shift", 0.1, 1e-5),
    batchnorm("bn_eval_no_affine", [1, 19, 2, 2], "eval", "none", 0.1, 1e-3),
    gelu("gelu_erf", 301, "none"),
    gelu("gelu_tanh", 301, "tanh"),
    avgpool("avgpool_k2_s2", [3, 5, 7, 6], 2, 2),
    avgpool("avgpool_k3_s2", [1, 17, 9, 8], 3, 2),
    avgpool("avgpool_k3_s1", [2, 3, 5, 5], 3, 1),
    avgpool("avgpool_k2_s3", [1, 4, 8, 7], 2, 3),
    global_avgpool("global_avgpool", [3, 20, 4, 5]),
    conv("conv_patch_k2_s2", [2, 3, 8, 8], 24, 2, 2, 0, True),
    conv("conv_k3_s2_p1", [3, 5, 9, 8], 7, 3, 2, 1, True),
    conv("conv_k3_s2_p1_wide", [2, 16, 6, 6], 32, 3, 2, 1, False),
    conv("conv_k1_s2", [1, 17, 7, 7], 19, 1, 2, 0, False),
    conv("conv_k3_s3_p2", [1, 3, 10, 9], 4, 3, 3, 2, True),
    conv("conv_k1_s1", [2, 6, 5, 4], 16, 1, 1, 0, True),
    conv("conv_k3_s1_p1", [1, 4, 6, 5], 16, 3, 1, 1, False),
    residual("residual_block", [2, 3, 5, 5], 8),
    whitening("whitening_p2", [16, 3, 8, 8], 2, 5e-4),
]

# GELU inputs beside the uniform ones: zero, around it, and the far tails.
GELU_SPECIAL = [0.0, 1e-3, -1e-3, 8.0, -8.0, 20.0, -20.0, 3.0, -3.0]


def case_seed(seed, ordinal):
    return 1000 * (10 * seed + SEED_OFFSET) + ordinal


def uniform32(rs, shape, lo, hi):
    return rs.uniform(lo, hi, size=shape).astype(np.float32)


# ---------------------------------------------------------------------------------------
# Inputs and the PyTorch reference (float64, from the float32 inputs)
# ---------------------------------------------------------------------------------------


def t64(a, grad=False):
    return torch.from_numpy(np.asarray(a, dtype=np.float64)).requires_grad_(grad)


def np64(t):
    return t.detach().to(torch.float64).numpy().copy()


def inputs_of(case, seed, ordinal):
    """float32 arrays: the case's input, parameters and output gradient."""
    rs = np.random.RandomState(case_seed(seed, ordinal))
    kind, shape = case["kind"], case["shape"]
    a = OrderedDict()
    if kind == "batchnorm":
        c = shape[1]
        a["x"] = (np.float32(case["x_offset"]) + np.float32(case["x_scale"]) * uniform32(rs, shape, -1.0, 1.0)).astype(np.float32)
        if case["affine"] != "none":
            a["gamma"] = uniform32(rs, [c], 0.5, 1.5)
            a["beta"] = uniform32(rs, [c], -0.5, 0.5)
        a["running_mean_in"] = uniform32(rs, [c], -0.5, 0.5)
        a["running_var_in"] = uniform32(rs, [c], 0.5, 2.0)
        a["dy"] = uniform32(rs, shape, -1.0, 1.0)
    elif kind == "gelu":
        x = uniform32(rs, shape, -6.0, 6.0)
        x[:len(GELU_SPECIAL)] = np.array(GELU_SPECIAL, dtype=np.float32)
        a["x"] = x
        a["dy"] = uniform32(rs, shape, -1.0, 1.0)
    elif kind in ("avgpool", "global_avgpool"):
        a["x"] = uniform32(rs, shape, -1.0, 1.0)
        out = torch_forward(case, {k: t64(v) for k, v in a.items()})
        a["dy"] = uniform32(rs, list(out.shape), -1.0, 1.0)
    elif kind == "conv":
        o, i, k = case["out_channels"], shape[1], case["kernel"]
        limit = math.sqrt(6.0 / (i * k * k + o * k * k))  # glorot-uniform
        a["x"] = uniform32(rs, shape, -1.0, 1.0)
        a["weight"] = uniform32(rs, [o, i, k, k], -limit, limit)
        if case["bias"]:
            a["bias"] = uniform32(rs, [o], -0.1, 0.1)
        out = torch_forward(case, {k_: t64(v) for k_, v in a.items()})
        a["dy"] = uniform32(rs, list(out.shape), -1.0, 1.0)
    elif kind == "whitening":
        # Correlated images: each pixel mixes its neighbours below and to the right and its
        # other channels, with a scale per channel, so the patch covariance's eigenvalues are
        # well apart (each eigenvector is then defined up to its sign).
        n, c, h, w = shape
        u = uniform32(rs, [n, c, h + 1, w + 1], -1.0, 1.0).astype(np.float64)
        v = u[:, :, :h, :w] + 0.7 * u[:, :, 1:, :w] + 0.4 * u[:, :, :h, 1:] + 0.25 * u[:, :, 1:, 1:]
        scale = np.array([1.0, 0.55, 0.3])[:c].reshape(1, c, 1, 1)
        a["x"] = (scale * (v + 0.5 * np.roll(v, 1, axis=1))).astype(np.float32)
    elif kind == "residual":
        i, c = shape[1], case["channels"]
        a["x"] = uniform32(rs, shape, -1.0, 1.0)
        a["stem_weight"] = uniform32(rs, [c, i, 1, 1], -0.6, 0.6)
        a["stem_bias"] = uniform32(rs, [c], -0.1, 0.1)
        a["weight_a"] = uniform32(rs, [c, c, 3, 3], -0.2, 0.2)
        a["gamma"] = uniform32(rs, [c], 0.5, 1.5)
        a["beta"] = uniform32(rs, [c], -0.5, 0.5)
        a["weight_b"] = uniform32(rs, [c, c, 1, 1], -0.5, 0.5)
        a["bias_b"] = uniform32(rs, [c], -0.1, 0.1)
        a["dy"] = uniform32(rs, [shape[0], c, shape[2], shape[3]], -1.0, 1.0)
    return a


def torch_forward(case, t, state=None):
    """The case's operation on float64 tensors t; `state` receives BatchNorm's running statistics."""
    kind = case["kind"]
    if kind == "batchnorm":
        rm, rv = t["running_mean_in"].detach().clone(), t["running_var_in"].detach().clone()
        y = F.batch_norm(t["x"], rm, rv, t.get("gamma"), t.get("beta"), training=case["mode"] == "train",
                         momentum=case["momentum"], eps=case["eps"])
        if state is not None:
            state.update(running_mean_out=rm, running_var_out=rv)
        return y
    if kind == "gelu":
        return F.gelu(t["x"], approximate=case["approximate"])
    if kind == "avgpool":
        return F.avg_pool2d(t["x"], case["kernel"], case["stride"])
    if kind == "global_avgpool":
        return F.adaptive_avg_pool2d(t["x"], 1).flatten(1)
    if kind == "conv":
        return F.conv2d(t["x"], t["weight"], t.get("bias"), stride=case["stride"], padding=case["padding"])
    if kind == "whitening":
        weight, values = whitening_filters(case, t["x"])
        if state is not None:
            state.update(eigenvalues=values, filters=weight)
        return F.conv2d(t["x"], weight)
    if kind == "residual":  # running statistics start at PyTorch's 0 and 1, as statnn's
        c = case["channels"]
        rm, rv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
        s = F.conv2d(t["x"], t["stem_weight"], t["stem_bias"])
        h = F.batch_norm(F.conv2d(s, t["weight_a"], None, padding=1), rm, rv, t["gamma"], t["beta"], training=True,
                         momentum=case["momentum"], eps=case["eps"])
        if state is not None:
            state.update(running_mean_out=rm, running_var_out=rv)
        return s + F.conv2d(F.gelu(h), t["weight_b"], t["bias_b"])
    raise ValueError(kind)


def canonical_signs(vectors):
    """Each column's sign chosen so that its largest-magnitude entry is positive (an
    eigenvector is defined up to its sign; this set fixes one)."""
    idx = vectors.abs().argmax(dim=0) if torch.is_tensor(vectors) else np.abs(vectors).argmax(axis=0)
    signs = vectors[idx, range(vectors.shape[1])]
    return vectors * (torch.sign(signs) if torch.is_tensor(vectors) else np.sign(signs))


def patch_rows(x, patch):
    """Every patch of the NCHW images as a row, in statnn's order: (dy, dx, c)."""
    p = x.unfold(2, patch, 1).unfold(3, patch, 1)  # N, C, H', W', dy, dx
    return p.permute(0, 2, 3, 4, 5, 1).reshape(-1, patch * patch * x.shape[1])


def whitening_filters(case, x):
    """airbench's whitening filters from the patches of x, with statnn's covariance (unbiased,
    as torch.cov; airbench takes the uncentred second moment of normalised images):
    eigenvectors in descending order of eigenvalue, scaled by 1/sqrt(lambda + eps), then
    negated; as an OIHW conv kernel, and the eigenvalues."""
    patch, c = case["patch"], x.shape[1]
    values, vectors = torch.linalg.eigh(torch.cov(patch_rows(x, patch).T))  # ascending
    values, vectors = values.flip(0), canonical_signs(vectors.flip(1))
    scaled = vectors / torch.sqrt(values.clamp(min=0.0) + case["eps"])
    filters = torch.cat([scaled, -scaled], dim=1)  # [(dy, dx, c), f]
    return filters.T.reshape(-1, patch, patch, c).permute(0, 3, 1, 2).contiguous(), values


def trained(case):
    """The arrays whose gradients the case records: the input and the trained parameters."""
    names = ["x"]
    if case["kind"] == "batchnorm":
        if case["affine"] == "scale_and_shift":
            names += ["gamma", "beta"]
        elif case["affine"] == "frozen_scale":
            names += ["beta"]
    elif case["kind"] == "conv":
        names += ["weight"] + (["bias"] if case["bias"] else [])
    elif case["kind"] == "residual":  # the stem's gradients stand for the input's
        names = ["stem_weight", "stem_bias", "weight_a", "gamma", "beta", "weight_b", "bias_b"]
    elif case["kind"] == "whitening":  # frozen, and always first: no gradient at all
        names = []
    return names


def reference(case, inputs):
    """float64 results: y, running statistics (BatchNorm training), batch statistics, gradients."""
    t = OrderedDict((k, t64(v, grad=k in trained(case))) for k, v in inputs.items() if k != "dy")
    state = OrderedDict()
    y = torch_forward(case, t, state)
    grads = torch.autograd.grad(y, [t[k] for k in trained(case)], grad_outputs=t64(inputs["dy"])) if trained(case) else []
    out = OrderedDict(y=np64(y))
    for k, v in state.items():
        if case.get("mode", "train") == "train":
            out[k] = np64(v)
    if case["kind"] == "batchnorm" and case["mode"] == "train":
        x = inputs["x"].astype(np.float64)
        mean = x.mean(axis=(0, 2, 3))
        out["batch_mean"] = mean
        out["batch_invstd"] = 1.0 / np.sqrt(x.var(axis=(0, 2, 3)) + case["eps"])
    for k, g in zip(trained(case), grads):
        out["d" + k] = np64(g)
    return out


# ---------------------------------------------------------------------------------------
# Cross-checks: an independent NumPy forward pass, and gradcheck of every operation
# ---------------------------------------------------------------------------------------


def numpy_forward(case, a):
    kind = case["kind"]
    x = a["x"].astype(np.float64)
    if kind == "batchnorm":
        c = case["shape"][1]
        if case["mode"] == "train":
            mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        else:
            mean, var = a["running_mean_in"].astype(np.float64), a["running_var_in"].astype(np.float64)
        y = (x - mean.reshape(1, c, 1, 1)) / np.sqrt(var.reshape(1, c, 1, 1) + case["eps"])
        if case["affine"] != "none":
            y = y * a["gamma"].astype(np.float64).reshape(1, c, 1, 1) + a["beta"].astype(np.float64).reshape(1, c, 1, 1)
        return y
    if kind == "gelu":
        if case["approximate"] == "none":
            return np.array([0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in x])
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    if kind == "avgpool":
        k, s = case["kernel"], case["stride"]
        n, c, h, w = x.shape
        ho, wo = (h - k) // s + 1, (w - k) // s + 1
        y = np.zeros((n, c, ho, wo))
        for oy in range(ho):
            for ox in range(wo):
                y[:, :, oy, ox] = x[:, :, oy * s:oy * s + k, ox * s:ox * s + k].mean(axis=(2, 3))
        return y
    if kind == "global_avgpool":
        return x.mean(axis=(2, 3))
    if kind == "conv":
        k, s, p = case["kernel"], case["stride"], case["padding"]
        w = a["weight"].astype(np.float64)
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        ho, wo = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
        y = np.zeros((x.shape[0], w.shape[0], ho, wo))
        for ky in range(k):
            for kx in range(k):
                taps = xp[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s]
                y += np.einsum("nihw,oi->nohw", taps, w[:, :, ky, kx])
        if case["bias"]:
            y += a["bias"].astype(np.float64).reshape(1, -1, 1, 1)
        return y
    if kind == "whitening":  # NumPy's own covariance, eigensolver and convolution
        n, c, h, w = x.shape
        p = case["patch"]
        rows = np.stack([x[:, :, dy:dy + h - p + 1, dx:dx + w - p + 1] for dy in range(p) for dx in range(p)], axis=1)
        rows = rows.transpose(0, 3, 4, 1, 2).reshape(-1, p * p * c)  # (dy, dx) then c
        values, vectors = np.linalg.eigh(np.cov(rows.T))
        values, vectors = values[::-1], canonical_signs(vectors[:, ::-1])
        scaled = vectors / np.sqrt(np.maximum(values, 0.0) + case["eps"])
        out = rows @ np.concatenate([scaled, -scaled], axis=1)
        return out.reshape(n, h - p + 1, w - p + 1, -1).transpose(0, 3, 1, 2)
    if kind == "residual":
        def conv_of(inp, weight, bias, padding):
            k = OrderedDict(kind="conv", kernel=weight.shape[2], stride=1, padding=padding, bias=bias is not None)
            return numpy_forward(k, OrderedDict(x=inp, weight=weight, **({"bias": bias} if bias is not None else {})))

        def bn_of(inp):
            k = OrderedDict(kind="batchnorm", shape=list(inp.shape), mode="train", affine="scale_and_shift", eps=case["eps"])
            return numpy_forward(k, OrderedDict(x=inp, gamma=a["gamma"], beta=a["beta"]))

        s_ = conv_of(x, a["stem_weight"], a["stem_bias"], 0)
        h = bn_of(conv_of(s_, a["weight_a"], None, 1))
        g = np.vectorize(lambda v: 0.5 * v * math.erfc(-v / math.sqrt(2.0)))(h)
        return s_ + conv_of(g, a["weight_b"], a["bias_b"], 0)
    raise ValueError(kind)


def gradcheck(case, a):
    """torch.autograd.gradcheck of the operation in float64 at the case's own point."""
    names = trained(case)
    if not names:
        return "nothing trained"
    t = OrderedDict((k, t64(v, grad=k in names)) for k, v in a.items() if k != "dy")

    def op(*args):
        u = OrderedDict(t)
        u.update(zip(names, args))
        return torch_forward(case, u)

    return bool(torch.autograd.gradcheck(op, tuple(t[k] for k in names), eps=1e-6, atol=1e-7, rtol=1e-5))


# ---------------------------------------------------------------------------------------
# Writing the set
# ---------------------------------------------------------------------------------------

DESCRIPTIONS = {
    "x": "input",
    "gamma": "BatchNorm scale",
    "beta": "BatchNorm shift",
    "running_mean_in": "running mean before the step",
    "running_var_in": "running variance before the step",
    "weight": "conv kernel",
    "bias": "conv bias",
    "dy": "gradient of the loss with respect to the output",
    "y": "output",
    "running_mean_out": "running mean after the training step",
    "running_var_out": "running variance after the training step (unbiased batch variance)",
    "batch_mean": "batch mean per channel (what the forward pass keeps for backward)",
    "batch_invstd": "1 / sqrt(biased batch variance + eps) per channel",
    "dx": "gradient with respect to the input",
    "dgamma": "gradient with respect to the scale",
    "dbeta": "gradient with respect to the shift",
    "dweight": "gradient with respect to the kernel",
    "dbias": "gradient with respect to the bias",
    "stem_weight": "1x1 stem conv kernel (before the block)",
    "stem_bias": "stem conv bias",
    "weight_a": "the branch's 3x3 conv kernel (padding 1, no bias)",
    "weight_b": "the branch's 1x1 conv kernel",
    "bias_b": "the branch's 1x1 conv bias",
    "dstem_weight": "gradient with respect to the stem kernel (through the branch and the skip)",
    "dstem_bias": "gradient with respect to the stem bias",
    "dweight_a": "gradient with respect to the 3x3 kernel",
    "dweight_b": "gradient with respect to the 1x1 kernel",
    "dbias_b": "gradient with respect to the 1x1 bias",
    "eigenvalues": "eigenvalues of the patch covariance (unbiased, patches in (dy, dx, c) order), descending",
    "filters": "the whitening filters: eigenvector k / sqrt(eigenvalue k + eps) as output channel k, its negative as "
               "channel D + k; each eigenvector's largest-magnitude entry positive",
}


def layout_of(values, role):
    if role in ("weight", "dweight", "filters", "stem_weight", "weight_a", "weight_b", "dstem_weight", "dweight_a", "dweight_b"):
        return "O,I,kh,kw"
    return {4: "NCHW", 2: "N,C", 1: "C" if role not in ("x", "dy", "y", "dx") else "N"}[values.ndim]


def main(args):
    torch.set_num_threads(args.threads)
    started = time.time()
    writer = SetWriter(os.path.join(args.out, "layers"), budget=1 << 30, whole=True)
    cases, checks = [], OrderedDict()
    for ordinal, case in enumerate(CASES):
        inputs = inputs_of(case, args.seed, ordinal)
        results = reference(case, inputs)
        numpy_y = numpy_forward(case, inputs)
        checks[case["name"]] = OrderedDict([
            ("numpy_forward_max_abs", float(np.max(np.abs(numpy_y - results["y"])))),
            ("gradcheck", gradcheck(case, inputs)),
        ])
        assert checks[case["name"]]["numpy_forward_max_abs"] < 1e-12, (case["name"], checks[case["name"]])
        assert checks[case["name"]]["gradcheck"] is not False, case["name"]
        if case["kind"] == "whitening":
            # Eigenvalues apart, so each eigenvector is defined up to its sign. Both sides
            # work in float64 from the same float32 inputs: an eigenvector differs by about
            # 1e-16 / gap, far below float32 rounding for any gap above 1e-6.
            values = results["eigenvalues"]
            checks[case["name"]]["smallest_eigenvalue_gap_relative"] = float(np.min(-np.diff(values)) / values[0])
            assert checks[case["name"]]["smallest_eigenvalue_gap_relative"] > 1e-6, checks[case["name"]]
        arrays = OrderedDict()
        for role, values in list(inputs.items()) + list(results.items()):
            name = "%s/%s" % (case["name"], role)
            writer.put(name, values, "float32", layout_of(np.asarray(values), role), DESCRIPTIONS[role])
            arrays[role] = name
        cases.append(OrderedDict(case, arrays=arrays))
    writer.read_back()
    manifest = OrderedDict([
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("seed", args.seed),
        ("byte_order", "little-endian, C (row-major) order, no header"),
        ("computed_in", "float64 (PyTorch %s, CPU) from the float32 inputs, stored rounded to float32" % torch.__version__),
        ("generated_by", "tests/golden/make_golden_layers.py --seed %d" % args.seed),
        ("inputs", "numpy RandomState(1000 * (10 * seed + %d) + case ordinal), uniform draws rounded to float32"
                   % SEED_OFFSET),
        ("cases", cases),
        ("verification", checks),
        ("arrays", writer.entries),
    ])
    path = os.path.join(writer.folder, "manifest.json")
    with open(path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    total = writer.bytes_written() + os.path.getsize(path)
    print(json.dumps(OrderedDict(cases=len(cases), arrays=len(writer.entries), total_bytes=total,
                                 worst_numpy_forward=max(c["numpy_forward_max_abs"] for c in checks.values()),
                                 gradcheck_all=all(c["gradcheck"] for c in checks.values()),
                                 seconds=round(time.time() - started, 1))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
