import { describe, expect, it } from "vitest";
import { formatInvitationCode, INVITATION_CODE_ALPHABET, INVITATION_MESSAGES, INVITATION_VALIDITY_MS, normalizeInvitationCode } from "../src/index";
import { acceptInvitationInput, signUpWithKeyInput, updateGlobalSettingsInput } from "../src/schemas/index";

describe("invitation codes", () => {
  it("are read back ignoring case, spaces and dashes", () => {
    expect(normalizeInvitationCode(" abcd-efgh ijkm\n")).toBe("ABCDEFGHIJKM");
    expect(normalizeInvitationCode(formatInvitationCode("ABCDEFGHJKMN"))).toBe("ABCDEFGHJKMN");
  });
  it("are shown in groups of four", () => {
    expect(formatInvitationCode("abcdefghjkmnpq")).toBe("ABCD-EFGH-JKMN-PQ");
  });
  it("use an alphabet without look-alikes", () => {
    for (const c of "0O1IL") expect(INVITATION_CODE_ALPHABET).not.toContain(c);
  });
});

describe("an invitation", () => {
  it("lasts seven days", () => expect(INVITATION_VALIDITY_MS).toBe(7 * 86_400_000));
});

describe("messages the invitee sees", () => {
  it("name no organisation, account or e-mail", () => {
    for (const message of Object.values(INVITATION_MESSAGES)) expect(message).not.toMatch(/@|another organisation's|provider admin/i);
  });
});

describe("input schemas", () => {
  it("acceptInvitation: with a code it needs e-mail, code and password, each named in words", () => {
    const result = acceptInvitationInput.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["email", "code", "password"]);
    expect(acceptInvitationInput.safeParse({ email: "a@b.example", code: "ABCD", password: "x" }).success).toBe(true);
  });
  it("acceptInvitation: signed in, the invitation's id is enough", () => {
    expect(acceptInvitationInput.safeParse({ invitationId: "8f0e0b9e-1d3c-4a8e-9a51-9b0c8c1f2a33" }).success).toBe(true);
  });
  it("signUpWithKey: every field, trimmed", () => {
    expect(signUpWithKeyInput.parse({ email: " Ola@Example.com ", name: " Ola ", password: "p", openRouterKey: " sk-or-x " })).toMatchObject({
      email: "Ola@Example.com",
      name: "Ola",
      openRouterKey: "sk-or-x",
    });
    expect(signUpWithKeyInput.safeParse({ email: "a@b.example", name: "", password: "p", openRouterKey: "k" }).error?.issues[0]?.message).toBe("Enter your name.");
  });
  it("globalSettings.update takes selfSignupEnabled", () => {
    expect(updateGlobalSettingsInput.parse({ selfSignupEnabled: false })).toEqual({ selfSignupEnabled: false });
  });
});
