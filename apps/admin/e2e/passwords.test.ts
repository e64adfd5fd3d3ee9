// Passwords in a real browser (Chromium) against the built dashboard and the real API (issue 14:
// nobody could change a password): two browsers signed in to one account; one changes the password
// under Account; the other is signed out at its next step, and the first goes on signed in.
import { testDrivers } from "@mai/db/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactShot, signIn } from "./pages";
import { startE2ESystem, type E2ESystem } from "./system";

const NEW_PASSWORD = "copper kettles sing at noon";
const AFTER_RESET = "a heron waits by the weir";

const shot = (page: Page, name: string) => artifactShot(page, name);

describe.each(testDrivers())("passwords end to end on %s", (driver) => {
  let s: E2ESystem;
  beforeAll(async () => {
    s = await startE2ESystem(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("password change ends the other session", async () => {
    const account = s.otherAdmin;
    const laptop = await s.newPage();
    const phone = await s.newPage();
    const errors: string[] = [];
    laptop.page.on("pageerror", (error) => errors.push(error.message));
    await signIn(laptop.page, account);
    await signIn(phone.page, account);

    await laptop.page.getByRole("link", { name: "Account" }).click();
    await laptop.page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
    await laptop.page.getByLabel("Current password").fill(account.password);
    await laptop.page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await laptop.page.getByLabel("New password again").fill(NEW_PASSWORD);
    await laptop.page.getByRole("button", { name: "Change password" }).click();
    await laptop.page.getByText("Your password was changed.").waitFor();
    await shot(laptop.page, `${driver}-account-password-changed`);

    // The other browser's next step finds its session gone: back to the sign-in form.
    await phone.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Usage", exact: true })
      .click();
    await phone.page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(new URL(phone.page.url()).pathname).toBe("/sign-in");

    // This browser goes on, signed in under its new session.
    await laptop.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Usage", exact: true })
      .click();
    await laptop.page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    expect(new URL(laptop.page.url()).pathname).toBe("/usage");

    // The old password no longer signs in; the new one does.
    await phone.page.getByLabel("E-mail").fill(account.email);
    await phone.page.getByLabel("Password", { exact: true }).fill(account.password);
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await phone.page
      .getByRole("alert")
      .getByText(/not right/)
      .waitFor();
    await phone.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await phone.page.getByRole("navigation", { name: "Main" }).waitFor();

    expect(errors).toEqual([]);
    await laptop.context.close();
    await phone.context.close();
  });

  it("the provider resets a member's password; the member's temporary password lands on 'Choose a new password'", async () => {
    const { context, page } = await s.newPage();
    await signIn(page, s.provider);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Members", exact: true })
      .click();
    await page.getByRole("button", { name: "Reset password of Piotr Nowak" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Reset password" }).click();
    const temporary = (await dialog.getByTestId("secret-value").textContent()) ?? "";
    expect(temporary).toMatch(/^[A-Za-z0-9]{20}$/);
    await shot(page, `${driver}-members-password-reset`);
    await dialog.getByRole("button", { name: "Done, I have copied it" }).click();
    await context.close();

    const member = await s.newPage();
    await member.page.goto("/sign-in");
    await member.page.getByLabel("E-mail").fill(s.otherAdmin.email);
    await member.page.getByLabel("Password", { exact: true }).fill(temporary);
    await member.page.getByRole("button", { name: "Sign in" }).click();
    await member.page.getByRole("heading", { level: 1, name: "Choose a new password" }).waitFor();
    expect(await member.page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    // Typed-in dashboard URLs lead back here.
    await member.page.goto("/usage");
    await member.page.getByRole("heading", { level: 1, name: "Choose a new password" }).waitFor();
    await shot(member.page, `${driver}-choose-password`);
    await member.page.getByLabel("Temporary password").fill(temporary);
    await member.page.getByLabel("New password", { exact: true }).fill(AFTER_RESET);
    await member.page.getByLabel("New password again").fill(AFTER_RESET);
    await member.page.getByRole("button", { name: "Save and continue" }).click();
    await member.page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    await member.context.close();
  });
});
