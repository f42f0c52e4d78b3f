// Bundled by test/bench/project.mjs: the project store and the library validation, as the app uses them.
export { createModelValidation } from '../../shared/core/project';
export { loadLibrary } from '../../shared/node/library/load';
export { createProjectStore, createRecoveryArea } from '../../shared/node/project';
