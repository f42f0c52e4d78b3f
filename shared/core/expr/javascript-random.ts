/**
 * `jsRandom(n)`: JavaScript's Math.random() for flows converted from Node-RED function code, a
 * uniform double in [0, 1) drawn by the gateway's JavaScript engine each time it is evaluated,
 * as the function node drew it. The int argument only tells the draws of one converted function
 * apart (the importer checks each appears once, so no draw is read twice); it is ignored here.
 */
import type { Environment } from '@marcbachmann/cel-js';

/** The environment with jsRandom(int) registered. */
export const withJavaScriptRandom = (env: Environment): Environment =>
  env.registerFunction('jsRandom(int): double', () => Math.random());
