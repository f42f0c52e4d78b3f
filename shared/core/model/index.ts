/**
 * The device model: schemas and types of capabilities, device models, mappings, devices, roles,
 * sites and projects; the catalog, validators, resolver and binding runtime over them.
 */
export * from './schemas';
export * from './catalog';
export * from './mapping';
export * from './template';
export * from './binding';
export * from './observe';
export * from './problems';
export * from './validate';
export * from './resolver';
export * from './discovery';
export * from './entities';
export * from './provides';
export * from './ha-template';
