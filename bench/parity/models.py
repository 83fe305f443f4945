"""The reference networks of the parity harness, in plain PyTorch, built the
way each framework builds them by default (torch.nn's own initialisation).

snnTorch's `Leaky` neuron is reproduced in a few lines (checked against
snnTorch 0.9.4, commit 634fc22, snntorch/_neurons/leaky.py and neurons.py,
snntorch/surrogate.py, snntorch/functional/loss.py):

  reset  = H(mem[t-1] - threshold), detached      (SpikingNeuron.mem_reset)
  mem[t] = beta * mem[t-1] + input[t] - reset * threshold   (Leaky._base_sub;
           reset_delay=True, the default: the membrane is not reset again
           after this step's spike)
  spk[t] = H(mem[t] - threshold), H(0) = 0        (FastSigmoid.forward: input_ > 0)
  dspk/dmem = 1 / (slope * |mem - threshold| + 1)^2 (FastSigmoid.backward)

with mem[-1] = 0 (Leaky.reset_mem / init_leaky), and `ce_count_loss`:
log_softmax of the spike counts summed over steps, then NLLLoss with
reduction "mean" over the batch.
"""
import numpy as np
import torch
from torch import nn


class FastSigmoidSpike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return (x > 0).float()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (ctx.slope * torch.abs(x) + 1.0) ** 2, None


