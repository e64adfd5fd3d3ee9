// Renders the whole app at a path, as a browser would open it, against the real API.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { inject } from "vitest";
import { App } from "../src/App";
import { queryClient } from "../src/trpc";

export async function signOut(): Promise<void> {
  await fetch(`${inject("apiUrl")}/trpc/auth.logout`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  queryClient.clear();
}

export function renderAt(path: string) {
  window.history.replaceState(null, "", path);
  const user = userEvent.setup();
  const view = render(<App />);
  return { user, ...view };
}

/** Opens the sign-in page, signs in and waits for the signed-in layout. */
export async function signIn(account: { email: string; password: string }, path = "/sign-in") {
  const rendered = renderAt(path);
  const { user } = rendered;
  await user.type(await screen.findByLabelText("E-mail"), account.email);
  await user.type(screen.getByLabelText("Password"), account.password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  await screen.findByRole("navigation", { name: "Main" });
  return rendered;
}

export async function navLinks(): Promise<string[]> {
  const nav = await screen.findByRole("navigation", { name: "Main" });
  return within(nav)
    .getAllByRole("link")
    .map((a) => a.textContent ?? "");
}

/** A tRPC mutation through the page's own session (the window's cookie jar), as the dashboard sends it. */
export async function mutate<T>(path: string, input: unknown): Promise<T> {
  const res = await fetch(`${inject("apiUrl")}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** A tRPC query through the page's own session. */
export async function query<T>(path: string, input: unknown): Promise<T> {
  const res = await fetch(`${inject("apiUrl")}/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

export { waitFor, screen, within };
