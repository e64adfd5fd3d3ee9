// Each component test file's window lives on the real API's origin (see global-setup.ts), so the
// app's relative "/trpc" calls and the httpOnly session cookie behave as in production.
import { cleanup, configure } from "@testing-library/react";
import { afterEach, inject } from "vitest";

// findBy* and waitFor wait for the condition; how long they may is a safety net for a hang, not an
// expected duration (the default second is often less than a loaded machine needs to transform a
// lazily loaded page and answer its first queries).
configure({ asyncUtilTimeout: 60_000 });

const happy = (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM;
happy.setURL(`${inject("apiUrl")}/`);

afterEach(() => {
  cleanup();
});
