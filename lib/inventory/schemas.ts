import { z } from "zod";
import { one, text } from "@/lib/validation";
import { AGE_BUCKETS } from "./key-age";
import { SORTABLE } from "./sort";

export { keysQueryString } from "./query-string";

/**
 * The /keys page state as it lives in the URL. Anything malformed falls back to
 * the default instead of failing: a stale bookmark should still open the page.
 */
// Repeated parameters and control characters count as malformed too: the filter is dropped, never half-applied.
const optionalText = (max: number) =>
  one(text().trim().max(max).optional())
    .catch(undefined)
    .transform((v) => (v ? v : undefined));

/** Every KeyState KMS reports. A new multi-Region replica answers Creating until KMS has made it. */
export const KEY_STATES = ["PendingImport", "Enabled", "Disabled", "PendingDeletion", "PendingReplicaDeletion", "Creating", "Updating", "Unavailable"] as const;

export const keysQuerySchema = z.object({
  target: optionalText(63),
  region: one(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/).optional()).catch(undefined),
  state: one(z.enum(KEY_STATES).optional()).catch(undefined),
  spec: one(z.string().regex(/^[A-Z0-9_]{3,32}$/).optional()).catch(undefined),
  q: optionalText(200),
  expiring: one(z.literal("1").optional()).catch(undefined),
  sort: one(z.enum(SORTABLE)).catch("alias"),
  dir: one(z.enum(["asc", "desc"])).catch("asc"),
  page: one(z.coerce.number().int().min(1).max(100_000)).catch(1),
});

export type KeysQuery = z.infer<typeof keysQuerySchema>;

/** The segments of /keys/[target]/[region]/[keyId]: anything else is a 404. */
export const keyParamsSchema = z.object({
  target: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/),
  // A key id is a UUID, or mrk- followed by 32 hex digits for multi-Region keys.
  keyId: z.string().regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/),
});
export type KeyParams = z.infer<typeof keyParamsSchema>;

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The key-age report's state in the URL (/reports/key-age): lenient like /keys, a stale bookmark still opens. */
export const keyAgeQuerySchema = z.object({
  target: optionalText(63),
  region: one(z.string().regex(REGION_NAME).optional()).catch(undefined),
  age: one(z.enum(AGE_BUCKETS).optional()).catch(undefined),
  q: optionalText(200),
  page: one(z.coerce.number().int().min(1).max(100_000)).catch(1),
});
export type KeyAgeQuery = z.infer<typeof keyAgeQuerySchema>;

/** The same filters for the CSV export, strict: a file must hold what was asked for, or the request is refused. */
export const keyAgeExportQuerySchema = z
  .object({
    target: one(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be an account id from the configuration").optional()),
    region: one(z.string().regex(REGION_NAME, "must be an AWS Region name such as eu-west-1").optional()),
    age: one(z.enum(AGE_BUCKETS, `must be one of ${AGE_BUCKETS.join(", ")}`).optional()),
    q: one(text().trim().max(200, "must be at most 200 characters").optional()),
  })
  .strict();

export function keyAgeQueryString(query: Partial<KeyAgeQuery>): string {
  const params = new URLSearchParams();
  if (query.target) params.set("target", query.target);
  if (query.region) params.set("region", query.region);
  if (query.age) params.set("age", query.age);
  if (query.q) params.set("q", query.q);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  const s = params.toString();
  return s ? `?${s}` : "";
}
