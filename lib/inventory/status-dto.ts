import type { TargetRegionStatus } from "./index";

/** What the browser learns about refreshes: plain JSON, no error detail beyond the sentence already shown. */
export type InventoryStatusDto = {
  /** The server's clock when this was read, so the browser can show "3 minutes ago" on Keyport's time. */
  now: number;
  running: boolean;
  regions: Array<{
    targetId: string;
    targetName: string;
    accountId: string;
    region: string;
    status: "idle" | "running" | "succeeded" | "failed";
    lastSuccessAt: string | null;
    finishedAt: string | null;
    errorCode: string | null;
    errorMessage: string | null;
    keysListed: number;
    keysToDescribe: number;
    keysDescribed: number;
    externalKeys: number;
  }>;
};

export function toStatusDto(status: { running: boolean; regions: TargetRegionStatus[] }, now: number): InventoryStatusDto {
  return {
    now,
    running: status.running,
    regions: status.regions.map((r) => ({
      targetId: r.targetId,
      targetName: r.targetName,
      accountId: r.accountId,
      region: r.region,
      status: r.status,
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      keysListed: r.keysListed,
      keysToDescribe: r.keysToDescribe,
      keysDescribed: r.keysDescribed,
      externalKeys: r.externalKeys,
    })),
  };
}
