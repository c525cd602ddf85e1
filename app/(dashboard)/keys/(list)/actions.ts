"use server";

import { z } from "zod";
import { defineAction } from "@/lib/auth";
import { startRefresh } from "@/lib/inventory";

/** Starts a background refresh of the inventory; the page follows it through /api/inventory/status. */
export const refreshInventory = defineAction(
  { name: "refreshInventory", permission: "inventory.refresh", schema: z.object({}).strict() },
  async () => startRefresh(),
);
