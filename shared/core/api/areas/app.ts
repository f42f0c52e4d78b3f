import { Type } from '@sinclair/typebox';
import { defineMethod } from '../contract';

/** Facts about the running app, for the About panel and diagnostics. */
export const AppInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  runtime: Type.Union([Type.Literal('electron'), Type.Literal('web')]),
  node: Type.String(),
  electron: Type.Optional(Type.String()),
  platform: Type.String(),
  dataDir: Type.String(),
});

/** The `app` area: the shell itself. */
export const appMethods = {
  info: defineMethod(Type.Object({}), AppInfo, 'Name, version and runtime of the running app.'),
  ping: defineMethod(
    Type.Object({ echo: Type.String({ maxLength: 1024 }) }),
    Type.Object({ echo: Type.String(), at: Type.Number() }),
    'Echoes a string with the server time; used to check the connection.',
  ),
};
