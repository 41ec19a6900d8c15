-- DropIndex
DROP INDEX "Report_status_year_idx";

-- DropIndex
DROP INDEX "Report_dedupeTag_reportHash_idx";

-- CreateIndex
CREATE INDEX "Report_counting_idx" ON "Report"("status", "dedupeTag", "year", "region", "incidentType", "victimGender", "victimNationality", "victimAgeBand", "perpetratorType", "outcome", "quarter", "reportHash");
