-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Member" (
    "keyId" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "revoked" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("keyId")
);

-- CreateTable
CREATE TABLE "Invite" (
    "tokenHash" TEXT NOT NULL,
    "expiresAt" INTEGER NOT NULL,

    CONSTRAINT "Invite_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" TEXT NOT NULL,
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

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Nonce" (
    "hash" TEXT NOT NULL,
    "expiresAt" INTEGER NOT NULL,

    CONSTRAINT "Nonce_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_memberKeyId_fkey" FOREIGN KEY ("memberKeyId") REFERENCES "Member"("keyId") ON DELETE RESTRICT ON UPDATE CASCADE;
