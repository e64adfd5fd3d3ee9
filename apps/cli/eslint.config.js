import { config } from "@mai/eslint-config";

export default config("cli");
