// Output schemas shared by routers. A key can leave the API only masked (`sk-or-v1-0844…af0e`):
// a procedure whose output would carry a full key fails validation instead of leaking it.
import { z } from "zod";

export const maskedKey = z.string().refine((k) => k.includes("…"), "keys leave the API masked");
/** A masked key, or "" for an empty slot (Open WebUI keeps one key entry per connection). */
export const maskedKeyOrEmpty = z
  .string()
  .refine((k) => k === "" || k.includes("…"), "keys leave the API masked");
