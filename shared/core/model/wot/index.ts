/** W3C Web of Things: Thing Description export and TD / Thing Model import of device models. */
export * from './export';
export * from './import';
export * from './vocabulary';
