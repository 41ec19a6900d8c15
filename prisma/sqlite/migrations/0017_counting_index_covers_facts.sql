-- Hand-written: the counting index also holds "memberKeyId" and "id", so the facts read of counting
-- (server/db/prisma-data.ts factsSql: every report's id, member, tag, hash, status, year and
-- counted values) is answered from the index alone. Without it every row was read from the table,
-- and on SQLite that means walking each sealed narrative's overflow pages to reach the columns
-- stored after it: on 1,000,000 reports with 1 KiB narratives the read took about half again as
-- long (docs/performance.md).
DROP INDEX "Report_counting_idx";
CREATE INDEX "Report_counting_idx" ON "Report"("status", "dedupeTag", "year", "region", "incidentType", "victimGender", "victimNationality", "victimAgeBand", "perpetratorType", "outcome", "quarter", "reportHash", "memberKeyId", "id");
