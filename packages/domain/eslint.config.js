import { config } from "@mai/eslint-config";

export default config("domain", { tsconfigRootDir: import.meta.dirname });
