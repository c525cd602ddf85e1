import { z } from "zod";
import { ROLES, type Role } from "./roles";

/**
 * The shape of Keyport's configuration. Pure: no `process.env`, no files.
 * `load.ts` feeds it and turns its issues into one message a person can act on.
 */

export { ROLES, type Role } from "./roles";

export const MODES = ["demo", "production"] as const;
export type Mode = (typeof MODES)[number];

// AWS Region names such as eu-west-1, us-gov-west-1, cn-north-1, ap-southeast-5.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// arn:<partition>:iam::<12-digit account>:role/<path/name>
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):role\/[\w+=,.@\/-]{1,512}$/;

export const targetSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1–63 lowercase letters, digits or hyphens (it appears in URLs)"),
    name: z.string().trim().min(1, "must not be empty").max(100),
    accountId: z.string().regex(/^\d{12}$/, "must be the 12-digit AWS account id"),
    roleArn: z.string().regex(ROLE_ARN, "must be an IAM role ARN such as arn:aws:iam::111122223333:role/KeyportAccess"),
    externalId: z
      .string()
      .min(2, "must be 2–1224 characters")
      .max(1224, "must be 2–1224 characters")
      .regex(/^[\w+=,.@:\/-]+$/, "may contain only letters, digits and +=,.@:/-")
      .optional(),
    regions: z
      .array(z.string().regex(REGION, "must be an AWS Region name such as eu-west-1"))
      .min(1, "must list at least one Region")
      .refine((r) => new Set(r).size === r.length, "must not list a Region twice"),
  })
  .strict()
  .superRefine((t, ctx) => {
    const account = ROLE_ARN.exec(t.roleArn)?.[2];
    if (account && account !== t.accountId) {
      ctx.addIssue({
        code: "custom",
        path: ["roleArn"],
        message: `names account ${account} but accountId is ${t.accountId}`,
      });
    }
  });
export type Target = z.infer<typeof targetSchema>;

export const targetsSchema = z.array(targetSchema).superRefine((targets, ctx) => {
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${t.id}" is used by two targets` });
    seen.add(t.id);
  });
});

const roleList = z.union([z.enum(ROLES), z.array(z.enum(ROLES)).min(1)]).transform((r) => (Array.isArray(r) ? r : [r]));
export const roleMapSchema = z.record(z.string().min(1), roleList);
export type RoleMap = Record<string, Role[]>;

export type Config = {
  mode: Mode;
  targets: Target[];
  /**
   * `url`: PostgreSQL (else PGlite under `dataDir`). `migrationUrl`: the schema owner's connection, used only to
   * migrate and to grant `url`'s role what it needs — everything but changing the audit trail.
   */
  database: { url: string | undefined; migrationUrl: string | undefined; dataDir: string };
  auth: {
    secret: string;
    url: string | undefined;
    oidc:
      | {
          issuer: string;
          clientId: string;
          clientSecret: string;
          /** Space-separated OpenID Connect scopes to request; always includes `openid`. */
          scopes: string;
          groupsClaim: string;
          name: string;
        }
      | undefined;
    roleMap: RoleMap;
    emailRoles: RoleMap;
    sessionMaxAgeSeconds: number;
  };
  policy: {
    approvalsRequired: number;
    expiryWarningDays: number;
    /**
     * How long a request may sit in `importing` before the sweep decides the process carrying it out is gone
     * and marks it failed (`interrupted`); a retry then asks KMS what it holds before importing again.
     */
    interruptedAfterSeconds: number;
    /**
     * Break glass (KEYPORT_BREAK_GLASS=enabled): an admin may delete a key's imported material in every Region
     * of its set without a second person. Off unless an operator turns it on.
     */
    breakGlass: boolean;
  };
  inventory: {
    /** DescribeKey calls in flight per target and Region (KMS allows 2,000/s per account and Region). */
    describeConcurrency: number;
    /** Minutes between background refreshes; 0 turns them off (refresh on demand only). */
    refreshIntervalMinutes: number;
  };
  /** 32-byte AES-256-GCM key for import tokens and wrapped blobs at rest. */
  dataKey: Buffer;
  /** Earlier data keys, for reading only (KEYPORT_DATA_KEY_PREVIOUS). */
  previousDataKeys: Buffer[];
  aws: { endpoint: string | undefined };
  /** Signed checkpoints of the audit chain; undefined when KEYPORT_AUDIT_SIGNING_KEY is not set. */
  auditSigning:
    | {
        keyArn: string;
        /** The target (account) and Region whose Keyport role signs. */
        targetId: string;
        region: string;
        /** SHA-256 of the public key's DER; when set, a key whose public key differs is refused. */
        fingerprint: string | undefined;
        intervalMinutes: number;
        /** Where every checkpoint is also written, outside the database. */
        directory: string;
      }
    | undefined;
  /** Notifications (lib/notify); undefined when KEYPORT_WEBHOOK_URL is not set. */
  webhook:
    | {
        url: string;
        /** Signs every delivery (HMAC-SHA256); at least 32 characters. */
        secret: string;
        /** Keyport's public URL (NEXTAUTH_URL), which makes the messages' links absolute. */
        publicUrl: string;
      }
    | undefined;
};
