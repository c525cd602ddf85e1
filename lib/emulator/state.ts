import type { KeySpec, KeyUsage } from "./kms/key-specs";

/**
 * Everything the emulator knows, as plain serialisable records, and the in-memory store that indexes them.
 * The store is the single owner of state: handlers read and mutate records through it, and persistence
 * serialises it as a whole.
 */

export type KeyOrigin = "AWS_KMS" | "EXTERNAL";
export type KeyState = "Enabled" | "Disabled" | "PendingImport" | "PendingDeletion" | "Creating" | "Updating";
export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
/**
 * As stored. A multi-Region key's material pending rotation is stored as PENDING_ROTATION and shown as
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION while a related replica lacks it (kms/multi-region-material.ts).
 */
export type KeyMaterialState = "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION";

export interface Tag {
  TagKey: string;
  TagValue: string;
}

/** One generation of key material. Deleted or expired imported material keeps its record (id, metadata). */
export interface MaterialRecord {
  id: string;
  /** Base64: raw bytes for symmetric and HMAC keys, PKCS#8 DER for asymmetric keys. Absent once deleted. */
  bytes?: string;
  state: KeyMaterialState;
  expirationModel?: ExpirationModel;
  /** Epoch ms. */
  validTo?: number;
  description?: string;
  /** Epoch ms when it became current through a rotation; absent for the first material. */
  rotationDate?: number;
}

export interface KeyRecord {
  accountId: string;
  region: string;
  keyId: string;
  arn: string;
  /** Epoch ms. */
  createdAt: number;
  description: string;
  keyUsage: KeyUsage;
  keySpec: KeySpec;
  origin: KeyOrigin;
  keyManager: "CUSTOMER" | "AWS";
  multiRegion: boolean;
  /**
   * For a multi-Region key, the Region of its primary (its own Region for the primary itself; absent in
   * state saved before replicas were modelled, which means the same). Related keys share account and key id.
   */
  primaryRegion?: string;
  /** A replica answers Creating until this time (epoch ms, emulator clock), then PendingImport or Enabled. */
  creatingUntil?: number;
  /** After UpdatePrimaryRegion the old and new primary answer Updating until this time, then Enabled again. */
  updatingUntil?: number;
  keyState: KeyState;
  deletionDate?: number;
  pendingWindowInDays?: number;
  materials: MaterialRecord[];
  tags: Tag[];
}

export interface AliasRecord {
  accountId: string;
  region: string;
  aliasName: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface AccountRecord {
  accountId: string;
  name: string;
}

export interface RoleRecord {
  arn: string;
  accountId: string;
  name: string;
  /** When set, AssumeRole must present exactly this ExternalId. */
  externalId?: string;
  /** Accounts whose principals the trust policy admits; empty means the role refuses everyone. */
  trustedAccountIds: string[];
  maxSessionDurationSeconds: number;
  /** Stable unique id (AROA…) that AssumedRoleId starts with. */
  roleId: string;
}

export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms, by the emulator clock. */
  expiresAt: number;
  accountId: string;
  roleArn: string;
  roleName: string;
  sessionName: string;
  assumedRoleId: string;
  sourceIdentity?: string;
}

export interface BaseCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
  userId: string;
}

export interface PersistedState {
  version: 1;
  /** Base64 secret from which the import-token key (and material ids) are derived. */
  secret: string;
  clockOffsetMs: number;
  seed: string;
  regions: string[];
  base: BaseCredentials;
  accounts: AccountRecord[];
  roles: RoleRecord[];
  keys: KeyRecord[];
  aliases: AliasRecord[];
  sessions: SessionRecord[];
}

/** Keys and aliases of one account in one Region, kept sorted so pagination markers are stable. */
export class Scope {
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();
  private sortedKeyIds: string[] = [];
  private sortedAliasNames: string[] = [];

  addKey(key: KeyRecord): void {
    this.keys.set(key.keyId, key);
    insertSorted(this.sortedKeyIds, key.keyId);
  }

