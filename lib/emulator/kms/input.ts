import { kms } from "../errors";

/**
 * Reading a KMS request body field by field, with the errors KMS gives: a wrong JSON type is a
 * SerializationException, a value outside the model's constraints a ValidationException worded like AWS's
 * ("1 validation error detected: Value … at 'keyId' failed to satisfy constraint: …").
 */

export type KmsInput = Record<string, unknown>;

function member(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `hidden` leaves the value out ("Value at 'plaintext' …"), as AWS does for binary and sensitive fields. */
function constraint(value: unknown, name: string, rule: string, hidden = false) {
  const shown = hidden ? "" : value === undefined ? " null" : ` '${typeof value === "string" ? value : JSON.stringify(value)}'`;
  return kms.validation(`1 validation error detected: Value${shown} at '${member(name)}' failed to satisfy constraint: ${rule}`);
}

interface StringRules {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export function optionalString(input: KmsInput, name: string, rules: StringRules = {}): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw kms.serialization(`Start of structure or map found where not expected (${name}).`);
  if (rules.min !== undefined && value.length < rules.min) {
    throw constraint(value, name, `Member must have length greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && value.length > rules.max) {
    throw constraint(value, name, `Member must have length less than or equal to ${rules.max}`);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw constraint(value, name, `Member must satisfy regular expression pattern: ${rules.pattern.source}`);
  }
  return value;
}

export function requiredString(input: KmsInput, name: string, rules: StringRules = {}): string {
  const value = optionalString(input, name, rules);
  if (value === undefined) throw constraint(undefined, name, "Member must not be null");
  return value;
}

/** `KeyId` as every operation takes it (1–2048 characters). */
export function keyIdField(input: KmsInput, name = "KeyId"): string {
  return requiredString(input, name, { min: 1, max: 2048 });
}

export function optionalEnum<T extends string>(input: KmsInput, name: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw constraint(value, name, `Member must satisfy enum value set: [${values.join(", ")}]`);
  }
  return value as T;
}

export function requiredEnum<T extends string>(input: KmsInput, name: string, values: readonly T[]): T {
  const value = optionalEnum(input, name, values);
  if (value === undefined) throw constraint(undefined, name, "Member must not be null");
  return value;
}

export function optionalInteger(input: KmsInput, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw kms.serialization(`NUMBER_VALUE can not be converted to an Integer (${name}).`);
  if (value < min) throw constraint(value, name, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(value, name, `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalBoolean(input: KmsInput, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw kms.serialization(`Expected a boolean for ${name}.`);
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function optionalBlob(input: KmsInput, name: string, max: number): Buffer | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw kms.serialization(`Value for ${name} is not valid base64-encoded binary data.`);
  }
  const bytes = Buffer.from(value, "base64");
  if (bytes.length < 1) throw constraint(value, name, "Member must have length greater than or equal to 1");
  if (bytes.length > max) throw constraint(undefined, name, `Member must have length less than or equal to ${max}`, true);
  return bytes;
}

export function requiredBlob(input: KmsInput, name: string, max: number): Buffer {
  const value = optionalBlob(input, name, max);
  if (value === undefined) throw constraint(undefined, name, "Member must not be null");
  return value;
}

/** A timestamp field: AWS JSON 1.1 sends epoch seconds as a number. Returns epoch ms. */
export function optionalTimestamp(input: KmsInput, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw kms.serialization(`Expected epoch seconds for ${name}.`);
  return Math.round(value * 1000);
}

export function optionalStringMap(input: KmsInput, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw kms.serialization(`Expected a map for ${name}.`);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") throw kms.serialization(`Expected string values in ${name}.`);
    out[key] = entry;
  }
  return out;
}

/** Epoch ms → AWS JSON 1.1 timestamp (epoch seconds, fractional). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
