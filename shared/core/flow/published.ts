/** The flow-area file formats published as JSON Schemas in resources/schemas (by scripts/gen-schemas.mjs). */
import { RunTrace } from '../engine/trace';
import { Flow } from './schema';

/** Schema name → TypeBox schema; each becomes resources/schemas/<name>.schema.json. */
export const publishedFlowSchemas = { flow: Flow, trace: RunTrace };
