/** The package file formats published as JSON Schemas in resources/schemas (by scripts/gen-schemas.mjs). */
import { Manifest, ManifestSignature } from './manifest';

/** Schema name → TypeBox schema; each becomes resources/schemas/<name>.schema.json. */
export const publishedPackageSchemas = {
  'package-manifest': Manifest,
  'package-signature': ManifestSignature,
};
