// The CLI's environment, read here and nowhere else (conventions.md §7, enforced by lint). The CLI
// validates nothing of its own: it hands this record to the API's `loadEnv` and the proxy's
// `loadProxyEnv`, which validate it once. A test running the program in-process hands in its own
// record instead (see `runCli`).
export type Environment = Readonly<Record<string, string | undefined>>;

/** The process's environment, as the `mai` command was started with it. */
export function processEnv(): Environment {
  return process.env;
}
