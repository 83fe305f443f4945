export { PoissonGroup } from "./poisson.js";
export { SpikeGeneratorGroup } from "./spike-generator.js";
export { CurrentInput, type CurrentConfig } from "./current.js";
export {
  rateCode,
  latencyCode,
  type RateCodeOptions,
  type LatencyCodeOptions,
  type LatencyForm,
  type SpikeList,
} from "./encoders.js";
export { Xorshift128, UINT32_TO_UNIT } from "../../core/xorshift.js";
