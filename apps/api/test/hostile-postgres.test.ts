// Hostile input on PostgreSQL (with DATABASE_URL); its own file so it runs beside the PGlite one.
import { testDrivers } from "@mai/db/testing";
import { describe, it } from "vitest";
import { hostileSuite } from "./hostile/suite";

if (testDrivers().includes("postgres")) hostileSuite("postgres");
else describe.skip("hostile input (postgres)", () => it.skip("needs DATABASE_URL", () => {}));
