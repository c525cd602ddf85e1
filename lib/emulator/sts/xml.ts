/**
 * The little XML STS (awsQuery) answers with, written by hand: the emulator only ever produces it, and a
 * handful of elements do not justify an XML library.
 */

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

export type XmlValue = string | number | XmlNode | undefined;
export interface XmlNode {
  [element: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] as string);
}

function elements(node: XmlNode): string {
  let out = "";
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    out += `<${name}>${typeof value === "object" ? elements(value) : escapeXml(String(value))}</${name}>`;
  }
  return out;
}

/** `<{action}Response><{action}Result>…</…><ResponseMetadata><RequestId>…` */
export function stsResponse(action: string, result: XmlNode, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${elements(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function stsErrorResponse(type: "Sender" | "Receiver", code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
