/** The flow engine's public surface: create it over its ports, deploy flows, deliver events, read traces. */
export { createEngine, FlowEngine, FlowDeployError, type DeployProblem, type FlowStats } from './engine';
export type * from './ports';
export * from './trace';
export * from './live';
export * from './trace-query';
