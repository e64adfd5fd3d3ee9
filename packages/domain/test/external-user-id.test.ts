import { describe, expect, it } from "vitest";

import { DomainError, externalUserId, isValidExternalUserId, parseExternalUserId } from "../src/index";

const ORG = "3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b";
const USER = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

describe("externalUserId", () => {
  it.each<[string, string, string]>([
    [ORG, USER, "mai_client_3f2a9c1e_user_a1b2c3d4"],
    [ORG.toUpperCase(), USER.toUpperCase(), "mai_client_3f2a9c1e_user_a1b2c3d4"],
    [
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "mai_client_00000000_user_ffffffff",
    ],
    [
      "0193b3a4-5c6d-7e8f-9a0b-1c2d3e4f5a6b",
      "DEADBEEF-0000-4000-8000-000000000000",
      "mai_client_0193b3a4_user_deadbeef",
    ],
  ])("(%s, %s) → %s", (orgId, userId, expected) => {
    const id = externalUserId(orgId, userId);
    expect(id).toBe(expected);
    expect(isValidExternalUserId(id)).toBe(true);
    expect(externalUserId(orgId, userId)).toBe(id); // deterministic
  });

  it.each<[string, string]>([
    [USER, "b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"],
    [USER, "a1b2c3d5-e5f6-4a7b-8c9d-0e1f2a3b4c5d"],
    [USER, "1a2b3c4d-e5f6-4a7b-8c9d-0e1f2a3b4c5d"],
  ])("gives different users different ids (%s vs %s)", (a, b) => {
    expect(externalUserId(ORG, a)).not.toBe(externalUserId(ORG, b));
  });

  it("gives the same user different ids in different organisations", () => {
    expect(externalUserId(ORG, USER)).not.toBe(externalUserId("4f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b", USER));
  });

  it.each<[string, unknown, unknown, string]>([
    ["an e-mail as the user id", ORG, "anna.kowalska@example.pl", "user"],
    ["an empty org id", "", USER, "organisation"],
    ["a UUID without dashes", ORG.replaceAll("-", ""), USER, "organisation"],
    ["a UUID in braces", `{${ORG}}`, USER, "organisation"],
    ["a UUID with a non-hex character", ORG.replace("3f", "3g"), USER, "organisation"],
    ["a UUID with surrounding spaces", ` ${ORG}`, USER, "organisation"],
    ["a truncated UUID", USER, USER.slice(0, 35), "user"],
    ["a number", 12345678, USER, "organisation"],
    ["undefined", ORG, undefined, "user"],
  ])("rejects %s with INVALID_INPUT, without echoing it", (_label, orgId, userId, field) => {
    let caught: unknown;
    try {
      externalUserId(orgId as string, userId as string);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const error = caught as DomainError;
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details).toEqual({ field });
    expect(error.message).not.toContain("anna");
  });

  it("contains nothing but the prefixes of the two ids", () => {
    const id = externalUserId(ORG, USER);
    expect(id.replace("mai_client_", "").replace("_user_", "")).toBe("3f2a9c1e" + "a1b2c3d4");
  });
});

describe("parseExternalUserId and isValidExternalUserId", () => {
  it("round-trips externalUserId", () => {
    expect(parseExternalUserId(externalUserId(ORG, USER))).toEqual({
      orgPrefix: "3f2a9c1e",
      userPrefix: "a1b2c3d4",
    });
  });

  it.each<[unknown, { orgPrefix: string; userPrefix: string } | null]>([
    ["mai_client_3f2a9c1e_user_a1b2c3d4", { orgPrefix: "3f2a9c1e", userPrefix: "a1b2c3d4" }],
    ["mai_client_00000000_user_ffffffff", { orgPrefix: "00000000", userPrefix: "ffffffff" }],
    ["mai_client_3F2A9C1E_user_a1b2c3d4", null],
    ["mai_client_3f2a9c1_user_a1b2c3d4", null],
    ["mai_client_3f2a9c1e_user_a1b2c3d45", null],
    ["mai_client_3f2a9c1e_user_a1b2c3dg", null],
    ["mai_client_3f2a9c1e-user_a1b2c3d4", null],
    [" mai_client_3f2a9c1e_user_a1b2c3d4", null],
    ["mai_client_3f2a9c1e_user_a1b2c3d4\n", null],
    ["user_a1b2c3d4", null],
    ["anna.kowalska@example.pl", null],
    ["", null],
    [null, null],
    [42, null],
  ])("%j", (input, expected) => {
    expect(parseExternalUserId(input as string)).toEqual(expected);
    expect(isValidExternalUserId(input)).toBe(expected !== null);
  });
});
