import type { KmsOperation } from "./context";
import { aliasOperations } from "./alias-operations";
import { cryptoOperations } from "./crypto-operations";
import { importOperations } from "./import-operations";
import { keyOperations } from "./key-operations";
import { multiRegionOperations } from "./multi-region-operations";
import { rotationOperations } from "./rotation-operations";

/** Every KMS operation the emulator answers, by its `X-Amz-Target` name (`TrentService.<name>`). */
export const kmsOperations: ReadonlyMap<string, KmsOperation> = new Map(
  Object.entries({ ...keyOperations, ...aliasOperations, ...importOperations, ...rotationOperations, ...cryptoOperations, ...multiRegionOperations }),
);
