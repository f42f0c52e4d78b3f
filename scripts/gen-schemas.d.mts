/** Plain JSON Schema (draft-07) of one TypeBox schema, nested `$id`s hoisted into `definitions`. */
export declare const renderSchema: (name: string, schema: unknown) => Record<string, unknown>;
/** File name → file text for every published schema. */
export declare const renderSchemas: (published: Record<string, unknown>) => Record<string, string>;
