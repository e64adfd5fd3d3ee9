import { config } from "@mai/eslint-config";

// docker/ holds deployment files and their test, which stands up the apps as the images run them:
// linted as a Node layer that may import every app, like the CLI.
export default config("cli", { tsconfigRootDir: import.meta.dirname });
