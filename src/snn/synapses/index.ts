export { SynapseMatrix } from "./csr.js";
export { connect, explicitOrder, type ConnectRule, type ConnectOptions, type CsrStructure } from "./connect.js";
export { initWeights, initDelays, type WeightSpec, type DelaySpec } from "./init.js";
export { Synapses, buildMatrix, type SpikeSource, type SynapsesConfig } from "./synapses.js";
