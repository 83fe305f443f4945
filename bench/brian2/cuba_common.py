"""CUBA (Vogels & Abbott 2005) as in Brian2's examples/CUBA.py and
src/snn/cuba.ts, with N scalable at a fixed expected in-degree of 80
(p = 80 / N; 0.02 at N = 4000). Shared by the standalone and runtime scripts;
written for this project, not copied from Brian2's example."""

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, ms, mV, second,
                    seed as brian_seed)


def build_cuba(n, rng_seed):
    """Returns (group, excitatory synapses, inhibitory synapses, spike monitor)."""
    brian_seed(rng_seed)
    n_exc = int(round(0.8 * n))
    p = min(1.0, 80.0 / n)
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms,
              Vt=-50 * mV, Vr=-60 * mV, El=-49 * mV,
              we=1.62 * mV, wi=-9 * mV, n_exc=n_exc)
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    group = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr",
                        refractory=5 * ms, method="exact", namespace=ns)
    group.v = "Vr + rand() * (Vt - Vr)"
    group.ge = 0 * mV
    group.gi = 0 * mV
    exc = Synapses(group, group, on_pre="ge += we", namespace=ns)
    inh = Synapses(group, group, on_pre="gi += wi", namespace=ns)
    exc.connect("i < n_exc", p=p)
    inh.connect("i >= n_exc", p=p)
    spikes = SpikeMonitor(group)
    return group, exc, inh, spikes


def duration(seconds):
    return seconds * second
