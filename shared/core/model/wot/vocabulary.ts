/**
 * The JSON-LD terms Fieldgraph uses in Thing Descriptions: the W3C TD 1.1 context, the MQTT
 * binding (`mqv:`), the HTTP vocabulary (`htv:`), and our own `fg:` terms for what the
 * standard vocabularies cannot say (payload templates, value paths, RPC envelopes, mappings).
 */

/** The TD 1.1 context URI. */
export const TD_CONTEXT_V11 = 'https://www.w3.org/2022/wot/td/v1.1';
/** The TD 1.0 context URI, accepted on import. */
export const TD_CONTEXT_V1 = 'https://www.w3.org/2019/wot/td/v1';
/** Prefix of the MQTT binding vocabulary, as the binding templates' examples use it. */
export const MQV = 'http://www.example.org/mqtt-binding#';
/** Prefix of the HTTP vocabulary. */
export const HTV = 'http://www.w3.org/2011/http#';
/** Prefix of Fieldgraph's own terms. */
export const FG = 'https://fieldgraph.invalid/ns/wot#';

/**
 * The context URI the current W3C TD validation schema requires first (the TD working
 * draft's experimental namespace); exports list it before the 1.1 URI so both the schema and
 * TD 1.1 consumers accept them.
 */
export const TD_CONTEXT_NEXT = 'https://www.w3.org/ns/wot-next/td';

/** The `@context` of every exported TD. */
export const exportContext = [TD_CONTEXT_NEXT, TD_CONTEXT_V11, { mqv: MQV, htv: HTV, fg: FG }];
