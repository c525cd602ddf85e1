import "server-only";
import type { Db } from "@/lib/db";
import * as importQueries from "@/lib/imports/queries";
import { TOKEN_STATES, onlyRotationLeft } from "@/lib/imports/states";
import { listExternalKeys } from "@/lib/inventory/queries";
import { notifyMaterialExpiring, notifyParametersExpiring } from "./triggers";

/**
 * The notices nothing else causes, found by the sender's periodic pass: import parameters of an open request
 * that expire within the hour (once per parameter set), and key material whose ValidTo falls within the warning
 * window (KEYPORT_EXPIRY_WARNING_DAYS; once a day per key). The outbox's dedupe keys make a second look, from
 * this instance or another, write nothing new.
 */

export const PARAMETERS_NOTICE_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_KEYS = 500;

export async function enqueueExpiring(db: Db, at: Date, warningDays: number): Promise<{ parameters: number; material: number }> {
  const requests = await importQueries.parametersExpiringWithin(db, at, new Date(at.getTime() + PARAMETERS_NOTICE_MS), TOKEN_STATES);
  // A rotation whose import already succeeded has no use for its token: only its rotation is left.
  const open = requests.filter((req) => req.parameterSetId && req.parametersValidTo && !onlyRotationLeft(req.kind, req.keyMaterialId));
  for (const req of open) {
    await db.transaction((tx) => notifyParametersExpiring(tx, req, { id: req.parameterSetId!, validTo: req.parametersValidTo! }, at));
  }

  const { rows } = await listExternalKeys(
    db,
    { state: "Enabled", expiringBefore: new Date(at.getTime() + warningDays * DAY_MS) },
    { sort: "validTo", direction: "asc", page: 1, pageSize: MAX_KEYS },
  );
  const keys = rows.filter((key): key is typeof key & { validTo: Date } => !!key.validTo && key.validTo.getTime() > at.getTime());
  for (const key of keys) {
    await db.transaction((tx) => notifyMaterialExpiring(tx, { ...key, alias: key.aliases[0] ?? null }, at));
  }
  return { parameters: open.length, material: keys.length };
}
