import { describe, expect, it } from "vitest";

import { DOMAIN_ERROR_CODES, DomainError, isDomainError, type DomainErrorCode } from "../src/index";

describe("DomainError", () => {
  it.each(DOMAIN_ERROR_CODES.map((code) => [code]))("carries the code %s, a name and the message", (code) => {
    const e = new DomainError(code, "something happened");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("DomainError");
    expect(e.code).toBe(code);
    expect(e.message).toBe("something happened");
    expect(isDomainError(e)).toBe(true);
  });

  it("keeps cause and details when given, and has neither otherwise", () => {
    const cause = new Error("root");
    const e = new DomainError("CONFLICT", "taken", { cause, details: { field: "name" } });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ field: "name" });
    const bare = new DomainError("NOT_FOUND", "missing");
    expect("cause" in bare).toBe(false);
    expect(bare.details).toBeUndefined();
  });

  it("lists exactly the codes of the union", () => {
    const all: Record<DomainErrorCode, true> = {
      INVALID_INPUT: true,
      UNAUTHENTICATED: true,
      FORBIDDEN: true,
      NOT_FOUND: true,
      CONFLICT: true,
      LIMIT_EXCEEDED: true,
      THROTTLED: true,
      PRECONDITION_FAILED: true,
      UPSTREAM_UNAVAILABLE: true,
    };
    expect([...DOMAIN_ERROR_CODES].sort()).toEqual(Object.keys(all).sort());
  });
});

describe("isDomainError", () => {
  const lookalike = Object.assign(new Error("from another copy of the module"), {
    name: "DomainError",
    code: "NOT_FOUND",
  });
  const badCode = Object.assign(new Error("x"), { name: "DomainError", code: "TEAPOT" });
  const plainObject = { name: "DomainError", code: "NOT_FOUND", message: "x" };

  it.each<[string, unknown, boolean]>([
    ["a DomainError", new DomainError("FORBIDDEN", "no"), true],
    ["a structurally identical error from a duplicated module", lookalike, true],
    ["an Error named DomainError with an unknown code", badCode, false],
    ["a plain object shaped like one", plainObject, false],
    ["a plain Error", new Error("x"), false],
    ["a TypeError", new TypeError("x"), false],
    ["null", null, false],
    ["undefined", undefined, false],
    ["a string", "DomainError", false],
  ])("%s → %s", (_label, value, expected) => {
    expect(isDomainError(value)).toBe(expected);
  });
});
