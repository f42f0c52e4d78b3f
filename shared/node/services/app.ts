import type { FieldgraphServices } from '../../core/api';
import { appVersion } from '../paths';
import type { ServiceContext } from './context';

/** The `app` area. */
export const createAppService = (ctx: ServiceContext): FieldgraphServices['app'] => ({
  info: () => ({
    name: 'Fieldgraph',
    version: appVersion,
    runtime: ctx.runtime,
    node: process.versions.node,
    ...(ctx.electronVersion ? { electron: ctx.electronVersion } : {}),
    platform: `${process.platform}-${process.arch}`,
    dataDir: ctx.dataDir,
  }),
  ping: ({ echo }) => ({ echo, at: Date.now() }),
});
