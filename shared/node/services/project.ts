import type { FieldgraphServices } from '../../core/api';
import { createRecentStore } from '../stores/recent';
import type { ServiceContext } from './context';

/** The `project` area. */
export const createProjectService = (ctx: ServiceContext): FieldgraphServices['project'] => {
  const recent = createRecentStore(ctx.dataDir);
  return {
    recent: () => recent.list(),
  };
};
