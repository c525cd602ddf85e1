import { z } from "zod";
import { isCalendarDateTime, isCalendarDay, one, text } from "@/lib/validation";
import { KEY_SPECS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "./compat";
import { BREAK_GLASS_REASON_MIN, CONFIRMATION_REQUIRED, JUSTIFICATION_MAX, NO_BLOB } from "./limits";
import { pendingFilterFields } from "./pending-filter-schemas";
import { REQUEST_STATES } from "./states";

export { BREAK_GLASS_REASON_MIN, CONFIRMATION_REQUIRED, confirmsKey, JUSTIFICATION_MAX, NO_BLOB } from "./limits";

/**
 * The shapes of everything a person sends to the import workflow, shared by the forms (for their field
 * names and first checks) and the server actions (which parse with them before anything runs). Rules that
 * need the clock or the key (ValidTo within 365 days, a wrapping that fits the key spec) are checked again
 * by lib/imports/workflow.ts on the server's time.
 *
 * Pure (no server-only).
 */

/** An empty form field means "not given". */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
/** One value, where an empty one counts as not given. */
const optionalOne = <S extends z.ZodType>(schema: S) => one(z.preprocess(blank, schema));

export const targetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "Unknown account.");
export const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "Unknown Region.");
export const keyIdSchema = z
  .string()
  .regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/, "Not a KMS key id.");
export const requestIdSchema = z.uuid("Not an import request id.");

export const justificationSchema = text({ multiline: true, message: "Say why this is needed." })
  .trim()
  .min(10, "Say why this is needed, in at least 10 characters (approvers read it).")
  .max(JUSTIFICATION_MAX, `Keep the justification under ${JUSTIFICATION_MAX} characters.`);

export const EXPIRATION_MODELS = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"] as const;
export type ExpirationModel = (typeof EXPIRATION_MODELS)[number];
export const IMPORT_TYPES = ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

/**
 * A date (`2026-03-31`, read as 00:00 UTC, as the AWS console's date picker does) or a full ISO time, on a
 * day that exists: 2027-02-31 is refused, not rolled over into March.
 */
export const validToSchema = z
  .string()
  .trim()
  .refine((s) => isCalendarDay(s) || isCalendarDateTime(s), "Give a date that exists, such as 2026-12-31.")
  .transform((s) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s))
  .refine((d) => !Number.isNaN(d.getTime()), "Give a date such as 2026-12-31.");

export const MAX_VALID_TO_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** KMS's rule for ValidTo: in the future, at most 365 days ahead. A sentence, or null when it holds. */
export function validToProblem(validTo: Date, nowMs: number): string | null {
  if (validTo.getTime() <= nowMs) return "ValidTo must be in the future.";
  if (validTo.getTime() > nowMs + MAX_VALID_TO_DAYS * DAY_MS) return `ValidTo must be at most ${MAX_VALID_TO_DAYS} days from now.`;
  return null;
}

/** ValidTo given exactly when the material expires. */
function expirationAgrees(input: { expirationModel: ExpirationModel; validTo?: Date }, ctx: z.RefinementCtx): void {
  if (input.expirationModel === "KEY_MATERIAL_EXPIRES" && !input.validTo) {
    ctx.addIssue({ code: "custom", path: ["validTo"], message: "Give the date the key material expires (at most 365 days from now)." });
  }
  if (input.expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE" && input.validTo) {
    ctx.addIssue({ code: "custom", path: ["validTo"], message: "Key material that does not expire has no ValidTo; clear the date." });
  }
}

/** A rejection says why; an approval carries the approver's confirmation. */
function decisionComplete(input: { decision: "approve" | "reject"; comment?: string; confirmed: boolean }, ctx: z.RefinementCtx): void {
  if (input.decision === "reject" && !input.comment) {
    ctx.addIssue({ code: "custom", path: ["comment"], message: "Say why you reject it; the custodian reads this." });
  }
  if (input.decision === "approve" && !input.confirmed) {
    ctx.addIssue({ code: "custom", path: ["confirmed"], message: CONFIRMATION_REQUIRED });
  }
}

