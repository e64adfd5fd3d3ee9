import { describe, expect, it } from "vitest";

import { maskKey, restoreMaskedKeys, settingsUpdateSchema } from "../src/index";

const A = `sk-or-v1-${"ab".repeat(32)}`;
const B = `sk-or-v1-${"cd".repeat(32)}`;

describe("restoreMaskedKeys", () => {
  it.each([
    ["keeps new plaintext keys", [B], [A], [B]],
    ["restores a mask at the same index", [maskKey(A)], [A], [A]],
    ["restores a mask that moved to another index", ["", maskKey(A)], [A], ["", A]],
    ["drops a mask that matches no stored key", [maskKey(B)], [A], [""]],
    ["keeps empty entries", [""], [A], [""]],
    ["handles more incoming than stored", [maskKey(A), B], [A], [A, B]],
  ])("%s", (_name, incoming, stored, expected) => {
    expect(restoreMaskedKeys(incoming, stored)).toEqual(expected);
  });
});

describe("settingsUpdateSchema", () => {
  it("keeps unknown ui fields and defaults missing connection arrays", () => {
    const parsed = settingsUpdateSchema.parse({ ui: { theme: "dark", directConnections: { OPENAI_API_BASE_URLS: ["https://openrouter.ai/api/v1"] } } });
    expect(parsed.ui.theme).toBe("dark");
    expect(parsed.ui.directConnections).toEqual({
      OPENAI_API_BASE_URLS: ["https://openrouter.ai/api/v1"],
      OPENAI_API_KEYS: [],
      OPENAI_API_CONFIGS: {},
    });
  });

  it.each([[{}], [{ ui: "x" }], [{ ui: { directConnections: { OPENAI_API_KEYS: [1] } } }]])("rejects %j", (body) => {
    expect(settingsUpdateSchema.safeParse(body).success).toBe(false);
  });
});
