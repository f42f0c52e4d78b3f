/** The device model: schemas and types of capabilities, device models, mappings, devices, roles, sites and projects. */
export * from './schemas';
