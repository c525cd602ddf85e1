"use server";

// A bare server action: no session, no role, no parsing. The authorization test must fail on this.
export async function deleteKeyMaterial(keyArn: string) {
  return { deleted: keyArn };
}