class Leaky(nn.Module):
    """snnTorch's Leaky with reset by subtraction and its defaults (threshold 1, reset_delay)."""

    def __init__(self, beta, threshold=1.0, slope=25.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold
        self.slope = slope

    def forward(self, cur, mem):
        reset = (mem - self.threshold > 0).float().detach()
        mem = self.beta * mem + cur - reset * self.threshold
        spk = FastSigmoidSpike.apply(mem - self.threshold, self.slope)
        return spk, mem


class SurrogateNet(nn.Module):
    """snnTorch tutorial 5's network: Linear -> Leaky per layer, direct input every step."""

    def __init__(self, sizes, steps, beta, threshold, slope):
        super().__init__()
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.lifs = nn.ModuleList(Leaky(beta, threshold, slope) for _ in sizes[1:])
        self.steps = steps

    def forward(self, x):
        # The input is the same every step, so fc1(x) is computed once (same maths as per step).
        cur0 = self.fcs[0](x)
        mems = [torch.zeros(x.shape[0], fc.out_features) for fc in self.fcs]
        spk_rec, mem_rec = [], []
        for _ in range(self.steps):
            h = cur0
            for k, (fc, lif) in enumerate(zip(self.fcs, self.lifs)):
                cur = h if k == 0 else fc(h)
                h, mems[k] = lif(cur, mems[k])
            spk_rec.append(h)
            mem_rec.append(mems[-1])
        return torch.stack(spk_rec), torch.stack(mem_rec)


def ce_count_loss(spk_out, targets):
    """snnTorch's SF.ce_count_loss(): cross-entropy of the spike counts, mean over the batch."""
    return nn.functional.nll_loss(nn.functional.log_softmax(spk_out.sum(0), dim=-1), targets)


class RowRnn(nn.Module):
    """nn.LSTM / nn.GRU / nn.RNN (tanh) over the 28 rows, then nn.Linear on the last hidden state."""

    def __init__(self, cell, features, hidden, classes):
        super().__init__()
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = kind(features, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


def activation(name):
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[name]()


def mlp(spec):
    layers, size = [], 784
    for units in spec["hidden"]:
        layers += [nn.Linear(size, units), activation(spec["activation"])]
        size = units
    layers.append(nn.Linear(size, 10))
    return nn.Sequential(*layers)


def cnn(spec):
    """conv / maxpool / dense layers as our cnn learner's list (valid padding, stride 1)."""
    layers, c, h = [], 1, 28
    for layer in spec["layers"]:
        if layer["type"] == "conv":
            layers += [nn.Conv2d(c, layer["filters"], layer["kernel"]), activation(layer["activation"])]
            c, h = layer["filters"], h - layer["kernel"] + 1
        elif layer["type"] == "maxpool":
            layers.append(nn.MaxPool2d(layer["size"]))
            h //= layer["size"]
        elif layer["type"] == "dense":
            fc = nn.Linear(c * h * h, layer["units"])
            fc.feature_map = (c, h, h)  # what it reads, for our channel-last layout
            layers += [nn.Flatten(), fc]
            c, h = layer["units"], 1
    return nn.Sequential(*layers)


def _linear_to_ours(fc, t):
    """A Linear weight [out x in] as our Dense weight [in x out]; after a feature map,
    our input order is channel-last (y, x, c) where torch flattens (c, y, x)."""
    if hasattr(fc, "feature_map"):
        c, h, w = fc.feature_map
        return t.reshape(t.shape[0], c, h, w).permute(2, 3, 1, 0).reshape(c * h * w, t.shape[0])
    return t.T


def _linear_from_ours(fc, v):
    out, n_in = fc.weight.shape
    v = v.reshape(n_in, out)
    if hasattr(fc, "feature_map"):
        c, h, w = fc.feature_map
        return v.reshape(h, w, c, out).permute(3, 2, 0, 1).reshape(out, n_in)
    return v.T


def our_layout(kind, model):
    """The model's parameters in our learner's order, each as (tensor, to_ours, from_ours):
    to_ours maps a tensor of the parameter's shape (the value or its gradient) to our
    layout, from_ours maps our flat values back. Our layouts: Dense and LIF weights
    [in x out]; convolution weights [(ky, kx, c) x filters]; a recurrent cell's fused
    [W_x; W_h] [(features + hidden) x gates*hidden] in PyTorch's gate order, then its
    input-side bias, then b_hh (LSTM, RNN) or the GRU's hidden-side bias."""
    out = []
    if kind == "rnn":
        r = model.rnn
        gates = r.weight_ih_l0.shape[0]
        fh = r.input_size + r.hidden_size
        features = r.input_size
        out.append(((r.weight_ih_l0, r.weight_hh_l0),
                    lambda ts: torch.cat([ts[0].T, ts[1].T], 0),
                    lambda v: (v.reshape(fh, gates)[:features].T, v.reshape(fh, gates)[features:].T)))
        out.append((r.bias_ih_l0, lambda t: t, lambda v: v))
        out.append((r.bias_hh_l0, lambda t: t, lambda v: v))
        fcs = [model.fc]
    else:
        fcs = []
        modules = model.fcs if kind == "surrogate" else list(model)
        for m in modules:
            if isinstance(m, nn.Conv2d):
                f, c, kh, kw = m.weight.shape
                out.append((m.weight, lambda t, f=f, c=c, kh=kh, kw=kw: t.permute(2, 3, 1, 0).reshape(kh * kw * c, f),
                            lambda v, f=f, c=c, kh=kh, kw=kw: v.reshape(kh, kw, c, f).permute(3, 2, 0, 1)))
                out.append((m.bias, lambda t: t, lambda v: v))
            elif isinstance(m, nn.Linear):
                out.append((m.weight, lambda t, m=m: _linear_to_ours(m, t), lambda v, m=m: _linear_from_ours(m, v)))
                out.append((m.bias, lambda t: t, lambda v: v))
    for fc in fcs:
        out.append((fc.weight, lambda t, fc=fc: _linear_to_ours(fc, t), lambda v, fc=fc: _linear_from_ours(fc, v)))
        out.append((fc.bias, lambda t: t, lambda v: v))
    return out


def _tensors(p):
    return p if isinstance(p, tuple) else (p,)


def load_ours(kind, model, values, lengths):
    """Sets the model's parameters from our flat values (lengths: each parameter's count, our order)."""
    layout = our_layout(kind, model)
    if len(layout) != len(lengths):
        raise ValueError(f"{len(lengths)} parameters given, the reference model has {len(layout)}")
    off = 0
    with torch.no_grad():
        for (p, _, from_ours), n in zip(layout, lengths):
            ts = _tensors(p)
            if n != sum(t.numel() for t in ts):
                raise ValueError(f"a parameter of {n} values where the reference has {sum(t.numel() for t in ts)}")
            got = from_ours(torch.from_numpy(values[off:off + n].copy()))
            for t, v in zip(ts, _tensors(got)):
                t.copy_(v.reshape(t.shape))
            off += n


def _flat_ours(kind, model, pick):
    parts = []
    for p, to_ours, _ in our_layout(kind, model):
        v = to_ours(tuple(pick(t) for t in p)) if isinstance(p, tuple) else to_ours(pick(p))
        parts.append(v.reshape(-1).detach().numpy())
    return np.concatenate(parts)


def grads_ours(kind, model):
    """The model's gradients, flattened in our order and layout."""
    return _flat_ours(kind, model, lambda t: t.grad)


def params_ours(kind, model):
    """The model's parameters, flattened in our order and layout."""
    return _flat_ours(kind, model, lambda t: t.data)
