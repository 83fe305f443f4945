"""The Diehl & Cook (2015) network in Brian2, built from the model description
(see diehl_cook.py for the equations and parameters), shared by the timing
script (diehl_cook.py) and the accuracy comparison (diehl_cook_parity.py).

Learning is switched by three shared variables, so that one compiled network
serves training and testing: `eta_dep`, `eta_pot` (STDP rates; 0 at test),
`theta_plus` (threshold increase per spike; 0 at test) and `learn_theta`
(1: theta decays with tau 1e7 ms; 0: frozen).
"""
from brian2 import (ms, mV, Hz, NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network)
import numpy as np

EXC_EQS = """
dv/dt = ((-65*mV - v) + ge*(0*mV - v) + gi*(-100*mV - v)) / (100*ms) : volt (unless refractory)
dge/dt = -ge / (1*ms) : 1
dgi/dt = -gi / (2*ms) : 1
dtheta/dt = -learn_theta * theta / (1e7*ms) : volt
theta_plus : volt (shared)
learn_theta : 1 (shared)
"""
INH_EQS = """
dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-85*mV - v)) / (10*ms) : volt (unless refractory)
dge/dt = -ge / (1*ms) : 1
dgi/dt = -gi / (2*ms) : 1
"""
STDP_MODEL = """
w : 1
eta_dep : 1 (shared)
eta_pot : 1 (shared)
dpre/dt = -pre / (20*ms) : 1 (event-driven)
dpost1/dt = -post1 / (20*ms) : 1 (event-driven)
dpost2/dt = -post2 / (40*ms) : 1 (event-driven)
"""
STDP_PRE = """
ge_post += w
pre = 1.
w = clip(w - eta_dep * post1, 0, 1)
"""
STDP_POST = """
w = clip(w + eta_pot * pre * post2, 0, 1)
post1 = 1.
post2 = 1.
"""


def build(n, rng, method="euler"):
    """Returns (net, inputs, exc, stdp, spikes) with N excitatory neurons,
    initial weights (U[0,1) + 0.01) * 0.3 from `rng`, learning on."""
    inputs = PoissonGroup(784, rates=np.zeros(784) * Hz)
    exc = NeuronGroup(n, EXC_EQS, threshold="v > -52*mV + theta", reset="v = -65*mV; theta += theta_plus",
                      refractory=5 * ms, method=method)
    inh = NeuronGroup(n, INH_EQS, threshold="v > -40*mV", reset="v = -45*mV", refractory=2 * ms, method=method)
    exc.v = -105 * mV
    inh.v = -100 * mV
    exc.theta_plus = 0.05 * mV
    exc.learn_theta = 1
    stdp = Synapses(inputs, exc, STDP_MODEL, on_pre=STDP_PRE, on_post=STDP_POST)
    stdp.connect()
    stdp.w = (rng.random(784 * n) + 0.01) * 0.3
    stdp.eta_dep = 1e-4
    stdp.eta_pot = 1e-2
    e2i = Synapses(exc, inh, on_pre="ge_post += 10.4")
    e2i.connect(j="i")
    i2e = Synapses(inh, exc, on_pre="gi_post += 17")
    i2e.connect(condition="i != j")
    spikes = SpikeMonitor(exc)
    net = Network(inputs, exc, inh, stdp, e2i, i2e, spikes)
    return net, inputs, exc, stdp, spikes