export const startImportSchema = z
  .object({
    target: one(targetIdSchema),
    region: one(regionSchema),
    keyId: one(keyIdSchema),
    /** `rotate`: NEW_KEY_MATERIAL into an enabled symmetric key, made current with RotateKeyOnDemand. */
    kind: one(z.enum(["import", "rotate"]).default("import")),
    wrappingAlgorithm: one(z.enum(WRAPPING_ALGORITHMS, "Choose a wrapping algorithm.")),
    wrappingKeySpec: one(z.enum(WRAPPING_KEY_SPECS, "Choose a wrapping key spec.")),
    importType: optionalOne(z.enum(IMPORT_TYPES).optional()),
    expirationModel: one(z.enum(EXPIRATION_MODELS, "Choose whether the key material expires.")),
    validTo: optionalOne(validToSchema.optional()),
    justification: one(justificationSchema),
  })
  .superRefine(expirationAgrees);
export type StartImportInput = z.input<typeof startImportSchema>;
export type StartImport = z.output<typeof startImportSchema>;

export const requestRefSchema = z.object({ requestId: one(requestIdSchema) });
export type RequestRef = z.output<typeof requestRefSchema>;

export const cancelRequestSchema = z.object({
  requestId: one(requestIdSchema),
  reason: optionalOne(text({ multiline: true }).trim().max(JUSTIFICATION_MAX, `Keep the reason under ${JUSTIFICATION_MAX} characters.`).optional()),
});

/** KMS's limit for EncryptedKeyMaterial (and the largest RSA_AES blob of an RSA_4096 key is far below it). */
export const MAX_BLOB_BYTES = 6144;

export const uploadBlobSchema = z.object({
  requestId: one(requestIdSchema),
  file: z
    .instanceof(Blob, { message: "Choose the EncryptedKeyMaterial.bin file to upload." })
    .refine((f) => f.size > 0, "The file is empty.")
    .refine((f) => f.size <= MAX_BLOB_BYTES, `The file is larger than ${MAX_BLOB_BYTES.toLocaleString("en")} bytes, the most KMS accepts.`),
});

export const COMMENT_MAX = 1000;

/**
 * The box an approver ticks before approving, word for word as the page shows it; the audit event of the
 * approval records the same words, so the trail says what the approver confirmed.
 */
export function approvalConfirmation(kind: "import" | "rotate" | "delete_material"): string {
  return kind === "delete_material"
    ? "I confirmed with the requester, outside Keyport, that this key material is to be deleted."
    : "I compared the SHA-256 of the uploaded blob with the uploader, outside Keyport (by phone or in person), and they match.";
}

export const BLOB_UNREVIEWED = "The decision must name the SHA-256 of the blob you reviewed. Reload the request, compare the SHA-256 with the uploader and decide again.";

const checkbox = (value: unknown) => value === true || value === "on" || value === "true";

export const decisionSchema = z
  .object({
    requestId: one(requestIdSchema),
    decision: one(z.enum(["approve", "reject"])),
    comment: optionalOne(text({ multiline: true }).trim().max(COMMENT_MAX, `Keep the comment under ${COMMENT_MAX} characters.`).optional()),
    /**
     * The SHA-256 of the blob the approver reviewed (NO_BLOB for a deletion). Required: the server refuses
     * the decision unless it names the current blob, so nobody decides on bytes they did not look at.
     */
    blobSha256: optionalOne(z.union([z.string().regex(/^[0-9a-f]{64}$/), z.literal(NO_BLOB)], BLOB_UNREVIEWED)),
    /** The approver ticked approvalConfirmation(kind). Required to approve. */
    confirmed: one(z.preprocess(checkbox, z.boolean())),
  })
  .superRefine(decisionComplete);
export type DecisionInput = z.input<typeof decisionSchema>;
export type Decision = z.output<typeof decisionSchema>;

export const requestDeletionSchema = z.object({
  target: one(targetIdSchema),
  region: one(regionSchema),
  keyId: one(keyIdSchema),
  justification: one(justificationSchema),
});

