/** Neuron models written as equations (Brian2 style), compiled once to JavaScript. */
export { EquationGroup } from "./equation-group.js";
export { parseModel, FUNCTIONS, type EquationMethod, type EquationModelConfig, type ParsedModel } from "./model.js";
export { compileModel, type CompiledModel } from "./compile.js";
