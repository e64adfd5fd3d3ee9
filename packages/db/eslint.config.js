import { config } from "@mai/eslint-config";

export default config("db", { tsconfigRootDir: import.meta.dirname });
