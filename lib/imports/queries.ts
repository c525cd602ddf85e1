import "server-only";

/**
 * The only code that reads or writes the import tables (import_requests, parameter_sets, wrapped_blobs,
 * approvals), one module per part, gathered here because the workflow reads them as one `queries` namespace.
 * Every read selects explicit columns; the sealed import token and wrapped blob are selected only by the two
 * functions named for them (./parameters-and-blobs.ts), so nothing else can leak them by accident.
 */

export type { Q, RequestRow } from "./request-rows";
export * from "./requests";
export * from "./transitions";
export * from "./parameters-and-blobs";
export * from "./approvals";
export * from "./request-lists";
