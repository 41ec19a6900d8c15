-- CreateTable
CREATE TABLE "Member" (
    "keyId" TEXT NOT NULL PRIMARY KEY,
    "publicKey" TEXT NOT NULL,
    "revoked" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "Invite" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Report" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "memberKeyId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "quarter" INTEGER,
    "region" TEXT NOT NULL,
    "incidentType" TEXT NOT NULL,
    "victimGender" TEXT NOT NULL,
    "victimNationality" TEXT NOT NULL,
    "victimAgeBand" TEXT NOT NULL,
    "perpetratorType" TEXT NOT NULL,
    "outcome" TEXT,
    "sealedNarrative" TEXT NOT NULL,
    "dedupeTag" TEXT,
    "supersedes" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "reportHash" TEXT NOT NULL,
    CONSTRAINT "Report_memberKeyId_fkey" FOREIGN KEY ("memberKeyId") REFERENCES "Member" ("keyId") ON DELETE RESTRICT ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "Nonce" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "series" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,
    "signature" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Member_publicKey_key" ON "Member"("publicKey");

-- CreateIndex
CREATE UNIQUE INDEX "Report_supersedes_key" ON "Report"("supersedes");

-- CreateIndex
CREATE INDEX "Report_memberKeyId_id_idx" ON "Report"("memberKeyId", "id");

-- CreateIndex
CREATE INDEX "Report_status_year_idx" ON "Report"("status", "year");

-- CreateIndex
CREATE INDEX "Nonce_expiresAt_idx" ON "Nonce"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Release_hash_key" ON "Release"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "Release_series_sequence_key" ON "Release"("series", "sequence");
