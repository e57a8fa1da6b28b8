#!/usr/bin/python3
"""Writes the golden reference set of statnn's optimizers, learning-rate schedules and loss.

For small parameter and gradient vectors it records what PyTorch computes over a few steps
of every optimizer under every schedule: the learning rate of each step (from PyTorch's own
schedulers), the parameters after each step and the optimizer's state at the end. For a
small batch of logits it records the label-smoothed cross-entropy and its gradient. PyTorch
runs on the CPU in float64; results are rounded to float32 once, when written. The numbers
are cross-checked (closed-form schedules, an independent NumPy optimizer, autograd against
the closed-form gradient, the same PyTorch steps in float32) and the checks are recorded.

Inputs are not stored: parameters, gradients and logits are drawn by the splitmix64
generator of make_golden.py, which the C++ test re-creates bit for bit. The format is the
golden sets' (tests/golden/README.md, section "Optimizer set").

    /usr/bin/python3 tests/golden/make_golden_optim.py --seed 1 --threads 2 --out tests/golden/reference
"""
import argparse
import json
import math
import os
import sys
import time
import warnings
from collections import OrderedDict


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="seed of the whole set (default 1)")
    parser.add_argument("--out", required=True, help="output folder; DIR/optim is (re)written")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch and BLAS (default 2)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be positive")
    if not 0 <= args.seed <= MAX_SEED:
        parser.error("--seed must be in [0, %d]" % MAX_SEED)
    return args


# This set's derived seed is 10 * seed + 3 (make_golden.py's models use offsets 1 and 2).
SEED_OFFSET = 3
MAX_SEED = (2**32 - 1 - SEED_OFFSET) // 10

if __name__ == "__main__":
    ARGS = parse_args()
    # OpenMP and OpenBLAS size their pools when they load: set before numpy and torch load.
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_golden import (KerasSGD, SetWriter, check_splitmix64, splitmix64_uniform)  # noqa: E402

# ---------------------------------------------------------------------------------------
# What is run
# ---------------------------------------------------------------------------------------

COUNT = 203  # parameters: not a multiple of any vector width, so SIMD tails run
STEPS = 6
PARAM_LIMIT = 0.05
GRAD_LIMIT = 1.0
# Gradients of elements j = 3 (mod 7) are scaled to ~1e-8 and j = 5 (mod 7) to ~1e-6, so
# Adam's sqrt(v) / sqrt(1 - beta2^t) is near eps there and eps's placement shows.
GRAD_COLUMN_SCALE = OrderedDict(period=7, scale=OrderedDict([("3", 1e-8), ("5", 1e-6)]))

# Optimizers: statnn kind and fields (as set_field takes them), base learning rate. Weight
# decay is far above what recipes use, so that its form shows in a few steps.
OPTIMIZERS = OrderedDict([
    ("sgdw", dict(kind="sgdw", fields=OrderedDict(momentum=0.9, weight_decay=0.1, nesterov=1), lr=0.05)),
    ("sgdw-plain-momentum", dict(kind="sgdw", fields=OrderedDict(momentum=0.9, weight_decay=0.1, nesterov=0), lr=0.05)),
    ("sgd-l2", dict(kind="sgd", fields=OrderedDict(momentum=0.85, weight_decay=0.1, nesterov=1), lr=0.05)),
    ("adam", dict(kind="adam", fields=OrderedDict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1), lr=0.01)),
    ("adamw", dict(kind="adamw", fields=OrderedDict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1), lr=0.01)),
    ("keras-sgd", dict(kind="keras-sgd", fields=OrderedDict(momentum=0.9, nesterov=1), lr=0.05)),
    # fastcifar's optimizer: Lookahead (airbench's form) around SGD with L2 decay, pulling
    # every 2 of the 6 steps (and at the last), so the growing averaging weight shows.
    ("sgd-l2+lookahead", dict(kind="sgd+lookahead",
                              fields=OrderedDict(momentum=0.85, weight_decay=0.1, nesterov=1, lookahead_every=2,
                                                 lookahead_decay=0.7, lookahead_power=3.0, total_steps=6),
                              lr=0.05)),
])
STATE_NAMES = {"sgdw": ["momentum_buffer"], "sgd": ["momentum_buffer"], "adam": ["exp_avg", "exp_avg_sq"],
               "adamw": ["exp_avg", "exp_avg_sq"], "keras-sgd": ["velocity"],
               "sgd+lookahead": ["momentum_buffer", "lookahead_average"]}
