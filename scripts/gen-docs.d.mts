/** The marker lines around the generated part of docs/gateway-protocol.md. */
export declare const BEGIN: string;
export declare const END: string;
/** The Markdown reference of every gateway RPC method, sorted by name. */
export declare const renderGatewayMethods: (methods: Record<string, unknown>) => string;
/** The page with its generated part replaced. */
export declare const withGeneratedPart: (page: string, generated: string) => string;
