// Each component test file's window lives on the real API's origin (see global-setup.ts), so the
// app's relative "/trpc" calls and the httpOnly session cookie behave as in production.
import { cleanup, configure } from "@testing-library/react";
import { afterEach, inject } from "vitest";
import { i18n, LANGUAGE_STORAGE_KEY } from "../src/i18n";

// findBy* and waitFor wait for the condition; how long they may is a safety net for a hang, not an
// expected duration (the default second is often less than a loaded machine needs to transform a
// lazily loaded page and answer its first queries).
configure({ asyncUtilTimeout: 60_000 });

const happy = (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM;
happy.setURL(`${inject("apiUrl")}/`);

// A browser names the page's Origin on every request with side effects, same-origin ones too;
// happy-dom sends it only on cross-origin requests (and strips it from a script's headers as a
// forbidden header), and the API's CSRF check refuses a POST without it. Set here, on the Request
// happy-dom sends as it is, as the browser would.
const pageFetch = window.fetch.bind(window);
const browserFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  if (request.method !== "GET" && request.method !== "HEAD" && !request.headers.has("origin")) {
    request.headers.set("origin", window.location.origin);
  }
  return pageFetch(request);
};
window.fetch = browserFetch;
globalThis.fetch = browserFetch;

afterEach(() => {
  cleanup();
});

// Every test starts in English with no remembered choice (a test that switches to Polish does not
// leave the next one in Polish).
afterEach(async () => {
  localStorage.removeItem(LANGUAGE_STORAGE_KEY);
  await i18n.changeLanguage("en");
});
