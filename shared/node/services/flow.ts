import type { FieldgraphServices } from '../../core/api';
import { catalogEntries } from '../../core/flow/catalog';
import type { RoleInScope } from '../../core/flow/scope';
import { validateFlow } from '../../core/flow/validate';

/** The `flow` area: validation runs in shared/core, so the renderer may also call it directly. */
export const createFlowService = (): FieldgraphServices['flow'] => ({
  validate: ({ flow, roles, flowIds }) =>
    validateFlow(flow, roles as unknown as RoleInScope[], flowIds ? { flowIds } : {}),
});

/** The `catalog` area: built once, the catalog does not change while the app runs. */
export const createCatalogService = (): FieldgraphServices['catalog'] => {
  let entries: ReturnType<typeof catalogEntries> | undefined;
  return { list: () => (entries ??= catalogEntries()) };
};
