import type { Polish } from "../translation";

export const en = {};

export const pl: Polish<typeof en> = {};
