// Inputs of userMapping.*.
import { z } from "zod";

export const mappingScopeInput = z.object({ organizationId: z.uuid().optional() }).optional();
export const testMappingInput = z.object({ userId: z.uuid() });

export type TestMappingInput = z.output<typeof testMappingInput>;
