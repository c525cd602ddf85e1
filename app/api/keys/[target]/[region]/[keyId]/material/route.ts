import { NextResponse } from "next/server";
import { defineRoute } from "@/lib/auth";
import { keyMaterialHistory } from "@/lib/inventory";
import { keyParamsSchema } from "@/lib/inventory/schemas";

export const dynamic = "force-dynamic";

/** GET the key material history of one EXTERNAL key, read live from KMS (the key page loads it after rendering). */
export const GET = defineRoute({ name: "keyMaterialHistory", permission: "keys.read", params: keyParamsSchema }, async (_request, { params }) => {
  const history = await keyMaterialHistory(params.target, params.region, params.keyId);
  if (!history) return NextResponse.json({ code: "not_found", message: "This key is not in the inventory." }, { status: 404 });
  return NextResponse.json(
    {
      supported: history.supported,
      entries: history.entries.map((e) => ({
        ...e,
        validTo: e.validTo?.toISOString() ?? null,
        rotationDate: e.rotationDate?.toISOString() ?? null,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
});