  removeKey(keyId: string): void {
    if (!this.keys.delete(keyId)) return;
    removeSorted(this.sortedKeyIds, keyId);
    for (const alias of [...this.aliases.values()]) {
      if (alias.targetKeyId === keyId) this.removeAlias(alias.aliasName);
    }
  }

  addAlias(alias: AliasRecord): void {
    this.aliases.set(alias.aliasName, alias);
    insertSorted(this.sortedAliasNames, alias.aliasName);
  }

  removeAlias(aliasName: string): void {
    if (this.aliases.delete(aliasName)) removeSorted(this.sortedAliasNames, aliasName);
  }

  /** Key ids in order, starting after `afterKeyId` (exclusive). */
  keyIdsAfter(afterKeyId: string | undefined): string[] {
    return sliceAfter(this.sortedKeyIds, afterKeyId);
  }

  aliasNamesAfter(afterName: string | undefined): string[] {
    return sliceAfter(this.sortedAliasNames, afterName);
  }
}

function insertSorted(list: string[], value: string): void {
  const index = lowerBound(list, value);
  if (list[index] !== value) list.splice(index, 0, value);
}

function removeSorted(list: string[], value: string): void {
  const index = lowerBound(list, value);
  if (list[index] === value) list.splice(index, 1);
}

/** Always a copy: callers may delete keys (and their aliases) while walking the result. */
function sliceAfter(list: string[], after: string | undefined): string[] {
  if (after === undefined) return list.slice();
  let index = lowerBound(list, after);
  if (list[index] === after) index += 1;
  return list.slice(index);
}

function lowerBound(list: string[], value: string): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((list[mid] as string) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class Store {
  private readonly scopes = new Map<string, Scope>();
  readonly accounts = new Map<string, AccountRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly sessions = new Map<string, SessionRecord>();

  constructor(
    readonly base: BaseCredentials,
    readonly secret: Buffer,
    public seed: string,
    public regions: string[],
  ) {}

  scope(accountId: string, region: string): Scope {
    const id = `${accountId}/${region}`;
    let scope = this.scopes.get(id);
    if (!scope) {
      scope = new Scope();
      this.scopes.set(id, scope);
    }
    return scope;
  }

  addKey(key: KeyRecord): void {
    this.scope(key.accountId, key.region).addKey(key);
  }

  addAlias(alias: AliasRecord): void {
    this.scope(alias.accountId, alias.region).addAlias(alias);
  }

  /** The keys with this id in every Region of the account: a multi-Region key and its replicas. */
  relatedKeys(accountId: string, keyId: string): KeyRecord[] {
    const related: KeyRecord[] = [];
    for (const [id, scope] of this.scopes) {
      const key = id.startsWith(`${accountId}/`) ? scope.keys.get(keyId) : undefined;
      if (key) related.push(key);
    }
    return related.sort((a, b) => a.createdAt - b.createdAt || a.region.localeCompare(b.region));
  }

  allKeys(): KeyRecord[] {
    return [...this.scopes.values()].flatMap((scope) => [...scope.keys.values()]);
  }

  toJSON(clockOffsetMs: number): PersistedState {
    return {
      version: 1,
      secret: this.secret.toString("base64"),
      clockOffsetMs,
      seed: this.seed,
      regions: this.regions,
      base: this.base,
      accounts: [...this.accounts.values()],
      roles: [...this.roles.values()],
      keys: this.allKeys(),
      aliases: [...this.scopes.values()].flatMap((scope) => [...scope.aliases.values()]),
      sessions: [...this.sessions.values()],
    };
  }

  static fromJSON(state: PersistedState): Store {
    if (state.version !== 1) throw new Error(`Unsupported emulator state version ${String(state.version)}`);
    const store = new Store(state.base, Buffer.from(state.secret, "base64"), state.seed, state.regions);
    for (const account of state.accounts) store.accounts.set(account.accountId, account);
    for (const role of state.roles) store.roles.set(role.arn, role);
    for (const key of state.keys) store.addKey(key);
    for (const alias of state.aliases) store.addAlias(alias);
    for (const session of state.sessions) store.sessions.set(session.accessKeyId, session);
    return store;
  }
}
