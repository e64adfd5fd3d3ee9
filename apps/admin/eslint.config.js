import { config } from "@mai/eslint-config";

export default config("admin", { react: true, tsconfigRootDir: import.meta.dirname });
