import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { awsCliCommands, custodianCommands, hsmCommand, parametersReadme, verificationCommand, wrapStep, type CommandInput } from "./commands";

const base: CommandInput = {
  keyArn: "arn:aws:kms:eu-west-1:222222222222:key/0d9f2b9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
  region: "eu-west-1",
  keySpec: "SYMMETRIC_DEFAULT",
  wrappingAlgorithm: "RSAES_OAEP_SHA_256",
  wrappingKeySpec: "RSA_4096",
  expirationModel: "KEY_MATERIAL_EXPIRES",
  validTo: new Date("2027-01-31T00:00:00Z"),
  importType: "NEW_KEY_MATERIAL",
};
const step = (input: CommandInput, id: string) => custodianCommands(input).find((s) => s.id === id)!.command;

describe("the commands Keyport prints", () => {
  it("wraps directly with RSA-OAEP, hash and MGF1 hash alike", () => {
    expect(step(base, "wrap")).toBe(
      "openssl pkeyutl -encrypt -in material.bin -out EncryptedKeyMaterial.bin -inkey WrappingPublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256",
    );
    expect(step({ ...base, wrappingAlgorithm: "RSAES_OAEP_SHA_1" }, "wrap")).toContain("rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1");
  });

  it("wraps RSA private keys in two layers for RSA_AES_KEY_WRAP, RSA part first", () => {
    const wrap = step({ ...base, keySpec: "RSA_3072", wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" }, "wrap").split("\n");
    expect(wrap).toHaveLength(4);
    expect(wrap[1]).toContain("openssl enc -id-aes256-wrap-pad");
    expect(wrap[1]).toContain("-iv A65959A6");
    expect(wrap[3]).toBe("cat aes.wrapped material.wrapped > EncryptedKeyMaterial.bin");
    expect(step({ ...base, keySpec: "RSA_3072" }, "material")).toContain("openssl pkcs8 -topk8 -inform PEM -outform DER -nocrypt");
    expect(step({ ...base, keySpec: "HMAC_384" }, "material")).toBe("openssl rand -out material.bin 48");
  });

  it("wraps the files it is given, in the same lines (the multi-Region session script names each Region's)", () => {
    const files = { material: '"$m"', publicKeyDer: '"$d/pub.der"', publicKeyPem: '"$d/pub.pem"', out: '"$d/out.bin"', scratch: (n: string) => `"$w/${n}"` };
    const wrap = wrapStep({ wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1" }, files).command;
    expect(wrap).toBe(
      [
        'openssl rand -out "$w/aes.bin" 32',
        `openssl enc -id-aes256-wrap-pad -K "$(xxd -p < "$w/aes.bin" | tr -d '\\n')" -iv A65959A6 -in "$m" -out "$w/material.wrapped"`,
        'openssl pkeyutl -encrypt -in "$w/aes.bin" -out "$w/aes.wrapped" -inkey "$d/pub.der" -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1',
        'cat "$w/aes.wrapped" "$w/material.wrapped" > "$d/out.bin"',
      ].join("\n"),
    );
    expect(wrapStep({ wrappingAlgorithm: "RSAES_OAEP_SHA_256" }, files).command).toBe(
      'openssl pkeyutl -encrypt -in "$m" -out "$d/out.bin" -inkey "$d/pub.der" -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256',
    );
    expect(wrapStep({ wrappingAlgorithm: "SM2PKE" }, files).command).toBe('openssl pkeyutl -encrypt -pubin -inkey "$d/pub.pem" -in "$m" -out "$d/out.bin"');
  });

  it("states the expected size in the check step", () => {
    expect(custodianCommands(base).find((s) => s.id === "check")!.title).toContain("exactly 512 bytes");
    expect(custodianCommands({ ...base, wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" }).find((s) => s.id === "check")!.title).toContain(
      "exactly 296 bytes",
    );
  });

  it("gives the AWS CLI equivalents, with ValidTo and the import type", () => {
    const cli = awsCliCommands(base).map((s) => s.command).join("\n");
    expect(cli).toContain("--wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_4096");
    expect(cli).toContain("--encrypted-key-material fileb://EncryptedKeyMaterial.bin --import-token fileb://ImportToken.bin");
    expect(cli).toContain("--expiration-model KEY_MATERIAL_EXPIRES --valid-to 2027-01-31T00:00:00Z");
    expect(cli).toContain("--import-type NEW_KEY_MATERIAL");
    expect(awsCliCommands({ ...base, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo: null }).map((s) => s.command).join("\n")).not.toContain("--valid-to");
  });

  it("computes the offline checks: the HMAC key check value per digest, the public key fingerprint", () => {
    for (const [spec, dgst] of [["HMAC_224", "sha224"], ["HMAC_256", "sha256"], ["HMAC_384", "sha384"], ["HMAC_512", "sha512"]] as const) {
      expect(verificationCommand(spec)!.command).toContain(`openssl dgst -${dgst} -mac HMAC -macopt hexkey:`);
    }
    expect(verificationCommand("ECC_NIST_P256")!.command).toBe("openssl pkey -in private-key.pem -pubout -outform DER | sha256sum");
    expect(verificationCommand("SYMMETRIC_DEFAULT")).toBeNull();
  });

  it("writes a README with each file's SHA-256 and every step", () => {
    const readme = parametersReadme({
      ...base,
      requestId: "6f1c1c5e-8d4a-4f43-9b7e-2a5b8c9d0e1f",
      accountId: "222222222222",
      parametersValidTo: new Date("2026-12-01T10:00:00Z"),
      files: [{ name: "ImportToken.bin", sha256: "ab".repeat(32), size: 2600 }],
    });
    expect(readme).toContain(`${"ab".repeat(32)}  ImportToken.bin  (2,600 bytes)`);
    expect(readme).toContain("Valid until:        2026-12-01T10:00:00Z");
    expect(readme).toContain("3. Wrap the material with RSAES_OAEP_SHA_256");
    expect(readme).toContain("Do not run it yourself");
  });
});

describe("the HSM path beside openssl", () => {
  it("prints the wrap command for the request's algorithm, with the placeholders the README names", () => {
    const hsm = hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" });
    expect(hsm.command).toBe(
      [
        "KEYPORT_PKCS11_PIN=… npm run -s wrap -- --module <PKCS#11 library> --token-label <token label> \\",
        "  --key-label <label of the key to wrap> --wrapping-public-key WrappingPublicKey.bin \\",
        "  --algorithm RSA_AES_KEY_WRAP_SHA_256 --out EncryptedKeyMaterial.bin",
      ].join("\n"),
    );
    expect(hsm.note).toContain("RSA_AES_KEY_WRAP_SHA_1 runs wholly inside such HSMs");
    expect(hsmCommand({ keySpec: "HMAC_256", wrappingAlgorithm: "RSAES_OAEP_SHA_1" }).command).toContain("--algorithm RSAES_OAEP_SHA_1 --out");
  });

  it("recommends what HSMs can do, and shows the upload's SHA-256 to compare with the command's", () => {
    expect(hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "RSAES_OAEP_SHA_256" }).note).toContain("RSAES_OAEP_SHA_1 or RSA_AES_KEY_WRAP_SHA_1");
    expect(hsmCommand(base, "ab".repeat(32)).note).toContain(`the current upload's is ${"ab".repeat(32)}`);
    expect(hsmCommand(base).note).toContain("the request page shows the same value under “Wrapped key material”");
  });

  it("offers no command where no HSM can produce the wrapping", () => {
    expect(hsmCommand({ keySpec: "ECC_NIST_P256", wrappingAlgorithm: "RSAES_OAEP_SHA_256" })).toMatchObject({ command: null });
    expect(hsmCommand({ keySpec: "ECC_NIST_P256", wrappingAlgorithm: "RSAES_OAEP_SHA_256" }).note).toContain("RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1");
    expect(hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "SM2PKE" }).command).toBeNull();
  });

  it("is the command README.md documents", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    expect(readme).toContain(hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" }).command);
  });
});
