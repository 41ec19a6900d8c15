-- Hand-written (Prisma's schema language cannot say it; schema.prisma keeps `@unique`, which this
-- index still enforces): the unique index on "supersedes" holds only the amendments. As a full
-- index it held one entry per report, nearly all NULL, each landing at a random place (after the
-- NULL comes the random report id), so every submission dirtied one more index page: ~12% of the
-- bytes written per report on SQLite (`npm run bench:intake`). Lookups by `supersedes = ?` can
-- still use it, since equality implies NOT NULL.
DROP INDEX "Report_supersedes_key";
CREATE UNIQUE INDEX "Report_supersedes_key" ON "Report"("supersedes") WHERE "supersedes" IS NOT NULL;
