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
            layers += [nn.Flatten(), nn.Linear(c * h * h, layer["units"])]
            c, h = layer["units"], 1
    return nn.Sequential(*layers)
