import { config } from "@mai/eslint-config";

export default config("cli", { tsconfigRootDir: import.meta.dirname });