/**
 * Break glass: deleting a key's material with no second person. The reason is what everyone reads afterwards
 * (the trail, the notification), so it must say something; the typed confirmation is checked against the key on
 * the server (`confirmsKey`), as serious tools make one type the name of what they destroy.
 */
export const breakGlassSchema = z.object({
  target: one(targetIdSchema),
  region: one(regionSchema),
  keyId: one(keyIdSchema),
  reason: one(
    text({ multiline: true, message: "Say why the material must go now." })
      .trim()
      .min(BREAK_GLASS_REASON_MIN, `Say why the material must go now, in at least ${BREAK_GLASS_REASON_MIN} characters: everyone notified reads it.`)
      .max(JUSTIFICATION_MAX, `Keep the reason under ${JUSTIFICATION_MAX} characters.`),
  ),
  confirmation: one(text({ message: "Type the key id or its alias." }).trim().min(1, "Type the key id or its alias to confirm.").max(300, "Type the key id or its alias to confirm.")),
});
export type BreakGlassInput = z.output<typeof breakGlassSchema>;

export const DOWNLOAD_FILES = ["WrappingPublicKey.bin", "WrappingPublicKey.pem", "ImportToken.bin", "ImportParameters.zip"] as const;
export type DownloadFile = (typeof DOWNLOAD_FILES)[number];

/** The segments of /api/imports/[id]/files/[file]. */
export const downloadParamsSchema = z.object({ id: requestIdSchema, file: z.enum(DOWNLOAD_FILES) });

/** /imports?view=…&state=… — malformed values fall back to the default view. */
export const importsQuerySchema = z.object({
  view: one(z.enum(["pending", "all"])).catch("pending"),
  state: one(z.enum(REQUEST_STATES).optional()).catch(undefined),
  // The pending view's list, filters and page (./pending-filters.ts).
  ...pendingFilterFields,
});
export type ImportsQuery = z.output<typeof importsQuerySchema>;

/** /approvals?page=… — a malformed page opens the first. */
export const approvalsQuerySchema = z.object({ page: pendingFilterFields.page });

export const keySpecSchema = z.enum(KEY_SPECS);

// --- multi-Region import sessions ---------------------------------------------------------------------------

export const sessionIdSchema = z.uuid("Not an import session id.");

/** A multi-Region import: the Regions chosen, and one set of choices for all of them. */
export const startSessionSchema = z
  .object({
    target: one(targetIdSchema),
    keyId: one(keyIdSchema),
    regions: z.array(regionSchema, "Choose the Regions to import into.").min(1, "Choose at least one Region.").max(32, "Choose at most 32 Regions."),
    wrappingAlgorithm: one(z.enum(WRAPPING_ALGORITHMS, "Choose a wrapping algorithm.")),
    wrappingKeySpec: one(z.enum(WRAPPING_KEY_SPECS, "Choose a wrapping key spec.")),
    expirationModel: one(z.enum(EXPIRATION_MODELS, "Choose whether the key material expires.")),
    validTo: optionalOne(validToSchema.optional()),
    justification: one(justificationSchema),
  })
  .superRefine(expirationAgrees);

/** One decision for every open Region of a session, naming the blob reviewed for each (by request id). */
export const sessionDecisionSchema = z
  .object({
    sessionId: one(sessionIdSchema),
    decision: one(z.enum(["approve", "reject"])),
    comment: optionalOne(text({ multiline: true }).trim().max(COMMENT_MAX, `Keep the comment under ${COMMENT_MAX} characters.`).optional()),
    blobs: z.record(requestIdSchema, z.string().regex(/^[0-9a-f]{64}$/, BLOB_UNREVIEWED)).refine((b) => Object.keys(b).length >= 1, BLOB_UNREVIEWED)
      .refine((b) => Object.keys(b).length <= 32, "A session has at most 32 Regions."),
    confirmed: one(z.preprocess(checkbox, z.boolean())),
  })
  .superRefine(decisionComplete);

export const sessionRefSchema = z.object({ sessionId: one(sessionIdSchema) });
