// The API's messages by key: the English text comes from the catalog, with its parameters filled
// in, and a DomainError built from a key says exactly what it said before keys existed.
import { describe, expect, it } from "vitest";
import { domainError, DomainError, isDomainError, isServerMessageKey, SERVER_MESSAGES, serverMessage, serverMessageMatch, serverMessageTemplate } from "../src/index";

describe("serverMessage", () => {
  it("is the catalog's English for a key without parameters", () => {
    expect(serverMessage("password.currentWrong")).toBe("The current password is not right.");
    expect(serverMessage("invitation.invalid")).toBe(SERVER_MESSAGES.invitation.invalid);
  });

  it("fills in every {{parameter}} and leaves an unknown one as written", () => {
    expect(serverMessage("organization.nameTaken", { name: "Acme" })).toBe('An organisation named "Acme" already exists.');
    expect(serverMessage("organization.nameTaken")).toBe('An organisation named "{{name}}" already exists.');
  });

  it("picks the English plural form by count", () => {
    expect(serverMessage("mapping.duplicate", { count: 2 })).toBe("2 mappings share this external id, so their usage cannot be told apart.");
    expect(serverMessageTemplate("mapping.duplicate", 1)).toBe(SERVER_MESSAGES.mapping.duplicate_one);
  });

  it("finds the key and parameters of a stored English sentence of a group, and nothing for another sentence", () => {
    expect(serverMessageMatch(serverMessage("sync.createNamed", { organization: "Acme (PL)" }), "sync")).toEqual({
      key: "sync.createNamed",
      params: { organization: "Acme (PL)" },
    });
    expect(serverMessageMatch(SERVER_MESSAGES.sync.create, "sync")).toEqual({ key: "sync.create", params: {} });
    expect(serverMessageMatch("OpenRouter rejected this key (401: No auth. credentials found).", "sync")).toEqual({
      key: "sync.keyRejected",
      params: { status: "401", detail: "No auth. credentials found" },
    });
    expect(serverMessageMatch("Something else.", "sync")).toBeNull();
    expect(serverMessageMatch(SERVER_MESSAGES.password.currentWrong, "sync")).toBeNull();
  });

  it("words a rejected provisioning key by action exactly as the API's template did", () => {
    const old = (action: string) => `OpenRouter rejected the provisioning key while trying to ${action}; replace it in the global settings.`;
    expect(serverMessage("organization.provisioningRejectedCreate")).toBe(old("create a key"));
    expect(serverMessage("organization.provisioningRejectedUpdate")).toBe(old("update the organisation's key"));
    expect(serverMessage("organization.provisioningRejectedDisable")).toBe(old("disable the organisation's key"));
  });

  it("tells a key of the catalog (a plural pair by its base) from any other text", () => {
    expect(isServerMessageKey("sync.create")).toBe(true);
    expect(isServerMessageKey("mapping.duplicate")).toBe(true);
    expect(isServerMessageKey("mapping.duplicate_one")).toBe(false);
    expect(isServerMessageKey("sync")).toBe(false);
    expect(isServerMessageKey("sync.nothing")).toBe(false);
    expect(isServerMessageKey("")).toBe(false);
  });

  it("refuses an unknown key", () => {
    expect(() => serverMessage("nope.nothing" as never)).toThrow(/Unknown server message/);
    expect(serverMessageTemplate("invitation")).toBeUndefined();
  });
});

describe("domainError", () => {
  it("says today's English and carries its key and parameters", () => {
    const e = domainError("INVALID_INPUT", "password.currentWrong");
    expect(e).toBeInstanceOf(DomainError);
    expect(isDomainError(e)).toBe(true);
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toBe("The current password is not right.");
    expect(e.messageKey).toBe("password.currentWrong");
    expect(e.messageParams).toEqual({});
    const taken = domainError("CONFLICT", "organization.nameTaken", { name: "Acme" });
    expect(taken.message).toBe('An organisation named "Acme" already exists.');
    expect(taken.messageParams).toEqual({ name: "Acme" });
  });

  it("keeps cause and details, and a DomainError built from a text has no key", () => {
    const cause = new Error("root");
    const e = domainError("CONFLICT", "invitation.existingAccount", {}, { cause, details: { field: "email" } });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ field: "email" });
    const plain = new DomainError("NOT_FOUND", "missing");
    expect(plain.messageKey).toBeUndefined();
    expect(plain.messageParams).toBeUndefined();
  });
});
