-- The global settings row exists from the start, so reading settings never has to write.
INSERT INTO "global_settings" ("id") VALUES (1) ON CONFLICT ("id") DO NOTHING;
