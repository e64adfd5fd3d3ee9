import { config } from "@mai/eslint-config";

export default config("openrouter", { tsconfigRootDir: import.meta.dirname });
