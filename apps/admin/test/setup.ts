// Each component test file's window lives on the real API's origin (see global-setup.ts), so the
// app's relative "/trpc" calls and the httpOnly session cookie behave as in production.
import { cleanup } from "@testing-library/react";
import { afterEach, inject } from "vitest";

const happy = (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM;
happy.setURL(`${inject("apiUrl")}/`);

afterEach(() => {
  cleanup();
});