LOOKAHEAD = "+lookahead"


def lookahead_keep(f, s):
    """The averaging weight d of the pull after step s (1-based), or None when step s does not pull."""
    every, total = int(f["lookahead_every"]), int(f["total_steps"])
    if s % every != 0 and s != total:
        return None
    return 1.0 if s >= total else f["lookahead_decay"] * (s / total) ** f["lookahead_power"]

# Schedules: statnn kind and fields; the learning rate field is the optimizer's base rate.
WARMUP, TOTAL = 2, 6
SCHEDULES = OrderedDict([
    ("keras-decay", dict(kind="keras-decay", lr_field="lr", fields=OrderedDict(decay=0.1))),
    ("warmup-linear", dict(kind="warmup-linear", lr_field="peak_lr",
                           fields=OrderedDict(warmup_steps=WARMUP, total_steps=TOTAL, start_factor=0.2,
                                              end_factor=0.07))),
    ("warmup-cosine", dict(kind="warmup-cosine", lr_field="peak_lr",
                           fields=OrderedDict(warmup_steps=WARMUP, total_steps=TOTAL, start_factor=0.2,
                                              end_factor=0.05))),
])

LOSS_BATCH, NUM_CLASSES = 8, 10
LOGIT_LIMIT = 4.0  # every probability stays far above the 1e-7 clip
SMOOTHINGS = [0.0, 0.1, 0.2]


def set_seed(seed):
    return 10 * seed + SEED_OFFSET


def generator(seed, ordinal, limit, column_scale=None):
    g = OrderedDict(kind="splitmix64_uniform", seed=1000 * set_seed(seed) + ordinal, limit=limit)
    if column_scale is not None:
        g["column_scale"] = column_scale
    assert g["seed"] < 2**53
    return g


def draw(g, shape):
    return splitmix64_uniform(g["seed"], shape, g["limit"], g.get("column_scale"))


# ---------------------------------------------------------------------------------------
# Schedules: PyTorch's schedulers, and the closed forms statnn implements
# ---------------------------------------------------------------------------------------


def torch_scheduler(name, optimizer, lr):
    s = SCHEDULES[name]["fields"]
    if name == "keras-decay":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 1.0 / (1.0 + s["decay"] * t)), \
            "LambdaLR(lambda t: 1 / (1 + decay * t))"
    warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=s["start_factor"], end_factor=1.0,
                                             total_iters=s["warmup_steps"])
    if name == "warmup-linear":
        decay = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=s["end_factor"],
                                                  total_iters=s["total_steps"] - s["warmup_steps"])
        what = "SequentialLR([LinearLR(start_factor, 1, W), LinearLR(1, end_factor, T - W)], milestones=[W])"
    else:
        decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=s["total_steps"] - s["warmup_steps"],
                                                           eta_min=s["end_factor"] * lr)
        what = "SequentialLR([LinearLR(start_factor, 1, W), CosineAnnealingLR(T - W, end_factor * lr)], milestones=[W])"
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, decay], milestones=[s["warmup_steps"]]), what


def closed_form_lr(name, lr, t):
    s = SCHEDULES[name]["fields"]
    if name == "keras-decay":
        return lr / (1.0 + s["decay"] * t)
    w, total, start, end = s["warmup_steps"], s["total_steps"], s["start_factor"], s["end_factor"]
    if t < w:
        return lr * (start + (1.0 - start) * t / w)
    if t >= total:
        return lr * end
    progress = (t - w) / (total - w)
    if name == "warmup-linear":
        return lr * (1.0 + (end - 1.0) * progress)
    return lr * (end + (1.0 - end) * (1.0 + math.cos(math.pi * progress)) / 2.0)


