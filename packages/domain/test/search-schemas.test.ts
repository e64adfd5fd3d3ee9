// The dashboard's URL search params parse with the procedures' field schemas; a malformed parameter
// is dropped (the page shows unfiltered), never an error, and never sent on to the API.
import { describe, expect, it } from "vitest";
import { auditListInput, auditSearch, MAX_AUDIT_ACTION_LENGTH, usageEventsInput, usageSearch } from "../src/schemas";

const USER = "0b6f3d5e-8c1a-4f3b-9e2d-7a4c5b6d8e9f";

describe("usageSearch", () => {
  it("keeps well-formed filters as they are", () => {
    const search = { from: "2025-01-01", to: "2025-01-31", user: USER, model: "openai/gpt-4o", status: "error" };
    expect(usageSearch.parse(search)).toEqual(search);
  });

  it.each([
    ["from", "2025-1-1"],
    ["from", 20250101],
    ["to", "31.01.2025"],
    ["to", ""],
    ["user", "not-a-uuid"],
    ["user", "00000000-0000-0000-0000-00000000000g"],
    ["user", ""],
    ["model", ""],
    ["model", "m".repeat(301)],
    ["model", 123],
    ["status", "bogus"],
    ["status", ["ok"]],
  ])("drops %s=%j and keeps the rest", (key, value) => {
    const result = usageSearch.safeParse({ from: "2025-02-01", [key]: value });
    expect(result.success).toBe(true);
    expect(result.data?.[key as keyof typeof result.data]).toBeUndefined();
    if (key !== "from") expect(result.data?.from).toBe("2025-02-01");
  });

  it("ignores parameters it does not know (the root's org is not its business)", () => {
    expect(usageSearch.parse({ org: USER, page: 2 })).toEqual({});
  });

  it("what it keeps, usage.events accepts", () => {
    const search = usageSearch.parse({ from: "2025-01-01", to: "bad", user: USER, model: "x", status: "ok" });
    const input = { userId: search.user, model: search.model, status: search.status, from: search.from, to: search.to };
    expect(usageEventsInput.safeParse(input).success).toBe(true);
  });
});

describe("auditSearch", () => {
  it.each([
    [{}, {}],
    [{ action: "org_sync.*", orgs: "all" }, { action: "org_sync.*", orgs: "all" }],
    [{ action: "  member.added  " }, { action: "member.added" }],
    [{ action: "   " }, { action: undefined }],
    [{ action: "a".repeat(MAX_AUDIT_ACTION_LENGTH) }, { action: "a".repeat(MAX_AUDIT_ACTION_LENGTH) }],
    [{ action: "a".repeat(MAX_AUDIT_ACTION_LENGTH + 1) }, { action: undefined }],
    [{ action: 42 }, { action: undefined }],
    [{ orgs: "some" }, { orgs: undefined }],
    [{ orgs: true }, { orgs: undefined }],
  ])("%j → %j", (search, expected) => {
    expect(auditSearch.parse(search)).toEqual(expected);
  });

  it("bounds the action as audit.list does", () => {
    const at = "a".repeat(MAX_AUDIT_ACTION_LENGTH);
    expect(auditListInput.safeParse({ action: at }).success).toBe(true);
    expect(auditListInput.safeParse({ action: `${at}a` }).success).toBe(false);
  });
});
