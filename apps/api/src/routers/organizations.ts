import { router } from "../trpc";

// Contract procedures of design.md; implemented in the API issue.
export const organizationsRouter = router({});