def learning_rates(name, lr):
    """The learning rate PyTorch's scheduler gives each of STEPS steps (on a throwaway optimizer)."""
    probe = torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's step(0) at the milestone warns in 1.13
        scheduler, what = torch_scheduler(name, probe, lr)
        rates = []
        for _ in range(STEPS):
            rates.append(probe.param_groups[0]["lr"])
            probe.step()
            scheduler.step()
    return rates, what


# ---------------------------------------------------------------------------------------
# Optimizers in PyTorch
# ---------------------------------------------------------------------------------------


class ScheduledKerasSGD(KerasSGD):
    """make_golden.py's Keras SGD with the learning rate of each step given from outside."""

    def __init__(self, rates, momentum, nesterov):
        super().__init__(lr=rates[0], momentum=momentum, decay=0.0, nesterov=nesterov, maxnorm={})
        self.rates = rates

    def learning_rate(self):
        return self.rates[self.iterations]


def torch_trajectory(opt_name, schedule_name, params0, grads, dtype):
    """STEPS steps from params0 with grads[t] at step t; returns (rates, params after each step, state)."""
    o = OPTIMIZERS[opt_name]
    f, kind, lr = o["fields"], o["kind"], o["lr"]
    rates, _ = learning_rates(schedule_name, lr)
    p = torch.from_numpy(params0.astype(np.float64)).to(dtype).requires_grad_(True)
    after = []
    if kind == "keras-sgd":
        sgd = ScheduledKerasSGD(rates, f["momentum"], bool(f["nesterov"]))
        for t in range(STEPS):
            sgd.step({"w": p}, {"w": torch.from_numpy(grads[t].astype(np.float64)).to(dtype)})
            after.append(p.detach().to(torch.float64).numpy().copy())
        return rates, after, {"velocity": sgd.velocity["w"].to(torch.float64).numpy().copy()}
    lookahead = kind.endswith(LOOKAHEAD)
    inner = kind[:-len(LOOKAHEAD)] if lookahead else kind
    # airbench's LookaheadState: a copy of the weights before the first step; every k steps
    # ema.lerp_(w, 1 - d) and w.copy_(ema).
    ema = p.detach().clone() if lookahead else None
    if inner in ("sgdw", "sgd"):
        opt = torch.optim.SGD([p], lr=lr, momentum=f["momentum"], nesterov=bool(f["nesterov"]),
                              weight_decay=f["weight_decay"] if inner == "sgd" else 0.0)
    elif kind == "adam":
        opt = torch.optim.Adam([p], lr=lr, betas=(f["beta1"], f["beta2"]), eps=f["eps"], weight_decay=f["weight_decay"])
    else:
        opt = torch.optim.AdamW([p], lr=lr, betas=(f["beta1"], f["beta2"]), eps=f["eps"],
                                weight_decay=f["weight_decay"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler, _ = torch_scheduler(schedule_name, opt, lr)
        for t in range(STEPS):
            group_lr = opt.param_groups[0]["lr"]
            assert group_lr == rates[t], (opt_name, schedule_name, t)
            if kind == "sgdw":  # decoupled decay, as AdamW applies it, then SGD without decay
                with torch.no_grad():
                    p.mul_(1.0 - group_lr * f["weight_decay"])
            p.grad = torch.from_numpy(grads[t].astype(np.float64)).to(dtype)
            opt.step()
            scheduler.step()
            keep = lookahead_keep(f, t + 1) if lookahead else None
            if keep is not None:
                with torch.no_grad():
                    ema.lerp_(p, 1.0 - keep)
                    p.copy_(ema)
            after.append(p.detach().to(torch.float64).numpy().copy())
    state = opt.state[p]
    slots = OrderedDict((n, state[n].detach().to(torch.float64).numpy().copy()) for n in STATE_NAMES[inner])
    if lookahead:
        slots["lookahead_average"] = ema.to(torch.float64).numpy().copy()
    return rates, after, slots


TORCH_FORM = {
    "sgdw": "w.mul_(1 - lr_t * weight_decay), then torch.optim.SGD(momentum, nesterov, weight_decay=0)",
    "sgd": "torch.optim.SGD(momentum, nesterov, weight_decay)",
    "adam": "torch.optim.Adam(betas=(beta1, beta2), eps, weight_decay)",
    "adamw": "torch.optim.AdamW(betas=(beta1, beta2), eps, weight_decay)",
    "keras-sgd": "make_golden.py's KerasSGD (Keras 2 semantics) with lr_t from the scheduler",
    "sgd+lookahead": "torch.optim.SGD(momentum, nesterov, weight_decay), then airbench's LookaheadState: after step "
                     "s = t + 1 with s % lookahead_every == 0 or s == total_steps, ema.lerp_(w, 1 - d), w.copy_(ema), "
                     "d = lookahead_decay * (s / total_steps)^lookahead_power (1 at total_steps); ema = w before step 0",
}

# ---------------------------------------------------------------------------------------
# Cross-checks: an independent NumPy optimizer from the formulas in statnn's headers
# ---------------------------------------------------------------------------------------


def numpy_trajectory(opt_name, rates, params0, grads):
    o = OPTIMIZERS[opt_name]
    f, kind = o["fields"], o["kind"]
    w = params0.astype(np.float64)
    s1, s2 = np.zeros_like(w), np.zeros_like(w)
    lookahead = kind.endswith(LOOKAHEAD)
    if lookahead:
        kind, average = kind[:-len(LOOKAHEAD)], w.copy()
    after = []
    for t in range(STEPS):
        lr, g = rates[t], grads[t].astype(np.float64)
        if kind == "keras-sgd":
            s1 = f["momentum"] * s1 - lr * g
            w = w + (f["momentum"] * s1 - lr * g if f["nesterov"] else s1)
        elif kind in ("sgdw", "sgd"):
            if kind == "sgdw":
                w = (1.0 - lr * f["weight_decay"]) * w
            else:
                g = g + f["weight_decay"] * w
            s1 = f["momentum"] * s1 + g
            w = w - lr * (g + f["momentum"] * s1 if f["nesterov"] else s1)
        else:
            if kind == "adamw":
                w = (1.0 - lr * f["weight_decay"]) * w
            else:
                g = g + f["weight_decay"] * w
            b1, b2 = f["beta1"], f["beta2"]
            s1 = b1 * s1 + (1.0 - b1) * g
            s2 = b2 * s2 + (1.0 - b2) * g * g
            w = w - lr / (1.0 - b1 ** (t + 1)) * s1 / (np.sqrt(s2) / math.sqrt(1.0 - b2 ** (t + 1)) + f["eps"])
        if lookahead:
            s = t + 1
            if s % int(f["lookahead_every"]) == 0 or s == int(f["total_steps"]):
                d = 1.0 if s >= f["total_steps"] else f["lookahead_decay"] * (s / f["total_steps"]) ** f["lookahead_power"]
                average = d * average + (1.0 - d) * w
                w = average.copy()
        after.append(w.copy())
    if lookahead:
        return after, [s1, average]
    return after, [s1, s2][:len(STATE_NAMES[kind])]


def max_abs(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def max_rel(a, ref):
    ref = np.asarray(ref, dtype=np.float64)
    return max_abs(a, ref) / float(np.max(np.abs(ref)))


# ---------------------------------------------------------------------------------------
# The loss
# ---------------------------------------------------------------------------------------


def torch_loss(logits, labels, smoothing, dtype):
    z = torch.from_numpy(logits.astype(np.float64)).to(dtype).requires_grad_(True)
    y = torch.from_numpy(labels.astype(np.int64))
    loss = F.cross_entropy(z, y, label_smoothing=smoothing)
    (grad,) = torch.autograd.grad(loss, [z])
    return float(loss), grad.to(torch.float64).numpy().copy()


def numpy_loss(logits, labels, smoothing):
    """-sum_j q_j log softmax(z)_j averaged over rows, and its closed-form gradient (p - q) / n."""
    z = logits.astype(np.float64)
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full_like(z, smoothing / z.shape[1])
    q[np.arange(z.shape[0]), labels] += 1.0 - smoothing
    n = z.shape[0]
    return float(-(q * log_p).sum() / n), (np.exp(log_p) - q) / n


# ---------------------------------------------------------------------------------------
# Writing the set
# ---------------------------------------------------------------------------------------


def generate(args):
    started = time.time()
    folder = os.path.join(args.out, "optim")
    writer = SetWriter(folder, budget=10**9, whole=False)  # small arrays: never sampled
    verification = OrderedDict()

    g_params = generator(args.seed, 0, PARAM_LIMIT)
    params0 = draw(g_params, (COUNT,))
    writer.put_generated("initial_params", params0, g_params, "N", "parameters before the first step")
    grads = []
    for t in range(STEPS):
        g = generator(args.seed, 1 + t, GRAD_LIMIT, GRAD_COLUMN_SCALE)
        grads.append(draw(g, (COUNT,)))
        writer.put_generated("grads/step%d" % t, grads[-1], g, "N", "gradient given to step %d (t = %d)" % (t, t))

    schedules_check = OrderedDict()
    trajectories = []
    worst = OrderedDict(numpy_params=0.0, numpy_state=0.0, float32_params_rel=0.0, float32_state_rel=0.0)
    for opt_name, o in OPTIMIZERS.items():
        for sched_name, s in SCHEDULES.items():
            name = "%s+%s" % (opt_name, sched_name)
            rates, after, state = torch_trajectory(opt_name, sched_name, params0, grads, torch.float64)
            closed = [closed_form_lr(sched_name, o["lr"], t) for t in range(STEPS)]
            schedules_check[name] = max(abs(a - b) / b for a, b in zip(rates, closed))
            np_after, np_state = numpy_trajectory(opt_name, rates, params0, grads)
            worst["numpy_params"] = max(worst["numpy_params"], max(max_abs(a, b) for a, b in zip(after, np_after)))
            worst["numpy_state"] = max(worst["numpy_state"],
                                       max(max_abs(a, b) for a, b in zip(state.values(), np_state)))
            _, after32, state32 = torch_trajectory(opt_name, sched_name, params0, grads, torch.float32)
            worst["float32_params_rel"] = max(worst["float32_params_rel"],
                                              max(max_rel(a, b) for a, b in zip(after32, after)))
            worst["float32_state_rel"] = max(worst["float32_state_rel"],
                                             max(max_rel(state32[k], state[k]) for k in state))
            for t, values in enumerate(after):
                writer.put("%s/params_after_%d" % (name, t + 1), values, "float32", "N",
                           "parameters after %d steps" % (t + 1))
            for slot, values in state.items():
                writer.put("%s/state/%s" % (name, slot), values, "float32", "N",
                           "optimizer state slot %s after %d steps" % (slot, STEPS))
            _, scheduler_form = learning_rates(sched_name, o["lr"])
            schedule_fields = OrderedDict([(s["lr_field"], o["lr"])] + list(s["fields"].items()))
            trajectories.append(OrderedDict([
                ("name", name),
                ("optimizer", OrderedDict(kind=o["kind"], fields=o["fields"], torch=TORCH_FORM[o["kind"]])),
                ("schedule", OrderedDict(kind=s["kind"], fields=schedule_fields, torch=scheduler_form)),
                ("lr_per_step", rates),
                ("params_after", ["%s/params_after_%d" % (name, t + 1) for t in range(STEPS)]),
                ("state", OrderedDict((slot, "%s/state/%s" % (name, slot)) for slot in state)),
            ]))
    verification["schedules_torch_vs_closed_form_max_rel"] = max(schedules_check.values())
    verification["numpy_optimizer_vs_torch_f64_max_abs"] = OrderedDict(params=worst["numpy_params"],
                                                                      state=worst["numpy_state"])
    verification["float32_torch_vs_reference_max_rel"] = OrderedDict(
        params=worst["float32_params_rel"], state=worst["float32_state_rel"],
        note="the same PyTorch steps in float32: metric max|a - ref| / max|ref| per array, worst array")

    # The loss on one batch of logits.
    g_logits = generator(args.seed, 100, LOGIT_LIMIT)
    logits = draw(g_logits, (LOSS_BATCH, NUM_CLASSES))
    labels = np.random.RandomState(set_seed(args.seed)).randint(0, NUM_CLASSES, size=LOSS_BATCH).astype(np.int32)
    writer.put_generated("loss/logits", logits, g_logits, "N,K", "logits of the loss cases")
    writer.put("loss/labels", labels, "int32", "N", "class index of each row")
    losses = []
    loss_check = OrderedDict(numpy_loss_max_rel=0.0, closed_form_grad_max_abs=0.0, float32_grad_max_rel=0.0,
                             min_probability=0.0)
    z64 = logits.astype(np.float64)
    p_min = np.exp(z64 - z64.max(axis=1, keepdims=True))
    loss_check["min_probability"] = float((p_min / p_min.sum(axis=1, keepdims=True)).min())
    for smoothing in SMOOTHINGS:
        value, grad = torch_loss(logits, labels, smoothing, torch.float64)
        np_value, np_grad = numpy_loss(logits, labels, smoothing)
        loss_check["numpy_loss_max_rel"] = max(loss_check["numpy_loss_max_rel"], abs(value - np_value) / value)
        loss_check["closed_form_grad_max_abs"] = max(loss_check["closed_form_grad_max_abs"], max_abs(grad, np_grad))
        _, grad32 = torch_loss(logits, labels, smoothing, torch.float32)
        loss_check["float32_grad_max_rel"] = max(loss_check["float32_grad_max_rel"], max_rel(grad32, grad))
        array = "loss/smoothing_%g/dlogits" % smoothing
        writer.put(array, grad, "float32", "N,K", "d mean loss / d logits, label smoothing %g" % smoothing)
        losses.append(OrderedDict(smoothing=smoothing, loss=value, dlogits=array))
    verification["loss"] = loss_check

    verification["read_back"] = OrderedDict(arrays=writer.read_back(), bitwise_equal=True)
    manifest = OrderedDict([
        ("format", "statnn-golden-optim"),
        ("format_version", 1),
        ("seed", args.seed),
        ("count", COUNT),
        ("steps", STEPS),
        ("byte_order", "little-endian, C (row-major) order, no header"),
        ("computed_in", "float64 (PyTorch %s, CPU), stored rounded to float32" % torch.__version__),
        ("generated_by", "tests/golden/make_golden_optim.py --seed %d" % args.seed),
        ("step_convention", "t = steps already applied (0 for the first); lr_per_step[t] and grads/step<t> "
                            "belong to step t; params_after_<k> follows k steps; state is zero before step 0"),
        ("trajectories", trajectories),
        ("loss", OrderedDict([
            ("kind", "softmax-cross-entropy"),
            ("torch", "F.cross_entropy(logits, labels, label_smoothing=smoothing), mean over rows"),
            ("logits", "loss/logits"),
            ("labels", "loss/labels"),
            ("labels_drawn_by", "numpy RandomState(10 * seed + %d).randint(0, %d, %d)" % (SEED_OFFSET, NUM_CLASSES,
                                                                                          LOSS_BATCH)),
            ("cases", losses),
        ])),
        ("verification", verification),
        ("arrays", writer.entries),
    ])
    path = os.path.join(folder, "manifest.json")
    with open(path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return OrderedDict([
        ("folder", folder),
        ("bytes", writer.bytes_written() + os.path.getsize(path)),
        ("arrays", len(writer.entries)),
        ("trajectories", len(trajectories)),
        ("seconds", round(time.time() - started, 1)),
        ("verification", verification),
    ])


def main(args):
    torch.set_num_threads(args.threads)
    check_splitmix64()
    print(json.dumps(generate(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
