/**
 * The project folder format, platform-free: layout, stable serialisation, schema versions and
 * migrations, secret references, and loading a whole project with located problems. The Node
 * store (shared/node/project) does the file I/O around it.
 */
export * from './layout';
export * from './load';
export * from './migrations';
export * from './problems';
export * from './secret-ref';
export * from './serialize';
export * from './model-validators';
export * from './json-position';
export * from './patch';
