-- AlterTable
ALTER TABLE "Release" ADD COLUMN     "keyId" TEXT NOT NULL,
ADD COLUMN     "leaves" BYTEA NOT NULL,
ADD COLUMN     "publishedOn" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "ReleaseDraft" (
    "id" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,
    "leaves" BYTEA NOT NULL,
    "expiresAt" INTEGER NOT NULL,

    CONSTRAINT "ReleaseDraft_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Report_dedupeTag_reportHash_idx" ON "Report"("dedupeTag", "reportHash");
