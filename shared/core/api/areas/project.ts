import { Type } from '@sinclair/typebox';
import { defineEvent, defineMethod } from '../contract';

/** One entry of the recent-projects list on the start page. */
export const RecentProject = Type.Object({
  path: Type.String(),
  name: Type.String(),
  openedAt: Type.String({ description: 'ISO 8601 time the project was last opened' }),
});

/** The `project` area; the project store fills in open/save/… (Device model issue). */
export const projectMethods = {
  recent: defineMethod(Type.Object({}), Type.Array(RecentProject), 'Recently opened projects, newest first.'),
};

/** Project events. */
export const projectEvents = {
  onProjectChanged: defineEvent(
    Type.Object({ path: Type.Union([Type.String(), Type.Null()]), dirty: Type.Boolean() }),
    'The open project changed (opened, edited, saved or closed).',
  ),
};
