/** The page of one key in the inventory: /keys/<target>/<region>/<key id>, each part encoded. */
export function keyHref(key: { targetId: string; region: string; keyId: string }): string {
  return `/keys/${encodeURIComponent(key.targetId)}/${encodeURIComponent(key.region)}/${encodeURIComponent(key.keyId)}`;
}
