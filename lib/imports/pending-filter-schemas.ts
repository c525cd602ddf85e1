import { z } from "zod";
import { one, text } from "@/lib/validation";
import { EXPIRY_BUCKETS, PENDING_LISTS, REQUEST_GROUPS } from "./pending-filters";

/** How the page and the export read the pending view's filters (./pending-filters) from a URL. */

const TARGET = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

// Lenient for the page: a malformed or repeated value is dropped, never a 500; a stale bookmark still opens.
const lenient = <S extends z.ZodType>(schema: S) => one(schema.optional()).catch(undefined);
export const pendingFilterFields = {
  list: lenient(z.enum(PENDING_LISTS)),
  target: lenient(z.string().regex(TARGET)),
  region: lenient(z.string().regex(REGION)),
  q: one(text().trim().max(200).optional())
    .catch(undefined)
    .transform((v) => (v ? v : undefined)),
  expiry: lenient(z.enum(EXPIRY_BUCKETS)),
  page: one(z.coerce.number().int().min(1).max(100_000)).catch(1),
};

/** The same filters for an export, strict: a file must hold what was asked for, or the request is refused. */
export const pendingExportFilterFields = {
  target: one(z.string().regex(TARGET, "target must be an account id from the configuration").optional()),
  region: one(z.string().regex(REGION, "region must be an AWS Region name such as eu-west-1").optional()),
  q: one(text().trim().max(200, "q must be at most 200 characters").optional()).transform((v) => (v ? v : undefined)),
  expiry: one(z.enum(EXPIRY_BUCKETS, `expiry must be one of ${EXPIRY_BUCKETS.join(", ")}`).optional()),
  group: one(z.enum(REQUEST_GROUPS, `group must be one of ${REQUEST_GROUPS.join(", ")}`).optional()),
};
