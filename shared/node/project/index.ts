/** The project folder store and its file guards (Node); the format itself is shared/core/project. */
export * from './atomic';
export * from './open';
export * from './read-folder';
export * from './recovery';
export * from './store';
