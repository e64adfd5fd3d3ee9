// Hostile input on the embedded database; what the suite checks is told in hostile/suite.ts.
import { hostileSuite } from "./hostile/suite";

hostileSuite("pglite");
