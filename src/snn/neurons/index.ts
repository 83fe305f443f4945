/** Built-in neuron groups (each implements NeuronGroup from ../group.ts). */
export { LifGroup, synapticKernel, type LifParams } from "./lif.js";
export { ConductanceLifGroup, type ConductanceLifMethod, type ConductanceLifParams } from "./conductance-lif.js";
export {
  IZHIKEVICH_PRESETS,
  IzhikevichGroup,
  izhikevichPreset,
  type IzhikevichMethod,
  type IzhikevichParams,
  type IzhikevichPreset,
} from "./izhikevich.js";
export { ADEX_BRETTE_GERSTNER_2005, AdexGroup, type AdexMethod, type AdexParams } from "./adex.js";
export {
  HH_SQUID,
  HodgkinHuxleyGroup,
  hhRates,
  type HodgkinHuxleyMethod,
  type HodgkinHuxleyParams,
} from "./hodgkin-huxley.js";
export { NEVER_SPIKED, refractorySteps, type IntegrationMethod } from "./common.js";
