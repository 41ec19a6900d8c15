-- CreateTable
CREATE TABLE "ReleaseDraft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "series" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,
    "leaves" BLOB NOT NULL,
    "expiresAt" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Release" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "series" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "publishedOn" TEXT NOT NULL,
    "leaves" BLOB NOT NULL
);
INSERT INTO "new_Release" ("hash", "id", "manifest", "sequence", "series", "signature") SELECT "hash", "id", "manifest", "sequence", "series", "signature" FROM "Release";
DROP TABLE "Release";
ALTER TABLE "new_Release" RENAME TO "Release";
CREATE UNIQUE INDEX "Release_hash_key" ON "Release"("hash");
CREATE UNIQUE INDEX "Release_series_sequence_key" ON "Release"("series", "sequence");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Report_dedupeTag_reportHash_idx" ON "Report"("dedupeTag", "reportHash");
